import type { TableClient } from '@azure/data-tables';
import type { CapacityStore } from '../capacity-store.ts';
import { conditionally, getOrNull, updateGuarded } from './tables.ts';

interface CapacityEntity {
  /** JSON: the conversations a place is held for, and since when. */
  held: string;
}

interface Held {
  readonly id: string;
  readonly at: string;
}

const PARTITION = 'capacity';

/** One entity per rep, in the rules table: every reservation for a rep is a write to it. */
export function createAzureCapacityStore(client: TableClient): CapacityStore {
  const heldOf = (entity: CapacityEntity) => JSON.parse(entity.held) as Held[];
  return {
    async reserve({ userId, conversationId, cap, openLeads, now, holdMs }) {
      await conditionally(() => client.createEntity({ partitionKey: PARTITION, rowKey: userId, held: '[]' }));
      for (;;) {
        const entity = await getOrNull<CapacityEntity>(client, PARTITION, userId);
        if (entity === null) throw new Error('capacity entity vanished');
        const held = heldOf(entity).filter((place) => now.getTime() - Date.parse(place.at) < holdMs);
        const load = new Set([...openLeads, ...held.map((place) => place.id)]);
        if (load.has(conversationId)) return { ok: true };
        if (load.size >= cap)
          return { ok: false, load: load.size, held: load.size - new Set(openLeads).size };
        const written = await conditionally(() =>
          client.updateEntity(
            {
              partitionKey: PARTITION,
              rowKey: userId,
              held: JSON.stringify([...held, { id: conversationId, at: now.toISOString() }]),
            },
            'Merge',
            { etag: entity.etag },
          ),
        );
        if (written.ok) return { ok: true };
      }
    },
    async release(userId, conversationId) {
      if ((await getOrNull<CapacityEntity>(client, PARTITION, userId)) === null) return;
      await updateGuarded<CapacityEntity>(client, PARTITION, userId, (current) => {
        const held = heldOf(current);
        const kept = held.filter((place) => place.id !== conversationId);
        return kept.length === held.length ? null : { held: JSON.stringify(kept) };
      });
    },
  };
}
