import { odata, type TableClient, type TableEntityResult } from '@azure/data-tables';
import type { LeadId, LeadRow } from '../../domain/lead.ts';
import { leadPartitionKey } from '../../domain/lead-partitions.ts';
import {
  LeadNotStoredError,
  type LeadRowsResult,
  type LeadTable,
  type LeadTableWriter,
  pushedLeadRowKey,
} from '../lead-table.ts';
import { conditionally, dateOf, getOrNull, statusOf } from './tables.ts';

function toLeadRow(entity: TableEntityResult<Record<string, unknown>>): LeadRow {
  const { etag: _etag, timestamp, partitionKey, rowKey, ...columns } = entity;
  // The service always sets Timestamp; the epoch fallback only keeps a broken row readable.
  return {
    ...columns,
    partitionKey: partitionKey ?? '',
    rowKey: rowKey ?? '',
    timestamp: dateOf(timestamp) ?? new Date(0),
  };
}

async function missingAsNull<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw error;
  }
}

/** Arrival order of two rows, by the Timestamp text (see rowsOf). */
function byTimestamp(
  a: TableEntityResult<Record<string, unknown>>,
  b: TableEntityResult<Record<string, unknown>>,
): number {
  // The service writes Timestamp with 100 ns digits that a Date cannot hold, and rows less than a
  // millisecond apart must not swap: the text is compared, its fraction padded to 7 digits.
  const key = (entity: TableEntityResult<Record<string, unknown>>) =>
    String(entity.timestamp ?? '').replace(
      /(?:\.(\d+))?Z$/,
      (_, digits = '') => `.${digits.padEnd(7, '0')}Z`,
    );
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}

export function createAzureLeadTable(client: TableClient): LeadTable {
  /**
   * The rows of each filter (one query each; the SDK follows continuation tokens, empty pages
   * included), merged without duplicates, in arrival order. `missing` when the table does not exist.
   */
  const rowsOf = async (filters: readonly string[]): Promise<LeadRowsResult> => {
    const entities = await missingAsNull(async () => {
      const found = new Map<string, TableEntityResult<Record<string, unknown>>>();
      for (const filter of filters) {
        for await (const entity of client.listEntities<Record<string, unknown>>({ queryOptions: { filter } }))
          found.set(`${entity.partitionKey}\n${entity.rowKey}`, entity);
      }
      return [...found.values()];
    });
    if (entities === null) return { kind: 'missing' };
    return { kind: 'rows', rows: entities.sort(byTimestamp).map(toLeadRow) };
  };
  return {
    name: client.tableName,
    listSince(since: Date): Promise<LeadRowsResult> {
      return rowsOf([odata`Timestamp ge ${since}`]);
    },
    listSinceInPartitions(since, partitionKeys) {
      return rowsOf(partitionKeys.map((key) => odata`PartitionKey eq ${key} and Timestamp ge ${since}`));
    },
    async countBefore(before: Date): Promise<number> {
      const count = await missingAsNull(async () => {
        let older = 0;
        const entities = client.listEntities({
          queryOptions: { filter: odata`Timestamp lt ${before}`, select: ['PartitionKey'] },
        });
        for await (const _ of entities) older += 1;
        return older;
      });
      return count ?? 0;
    },
    async get(id: LeadId): Promise<LeadRow | null> {
      const entity = await getOrNull<Record<string, unknown>>(client, id.partitionKey, id.rowKey);
      return entity === null ? null : toLeadRow(entity);
    },
  };
}

export function createAzureLeadTableWriter(client: TableClient): LeadTableWriter {
  let tableReady = false;
  return {
    async insert(columns, now) {
      try {
        if (!tableReady) {
          await client.createTable();
          tableReady = true;
        }
        const id = { partitionKey: leadPartitionKey(now), rowKey: pushedLeadRowKey(columns) };
        const written = await conditionally(() => client.createEntity({ ...columns, ...id }));
        return { id, created: written.ok };
      } catch (error) {
        const status = statusOf(error);
        throw new LeadNotStoredError(status === null || status >= 500, { cause: error });
      }
    },
  };
}
