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

/**
 * A port's two implementations for one contract suite (`describe.each`): its Azure adapter over a fresh
 * table, and its in-memory twin.
 */
export function azureAndMemory<T>(azure: (table: TableClient) => T, memory: () => T) {
  return [
    { name: 'Azure Tables', create: async (): Promise<T> => azure(await freshTable('contract')) },
    { name: 'memory', create: async (): Promise<T> => memory() },
  ];
}
