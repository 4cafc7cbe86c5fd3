import type { TableClient } from '@azure/data-tables';
import type { DeliveryStore } from '../delivery-store.ts';
import { conditionally, getOrNull } from './tables.ts';

interface DeliveryEntity {
  sent: boolean;
  at: Date;
}

const PARTITION = 'delivery';
// Table keys may not hold / \ # or ? (delivery keys are ids, kinds, times and step names: no control characters).
const rowKeyOf = (key: string) => key.replace(/[/\\#?]/g, '_');

export function createAzureDeliveryStore(client: TableClient): DeliveryStore {
  return {
    async begin(key, at) {
      const rowKey = rowKeyOf(key);
      const created = await conditionally(() =>
        client.createEntity<DeliveryEntity>({ partitionKey: PARTITION, rowKey, sent: false, at }),
      );
      if (created.ok) return 'begun';
      const existing = await getOrNull<DeliveryEntity>(client, PARTITION, rowKey);
      return existing?.sent === true ? 'sent' : 'unknown';
    },
    async finish(key) {
      await client.upsertEntity({ partitionKey: PARTITION, rowKey: rowKeyOf(key), sent: true }, 'Merge');
    },
  };
}
