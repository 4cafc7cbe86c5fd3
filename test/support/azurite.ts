import { randomBytes } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { inject } from 'vitest';
import { createTableClient } from '../../src/stores/azure/tables.ts';

/**
 * A new, empty table in the run's Azurite (started once by global-setup.ts): `name` and a random suffix,
 * so tests never share state.
 */
export async function freshTable(name: string): Promise<TableClient> {
  const client = createTableClient(
    inject('azureConnectionString'),
    `${name}${randomBytes(4).toString('hex')}`,
  );
  await client.createTable();
  return client;
}
