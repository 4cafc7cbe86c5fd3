import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type Arrival, isSameLeadByOtherPath } from '../../src/domain/arrival.ts';
import type { ArrivalIndex } from '../../src/stores/arrival-index.ts';
import { createAzureArrivalIndex } from '../../src/stores/azure/azure-arrival-index.ts';
import { createAzurePushRateStore } from '../../src/stores/azure/azure-push-rate-store.ts';
import {
  createMemoryArrivalIndex,
  createMemoryPushRateStore,
} from '../../src/stores/memory/memory-intake-stores.ts';
import type { PushRateStore } from '../../src/stores/push-rate-store.ts';
import { azureAndMemory } from '../support/azurite.ts';

// One contract per port, run against the Azure adapter (Azurite) and the in-memory twin alike.

const at = new Date('2025-11-15T20:00:00Z');

describe.each(azureAndMemory<PushRateStore>(createAzurePushRateStore, createMemoryPushRateStore))(
  'PushRateStore contract: $name',
  ({ create }) => {
    it('admits exactly the limit of many simultaneous pushes for one customer, and counts each window apart', async () => {
      const store = await create();
      const admitted = await Promise.all(
        Array.from({ length: 25 }, () => store.admit('jane@x.example', at, 10)),
      );
      expect(admitted.filter(Boolean)).toHaveLength(10);
      expect(await store.admit('jane@x.example', new Date(at.getTime() + 3_600_000), 10)).toBe(true);
      expect(await store.admit('john@x.example', at, 10)).toBe(true);
    });
  },
);

describe.each(azureAndMemory<ArrivalIndex>(createAzureArrivalIndex, createMemoryArrivalIndex))(
  'ArrivalIndex contract: $name',
  ({ create }) => {
    const arrival = (path: 'table' | 'push', minutes = 0): Arrival => ({
      leadId: { partitionKey: '11:2F15:2F2025', rowKey: randomBytes(6).toString('hex') },
      path,
      receivedAt: new Date(at.getTime() + minutes * 60_000),
      offers: ['contoso lead insights'],
      identity: 'jane\ndoe\ncontoso',
    });
    const key = 'jane@contoso.example\nCreate';

    it('of one lead arriving by both paths at once, records exactly one; the other sees it', async () => {
      const index = await create();
      for (let round = 0; round < 5; round += 1) {
        const roundKey = `${key}${round}`;
        const arrivals = [arrival('table'), arrival('push')];
        const outcomes = await Promise.all(
          arrivals.map((mine) =>
            index.record(roundKey, mine, (existing) => isSameLeadByOtherPath(existing, mine)),
          ),
        );
        expect(outcomes.map((outcome) => outcome.kind).sort()).toEqual(['recorded', 'same']);
        const same = outcomes.find((outcome) => outcome.kind === 'same');
        const recorded = arrivals[outcomes.findIndex((outcome) => outcome.kind === 'recorded')];
        expect(same).toEqual({ kind: 'same', existing: recorded });
      }
    });

    it('records a later arrival that is not the same lead in place of the earlier, and the same one again as its own', async () => {
      const index = await create();
      const first = arrival('table');
      const sameRule = (mine: Arrival) => (existing: Arrival) => isSameLeadByOtherPath(existing, mine);
      expect(await index.record(key, first, sameRule(first))).toEqual({ kind: 'recorded' });
      expect(await index.record(key, first, sameRule(first))).toEqual({ kind: 'recorded' }); // a retry of it
      const nextWeek = arrival('push', 7 * 24 * 60);
      expect(await index.record(key, nextWeek, sameRule(nextWeek))).toEqual({ kind: 'recorded' });
      const copy = arrival('table', 7 * 24 * 60 + 3);
      expect(await index.record(key, copy, sameRule(copy))).toEqual({ kind: 'same', existing: nextWeek });
    });
  },
);
