import { createHash } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import type { PushRateStore } from '../push-rate-store.ts';
import { conditionally, getOrNull } from './tables.ts';

interface PushCountEntity {
  count: number;
}

const PARTITION = 'push-rate';

/**
 * In the bot's Leads table, partition `push-rate`: one entity a customer and window (the e-mail is
 * hashed: row keys may not hold every character an address can). An entity is a few bytes; a busy offer
 * writes a few thousand a year.
 */
export function createAzurePushRateStore(client: TableClient): PushRateStore {
  return {
    async admit(customer, windowStart, limit) {
      const rowKey = `${createHash('sha256').update(customer).digest('hex')}-${windowStart.toISOString()}`;
      for (;;) {
        const current = await getOrNull<PushCountEntity>(client, PARTITION, rowKey);
        if (current === null) {
          const created = await conditionally(() =>
            client.createEntity<PushCountEntity>({ partitionKey: PARTITION, rowKey, count: 1 }),
          );
          if (created.ok) return limit >= 1;
          continue;
        }
        if (current.count >= limit) return false;
        const counted = await conditionally(() =>
          client.updateEntity({ partitionKey: PARTITION, rowKey, count: current.count + 1 }, 'Merge', {
            etag: current.etag,
          }),
        );
        if (counted.ok) return true;
      }
    },
  };
}
