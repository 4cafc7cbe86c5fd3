import { describe, expect, it } from 'vitest';
import { createAzureCursorStore } from '../../src/stores/azure/azure-cursor-store.ts';
import { createAzureDeliveryStore } from '../../src/stores/azure/azure-delivery-store.ts';
import { createAzureLeaseStore } from '../../src/stores/azure/azure-lease-store.ts';
import { createAzureOnceStore } from '../../src/stores/azure/azure-once-store.ts';
import { createAzurePendingStore } from '../../src/stores/azure/azure-pending-store.ts';
import type { CursorStore } from '../../src/stores/cursor-store.ts';
import type { DeliveryStore } from '../../src/stores/delivery-store.ts';
import type { LeaseStore } from '../../src/stores/lease-store.ts';
import {
  createMemoryCursorStore,
  createMemoryDeliveryStore,
  createMemoryLeaseStore,
  createMemoryOnceStore,
  createMemoryPendingStore,
} from '../../src/stores/memory/memory-coordination-stores.ts';
import type { OnceStore } from '../../src/stores/once-store.ts';
import type { PendingStore } from '../../src/stores/pending-store.ts';
import { azureAndMemory } from '../support/azurite.ts';

// One contract per port, run against the Azure adapter (Azurite) and the in-memory twin alike.

const at = new Date('2025-11-15T20:00:00Z');
const t = (seconds: number) => new Date(Date.UTC(2026, 0, 5) + seconds * 1000);

describe.each(azureAndMemory<OnceStore>(createAzureOnceStore, createMemoryOnceStore))(
  'OnceStore contract: $name',
  ({ create }) => {
    it('says yes to exactly one of several simultaneous claims of a key', async () => {
      const store = await create();
      const results = await Promise.all(
        Array.from({ length: 5 }, () => store.claim('digest-2025-11-15', at)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.claim('digest-2025-11-16', at)).toBe(true);
    });
  },
);

describe.each(azureAndMemory<CursorStore>(createAzureCursorStore, createMemoryCursorStore))(
  'CursorStore contract: $name',
  ({ create }) => {
    it('is created by exactly one of several first starts, whatever the table name’s case', async () => {
      const store = await create();
      const results = await Promise.all([
        store.create('Leads', at),
        store.create('leads', at),
        store.create('LEADS', at),
      ]);
      expect(results.filter((result) => result === 'created')).toHaveLength(1);
      expect(await store.get('Leads')).toEqual({ position: at, floor: at });
    });

    it('only moves forward, and concurrent advances end at the latest', async () => {
      const store = await create();
      await store.create('Leads', at);
      const times = [5, 1, 9, 3].map((minutes) => new Date(at.getTime() + minutes * 60_000));
      await Promise.all(times.map((time) => store.advance('Leads', time)));
      await store.advance('Leads', at);
      expect(await store.get('Leads')).toEqual({ position: new Date(at.getTime() + 9 * 60_000), floor: at });
    });

    it('is null before the first start', async () => {
      expect(await (await create()).get('Other')).toBeNull();
    });
  },
);

describe.each(azureAndMemory<LeaseStore>(createAzureLeaseStore, createMemoryLeaseStore))(
  'LeaseStore contract: $name',
  ({ create }) => {
    it('goes to exactly one of several processes asking at once, however often they try', async () => {
      const lease = await create();
      for (let round = 0; round < 5; round++) {
        const results = await Promise.all(
          ['a', 'b', 'c', 'd'].map((holder) => lease.acquire(holder, t(round), 60_000)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      }
    });

    it('is kept by a holder that renews it twice at the same moment (two of its jobs starting together)', async () => {
      const lease = await create();
      await lease.acquire('a', t(0), 60_000);
      expect(await Promise.all([lease.acquire('a', t(1), 60_000), lease.acquire('a', t(1), 60_000)])).toEqual(
        [true, true],
      );
    });

    it('is renewed by its holder and refused to others until it expires', async () => {
      const lease = await create();
      expect(await lease.acquire('a', t(0), 60_000)).toBe(true);
      expect(await lease.acquire('b', t(30), 60_000)).toBe(false);
      expect(await lease.acquire('a', t(50), 60_000)).toBe(true); // renewed until t(110)
      expect(await lease.acquire('b', t(100), 60_000)).toBe(false);
      expect(await lease.holder(t(100))).toBe('a');
    });

    it('passes to another process once the holder stops renewing it (a dead holder)', async () => {
      const lease = await create();
      expect(await lease.acquire('a', t(0), 60_000)).toBe(true);
      expect(await lease.acquire('b', t(60), 60_000)).toBe(true);
      expect(await lease.holder(t(61))).toBe('b');
      expect(await lease.acquire('a', t(62), 60_000)).toBe(false);
    });

    it('is free at once when its holder releases it; others cannot release it', async () => {
      const lease = await create();
      await lease.acquire('a', t(0), 60_000);
      await lease.release('b');
      expect(await lease.holder(t(1))).toBe('a');
      await lease.release('a');
      expect(await lease.holder(t(1))).toBeNull();
      expect(await lease.acquire('b', t(1), 60_000)).toBe(true);
    });
  },
);

describe.each(azureAndMemory<PendingStore>(createAzurePendingStore, createMemoryPendingStore))(
  'PendingStore contract: $name',
  ({ create }) => {
    it('hands a pending payload to exactly one of several simultaneous confirms', async () => {
      const store = await create();
      const id = await store.put('{"routes":[]}', 'U0ADMIN01', at);
      const taken = await Promise.all(Array.from({ length: 4 }, () => store.take(id, at, 60_000)));
      expect(taken.filter((payload) => payload !== null)).toEqual([
        { payload: '{"routes":[]}', by: 'U0ADMIN01' },
      ]);
    });

    it('refuses a payload older than the maximum age, and an id it never gave', async () => {
      const store = await create();
      const id = await store.put('x', 'U0ADMIN01', at);
      expect(await store.take(id, new Date(at.getTime() + 61_000), 60_000)).toBeNull();
      expect(await store.take('0'.repeat(24), at, 60_000)).toBeNull();
    });
  },
);

describe.each(azureAndMemory<DeliveryStore>(createAzureDeliveryStore, createMemoryDeliveryStore))(
  'DeliveryStore contract: $name',
  ({ create }) => {
    it('begins a step for exactly one of several at once; unfinished it is unknown, finished it is sent', async () => {
      const store = await create();
      const begun = await Promise.all(
        Array.from({ length: 4 }, () => store.begin('remind|c1|2026-01-05', at)),
      );
      expect(begun.filter((state) => state === 'begun')).toHaveLength(1);
      expect(begun.filter((state) => state === 'unknown')).toHaveLength(3);
      await store.finish('remind|c1|2026-01-05');
      expect(await store.begin('remind|c1|2026-01-05', at)).toBe('sent');
      expect(await store.begin('remind|c2|2026-01-05', at)).toBe('begun');
    });
  },
);
