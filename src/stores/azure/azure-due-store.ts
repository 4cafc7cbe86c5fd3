import { odata, type TableClient } from '@azure/data-tables';
import type { DueItem, DueKind, DueStore } from '../due-store.ts';
import { conditionally, dateOf, getOrNull } from './tables.ts';

interface DueEntity {
  conversationId: string;
  kind: DueKind;
  at: Date;
  claimedBy: string;
  claimedAt: Date | string;
}

const PARTITION = 'due';
// Row keys start with the time, so "due by now" is a range of row keys in one partition.
const rowKeyOf = (item: DueItem) => `${item.at.toISOString()}|${item.conversationId}|${item.kind}`;

function toItem(entity: DueEntity): DueItem {
  return { conversationId: entity.conversationId, kind: entity.kind, at: dateOf(entity.at) ?? new Date(0) };
}

export function createAzureDueStore(client: TableClient): DueStore {
  return {
    async schedule(item) {
      await conditionally(() =>
        client.createEntity<DueEntity>({
          partitionKey: PARTITION,
          rowKey: rowKeyOf(item),
          ...item,
          claimedBy: '',
          claimedAt: '',
        }),
      );
    },
    async listDue(now, limit) {
      const items: DueItem[] = [];
      // '|' sorts after every character of an ISO time, so this includes items due exactly at `now`.
      const filter = odata`PartitionKey eq ${PARTITION} and RowKey le ${`${now.toISOString()}|~`}`;
      for await (const entity of client.listEntities<DueEntity>({ queryOptions: { filter } })) {
        items.push(toItem(entity));
        if (items.length >= limit) break;
      }
      return items;
    },
    async claim(item, by, at, timeoutMs) {
      const current = await getOrNull<DueEntity>(client, PARTITION, rowKeyOf(item));
      if (current === null) return null;
      const claimedAt = dateOf(current.claimedAt);
      if (current.claimedBy && claimedAt && at.getTime() - claimedAt.getTime() < timeoutMs) return null;
      const written = await conditionally(() =>
        client.updateEntity(
          { partitionKey: PARTITION, rowKey: rowKeyOf(item), claimedBy: by, claimedAt: at },
          'Merge',
          {
            etag: current.etag,
          },
        ),
      );
      return written.ok ? { ...item, etag: written.value.etag ?? '' } : null;
    },
    async complete(item) {
      const removed = await conditionally(() =>
        client.deleteEntity(PARTITION, rowKeyOf(item), { etag: item.etag }),
      );
      if (!removed.ok && removed.status !== 412) throw new Error('unexpected conflict removing a due item');
    },
  };
}
