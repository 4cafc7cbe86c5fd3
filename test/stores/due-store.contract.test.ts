import { describe, expect, it } from 'vitest';
import { createAzureDueStore } from '../../src/stores/azure/azure-due-store.ts';
import type { DueStore } from '../../src/stores/due-store.ts';
import { createMemoryDueStore } from '../../src/stores/memory/memory-due-store.ts';
import { azureAndMemory } from '../support/azurite.ts';

// One contract for the due store, run against the Azure adapter (Azurite) and the in-memory twin.

const at = new Date('2025-11-15T20:00:00Z');
const later = (seconds: number) => new Date(at.getTime() + seconds * 1000);
const item = { conversationId: 'c'.repeat(32), kind: 'remind' as const, at };

describe.each(azureAndMemory<DueStore>(createAzureDueStore, createMemoryDueStore))(
  'DueStore contract: $name',
  ({ create }) => {
    it('lets exactly one of several simultaneous claims win', async () => {
      const store = await create();
      await store.schedule(item);
      const claims = await Promise.all(
        ['p1', 'p2', 'p3', 'p4'].map((by) => store.claim(item, by, at, 60_000)),
      );
      expect(claims.filter((claim) => claim !== null)).toHaveLength(1);
    });

    it('lets a claim be taken over only after its timeout, and then by exactly one process', async () => {
      const store = await create();
      await store.schedule(item);
      expect(await store.claim(item, 'dead', at, 60_000)).not.toBeNull();
      expect(await store.claim(item, 'p1', later(30), 60_000)).toBeNull();
      const takeovers = await Promise.all(
        ['p1', 'p2', 'p3'].map((by) => store.claim(item, by, later(61), 60_000)),
      );
      expect(takeovers.filter((claim) => claim !== null)).toHaveLength(1);
    });

    it('keeps one item when it is scheduled twice at once, and completes it once', async () => {
      const store = await create();
      await Promise.all([store.schedule(item), store.schedule(item)]);
      expect(await store.listDue(at, 10)).toHaveLength(1);
      const claimed = await store.claim(item, 'p1', at, 60_000);
      if (claimed === null) throw new Error('expected a claim');
      await store.complete(claimed);
      expect(await store.listDue(at, 10)).toEqual([]);
    });

    it('lists only what is due, oldest first, at most the limit', async () => {
      const store = await create();
      const items = [
        { conversationId: 'b', kind: 'escalate' as const, at: later(120) },
        { conversationId: 'a', kind: 'unclaimed' as const, at: later(60) },
        { conversationId: 'c', kind: 'remind' as const, at: later(60) },
        { conversationId: 'd', kind: 'remind' as const, at: later(3600) },
      ];
      for (const due of items) await store.schedule(due);
      expect(await store.listDue(later(120), 10)).toEqual([items[1], items[2], items[0]]);
      expect(await store.listDue(later(120), 2)).toEqual([items[1], items[2]]);
      expect(await store.listDue(later(59), 10)).toEqual([]);
    });

    it('leaves an item alone when its claim was taken over: the first claimer cannot complete it', async () => {
      const store = await create();
      await store.schedule(item);
      const first = await store.claim(item, 'slow', at, 60_000);
      const second = await store.claim(item, 'p2', later(61), 60_000);
      if (first === null || second === null) throw new Error('expected both claims');
      await store.complete(first);
      expect(await store.listDue(later(61), 10)).toEqual([item]);
      await store.complete(second);
      expect(await store.listDue(later(61), 10)).toEqual([]);
    });
  },
);
