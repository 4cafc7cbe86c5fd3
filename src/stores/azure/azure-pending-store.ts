import { randomBytes } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import type { PendingStore } from '../pending-store.ts';
import { conditionally, dateOf, getOrNull, readTextProperty, statusOf, textProperties } from './tables.ts';

interface PendingEntity {
  /** In parts (`textProperties`): a rules document can pass one property's 64 KiB. */
  payload: string;
  by: string;
  at: Date;
}

const PARTITION = 'pending';
const ID = /^[0-9a-f]{24}$/;

export function createAzurePendingStore(client: TableClient): PendingStore {
  return {
    async put(payload, by, at) {
      const id = randomBytes(12).toString('hex');
      await client.createEntity({
        partitionKey: PARTITION,
        rowKey: id,
        ...textProperties('payload', payload),
        by,
        at,
      });
      return id;
    },
    async take(id, now, maxAgeMs) {
      if (!ID.test(id)) return null;
      const entity = await getOrNull<PendingEntity>(client, PARTITION, id);
      if (entity === null) return null;
      try {
        const removed = await conditionally(() => client.deleteEntity(PARTITION, id, { etag: entity.etag }));
        if (!removed.ok) return null;
      } catch (error) {
        // Taken by another confirm between our read and our delete.
        if (statusOf(error) === 404) return null;
        throw error;
      }
      const age = now.getTime() - (dateOf(entity.at)?.getTime() ?? 0);
      return age > maxAgeMs ? null : { payload: readTextProperty(entity, 'payload'), by: entity.by };
    },
  };
}
