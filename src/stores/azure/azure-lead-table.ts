import { odata, type TableClient, type TableEntityResult } from '@azure/data-tables';
import type { LeadId, LeadRow } from '../../domain/lead.ts';
import type { LeadRowsResult, LeadTable } from '../lead-table.ts';
import { dateOf, getOrNull, statusOf } from './tables.ts';

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

export function createAzureLeadTable(client: TableClient): LeadTable {
  return {
    name: client.tableName,
    async listSince(since: Date): Promise<LeadRowsResult> {
      const rows = await missingAsNull(async () => {
        const found: LeadRow[] = [];
        const entities = client.listEntities<Record<string, unknown>>({
          queryOptions: { filter: odata`Timestamp ge ${since}` },
        });
        for await (const entity of entities) found.push(toLeadRow(entity));
        return found;
      });
      if (rows === null) return { kind: 'missing' };
      rows.sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
      return { kind: 'rows', rows };
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
