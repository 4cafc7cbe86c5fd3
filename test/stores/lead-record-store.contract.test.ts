import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { LeadId } from '../../src/domain/lead.ts';
import { createAzureLeadRecordStore } from '../../src/stores/azure/azure-lead-record-store.ts';
import { type LeadRecordStore, StaleRecordError } from '../../src/stores/lead-record-store.ts';
import { createMemoryLeadRecordStore } from '../../src/stores/memory/memory-lead-record-store.ts';
import { azureAndMemory } from '../support/azurite.ts';

// One contract for the lead record store ("post once"), run against Azurite and the in-memory twin.

const leadId = (rowKey = randomBytes(6).toString('hex')): LeadId => ({
  partitionKey: '11:2F15:2F2025',
  rowKey,
});
const at = new Date('2025-11-15T20:00:00Z');

describe.each(azureAndMemory<LeadRecordStore>(createAzureLeadRecordStore, createMemoryLeadRecordStore))(
  'LeadRecordStore contract: $name',
  ({ create }) => {
    let store: LeadRecordStore;
    beforeEach(async () => {
      store = await create();
    });

    it('lets exactly one of many simultaneous claims win; the others see the winner’s record', async () => {
      const id = leadId();
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => store.claim(id, { by: `process-${i}`, at, receivedAt: at })),
      );
      const outcomes = results.map((result) => (result.status === 'fulfilled' ? result.value : null));
      const winners = outcomes.filter((outcome) => outcome?.kind === 'claimed');
      expect(winners).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome?.kind === 'exists')).toHaveLength(7);
      const winner = winners[0]?.record.claimedBy;
      for (const outcome of outcomes) expect(outcome?.record.claimedBy).toBe(winner);
    });

    it('lets exactly one of two simultaneous take-overs win', async () => {
      const id = leadId();
      const { record } = await store.claim(id, { by: 'dead', at, receivedAt: at });
      const [a, b] = await Promise.all([
        store.takeOver(record, { by: 'a', at }),
        store.takeOver(record, { by: 'b', at }),
      ]);
      expect([a.kind, b.kind].sort()).toEqual(['claimed', 'lost']);
      expect((await store.get(id))?.attempts).toBe(2);
    });

    it('refuses to record a post on a claim that was taken over', async () => {
      const id = leadId();
      const { record } = await store.claim(id, { by: 'slow', at, receivedAt: at });
      await store.takeOver(record, { by: 'fast', at });
      await expect(store.markPosted(record, '1.1')).rejects.toBeInstanceOf(StaleRecordError);
    });

    it('keeps destination, ts and failure across reads', async () => {
      const id = leadId();
      let { record } = await store.claim(id, { by: 'p', at, receivedAt: at });
      record = await store.setDestination(record, { channel: 'C1', threadTs: '5.5', conversationKey: 'k' });
      record = await store.markFailed(record, 'channel_not_found');
      expect(await store.get(id)).toMatchObject({
        status: 'failed',
        channel: 'C1',
        threadTs: '5.5',
        conversationKey: 'k',
        lastError: 'channel_not_found',
      });
      const taken = await store.takeOver(record, { by: 'p2', at });
      if (taken.kind !== 'claimed') throw new Error('take-over lost');
      await store.markPosted(taken.record, '9.9');
      expect(await store.get(id)).toMatchObject({
        status: 'posted',
        ts: '9.9',
        lastError: null,
        claimedBy: 'p2',
      });
    });

    it('returns null for a lead it never saw', async () => {
      expect(await store.get(leadId())).toBeNull();
    });

    it('sets a lead aside once it changed no more, lists it newest first, and clears it on an admin Retry', async () => {
      const [older, newer] = [leadId(), leadId()];
      for (const [id, when] of [
        [older, at],
        [newer, new Date(at.getTime() + 60_000)],
      ] as const) {
        const { record } = await store.claim(id, { by: 'p', at, receivedAt: at });
        const failed = await store.markFailed(record, 'invalid_blocks');
        await expect(store.quarantine(record, 'stale copy', when)).rejects.toBeInstanceOf(StaleRecordError);
        await store.quarantine(failed, 'invalid_blocks, 5 times', when);
      }
      expect((await store.listQuarantined()).map((lead) => lead.id)).toEqual([newer, older]);
      expect(await store.requestRetry(leadId())).toBe(false);
      expect(await store.requestRetry(older)).toBe(true);
      expect((await store.listQuarantined()).find((lead) => lead.id.rowKey === older.rowKey)).toMatchObject({
        reason: 'invalid_blocks, 5 times',
        attempts: 1,
        retryRequested: true,
      });
      expect(await store.release(older)).toMatchObject({ status: 'failed', attempts: 0 });
      expect(await store.release(older)).toBeNull(); // released already
      expect((await store.listQuarantined()).map((lead) => lead.id)).toEqual([newer]);
    });
  },
);
