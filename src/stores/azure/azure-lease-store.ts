import type { TableClient } from '@azure/data-tables';
import type { LeaseStore } from '../lease-store.ts';
import { conditionally, dateOf, getOrNull, statusOf } from './tables.ts';

interface LeaseEntity {
  holder: string;
  expiresAt: Date;
}

const KEYS = { partitionKey: 'lease', rowKey: 'jobs' };

export function createAzureLeaseStore(client: TableClient): LeaseStore {
  const read = () => getOrNull<LeaseEntity>(client, KEYS.partitionKey, KEYS.rowKey);
  return {
    async acquire(holder, now, ttlMs) {
      const expiresAt = new Date(now.getTime() + ttlMs);
      const current = await read();
      if (current === null) {
        return (await conditionally(() => client.createEntity<LeaseEntity>({ ...KEYS, holder, expiresAt })))
          .ok;
      }
      const expired = (dateOf(current.expiresAt)?.getTime() ?? 0) <= now.getTime();
      if (current.holder !== holder && !expired) return false;
      const written = await conditionally(() =>
        client.updateEntity({ ...KEYS, holder, expiresAt }, 'Replace', { etag: current.etag }),
      );
      if (written.ok) return true;
      // Someone wrote first: the lease is ours only if that someone was this holder renewing it.
      const latest = await read();
      return (
        latest !== null &&
        latest.holder === holder &&
        (dateOf(latest.expiresAt)?.getTime() ?? 0) > now.getTime()
      );
    },
    async release(holder) {
      const current = await read();
      if (current === null || current.holder !== holder) return;
      try {
        await conditionally(() =>
          client.deleteEntity(KEYS.partitionKey, KEYS.rowKey, { etag: current.etag }),
        );
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
      }
    },
    async holder(now) {
      const current = await read();
      if (current === null) return null;
      return (dateOf(current.expiresAt)?.getTime() ?? 0) > now.getTime() ? current.holder : null;
    },
  };
}
