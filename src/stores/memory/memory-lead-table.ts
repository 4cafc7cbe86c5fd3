import type { LeadId, LeadRow } from '../../domain/lead.ts';
import { leadPartitionKey } from '../../domain/lead-partitions.ts';
import {
  type LeadRowsResult,
  type LeadTable,
  type LeadTableWriter,
  pushedLeadRowKey,
} from '../lead-table.ts';

// Microsoft's lead table in this process's memory, for services' unit tests: it keeps the Azure
// adapter's contract (test/stores/lead-table.contract.test.ts). Rows get their Timestamp from `clock`,
// as the table service stamps each write; the table is missing until the first row is written.

export interface MemoryLeadTable {
  readonly table: LeadTable;
  readonly writer: LeadTableWriter;
  /** Writes a row as Microsoft's own table writer does (its keys and columns as given). */
  insertRow(row: Readonly<Record<string, string>> & LeadId): void;
}

export function createMemoryLeadTable(name: string, clock: () => Date): MemoryLeadTable {
  let rows: Map<string, LeadRow> | null = null;
  const keyOf = (id: LeadId) => `${id.partitionKey}\n${id.rowKey}`;
  /** Rows in arrival order; a row written twice keeps its place by its new Timestamp. */
  const inOrder = (matches: (row: LeadRow) => boolean): LeadRowsResult =>
    rows === null
      ? { kind: 'missing' }
      : {
          kind: 'rows',
          rows: [...rows.values()]
            .filter(matches)
            .sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime()),
        };
  const store = (row: Readonly<Record<string, string>> & LeadId) => {
    rows ??= new Map();
    rows.set(keyOf(row), { ...row, timestamp: clock() });
  };

  return {
    table: {
      name,
      async listSince(since) {
        return inOrder((row) => row.timestamp.getTime() >= since.getTime());
      },
      async listSinceInPartitions(since, partitionKeys) {
        const wanted = new Set(partitionKeys);
        return inOrder((row) => wanted.has(row.partitionKey) && row.timestamp.getTime() >= since.getTime());
      },
      async countBefore(before) {
        const found = inOrder((row) => row.timestamp.getTime() < before.getTime());
        return found.kind === 'rows' ? found.rows.length : 0;
      },
      async get(id) {
        return rows?.get(keyOf(id)) ?? null;
      },
    },
    writer: {
      async insert(columns, now) {
        const id = { partitionKey: leadPartitionKey(now), rowKey: pushedLeadRowKey(columns) };
        if (rows?.has(keyOf(id))) return { id, created: false };
        store({ ...columns, ...id });
        return { id, created: true };
      },
    },
    insertRow: store,
  };
}
