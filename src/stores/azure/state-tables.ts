import type { TableClient } from '@azure/data-tables';
import type { ServiceClock } from './service-clock.ts';
import { createTableClient, ensureTable, type StorageAccessOrConnectionString } from './tables.ts';

/** The bot's own tables, each named STATE_TABLE_PREFIX + this suffix, beside Microsoft's lead table. */
const STATE_TABLES = [
  'Leads',
  'Conversations',
  'Cursors',
  'Rules',
  'Ownership',
  'Due',
  'Settings',
  'Audit',
  'Lease',
  'Crm',
] as const;

export type StateTableName = (typeof STATE_TABLES)[number];

export interface StateTables {
  readonly clients: Readonly<Record<StateTableName, TableClient>>;
  /**
   * Creates every state table unless it exists. Memoised once it succeeded; a failure is not kept, so
   * the next call (the next job) tries again while the table service is unreachable.
   */
  ensure(): Promise<void>;
}

export function createStateTables(
  storage: StorageAccessOrConnectionString,
  prefix: string,
  serviceClock?: ServiceClock,
): StateTables {
  const clients = Object.fromEntries(
    STATE_TABLES.map((name) => [name, createTableClient(storage, `${prefix}${name}`, serviceClock)]),
  ) as Record<StateTableName, TableClient>;
  let ready: Promise<void> | null = null;
  return {
    clients,
    ensure() {
      ready ??= Promise.all(Object.values(clients).map(ensureTable)).then(
        () => undefined,
        (error: unknown) => {
          ready = null;
          throw error;
        },
      );
      return ready;
    },
  };
}
