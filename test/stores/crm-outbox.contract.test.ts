import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type CrmChange, crmChangeKeyOf } from '../../src/domain/crm-change.ts';
import type { CrmLookup } from '../../src/domain/crm-customer.ts';
import { crmKeyOf } from '../../src/domain/crm-lead.ts';
import { createAzureCrmLookupStore } from '../../src/stores/azure/azure-crm-lookup-store.ts';
import { createAzureCrmOutbox } from '../../src/stores/azure/azure-crm-outbox.ts';
import type { CrmLookupStore } from '../../src/stores/crm-lookup-store.ts';
import type { CrmOutbox } from '../../src/stores/crm-outbox.ts';
import { createMemoryCrmLookupStore } from '../../src/stores/memory/memory-crm-lookup-store.ts';
import { createMemoryCrmOutbox } from '../../src/stores/memory/memory-crm-outbox.ts';
import { azureAndMemory } from '../support/azurite.ts';

// One contract for the CRM outbox, run against the Azure adapter (Azurite) and the in-memory twin.

const at = new Date('2026-03-02T09:00:00Z');
const later = (seconds: number) => new Date(at.getTime() + seconds * 1000);
const aLead = () => {
  const leadId = { partitionKey: '03:2F02:2F2026', rowKey: randomBytes(6).toString('hex') };
  return { key: crmKeyOf(leadId), leadId };
};

describe.each(azureAndMemory<CrmOutbox>(createAzureCrmOutbox, createMemoryCrmOutbox))(
  'CrmOutbox contract: $name',
  ({ create }) => {
    it('queues a lead once however often it is queued, and lists it when due, oldest first', async () => {
      const outbox = await create();
      const [first, second] = [aLead(), aLead()];
      await outbox.enqueue(second.key, second.leadId, later(5));
      await Promise.all(Array.from({ length: 5 }, () => outbox.enqueue(first.key, first.leadId, at)));
      expect(await outbox.countQueued()).toBe(2);
      expect((await outbox.listDue(at, 10)).map((write) => write.key)).toEqual([first.key]);
      const due = await outbox.listDue(later(5), 10);
      expect(due.map((write) => write.key)).toEqual([first.key, second.key]);
      expect(due[0]).toMatchObject({ leadId: first.leadId, attempts: 0, lastError: null });
      expect(await outbox.listDue(later(5), 1)).toHaveLength(1);
    });

    it('of simultaneous takes of one write, exactly one wins; the write is not due until the take ends', async () => {
      const outbox = await create();
      const lead = aLead();
      await outbox.enqueue(lead.key, lead.leadId, at);
      const [write] = await outbox.listDue(at, 10);
      if (write === undefined) throw new Error('not queued');
      const takes = await Promise.all(Array.from({ length: 8 }, () => outbox.take(write, later(60))));
      const taken = takes.filter((take) => take !== null);
      expect(taken).toHaveLength(1);
      expect(taken[0]).toMatchObject({ attempts: 1, notBefore: later(60) });
      expect(await outbox.listDue(later(59), 10)).toEqual([]);
      expect(await outbox.listDue(later(60), 10)).toHaveLength(1);
    });

    it('completes a taken write: it leaves the queue and where it was written is kept', async () => {
      const outbox = await create();
      const lead = aLead();
      await outbox.enqueue(lead.key, lead.leadId, at);
      const [write] = await outbox.listDue(at, 10);
      const taken = write && (await outbox.take(write, later(60)));
      if (!taken) throw new Error('not taken');
      await outbox.complete(taken, {
        recordId: 'deal-1',
        contactId: 'c-1',
        url: 'https://crm/x',
        at: later(1),
      });
      // A process whose take had expired completes afterwards: the write left the queue, nothing changes.
      await outbox.complete(write, { recordId: 'late', contactId: null, url: null, at: later(2) });
      await outbox.setAside(write, 'late refusal', later(2));
      expect(await outbox.countQueued()).toBe(0);
      expect(await outbox.writtenOf(lead.key)).toEqual({
        key: lead.key,
        leadId: lead.leadId,
        recordId: 'deal-1',
        contactId: 'c-1',
        url: 'https://crm/x',
        at: later(1),
      });
      expect(await outbox.listSetAside()).toEqual([]);
      expect(await outbox.writtenOf('mkt-unknown')).toBeNull();
      // Queued again after it was written (a Slack retry): nothing is queued, the CRM is not written twice.
      await outbox.enqueue(lead.key, lead.leadId, later(3));
      expect(await outbox.countQueued()).toBe(0);
    });

    it('postpones a failed attempt with its error, and sets a refused write aside until an admin retries it', async () => {
      const outbox = await create();
      const lead = aLead();
      await outbox.enqueue(lead.key, lead.leadId, at);
      let [write] = await outbox.listDue(at, 10);
      let taken = write && (await outbox.take(write, later(60)));
      if (!taken) throw new Error('not taken');
      await outbox.postpone(taken, 'unavailable: 503', later(30));
      [write] = await outbox.listDue(later(30), 10);
      expect(write).toMatchObject({ attempts: 1, lastError: 'unavailable: 503', notBefore: later(30) });
      taken = write && (await outbox.take(write, later(90)));
      if (!taken) throw new Error('not taken');
      await outbox.setAside(taken, 'refused: Property "dealname" is invalid', later(31));
      expect(await outbox.countQueued()).toBe(0);
      expect(await outbox.listSetAside()).toEqual([
        {
          key: lead.key,
          leadId: lead.leadId,
          reason: 'refused: Property "dealname" is invalid',
          attempts: 2,
          at: later(31),
        },
      ]);
      const retries = await Promise.all([
        outbox.retry(lead.key, later(40)),
        outbox.retry(lead.key, later(40)),
      ]);
      expect(retries.filter(Boolean)).toHaveLength(1);
      expect(await outbox.listSetAside()).toEqual([]);
      expect(await outbox.listDue(later(40), 10)).toMatchObject([
        { key: lead.key, attempts: 0, lastError: null },
      ]);
      expect(await outbox.retry('a/b#?', later(41))).toBe(false);
    });

    it('drops a write with nothing to write', async () => {
      const outbox = await create();
      const lead = aLead();
      await outbox.enqueue(lead.key, lead.leadId, at);
      const [write] = await outbox.listDue(at, 10);
      if (!write) throw new Error('not queued');
      await outbox.drop(write);
      expect(await outbox.countQueued()).toBe(0);
      expect(await outbox.writtenOf(lead.key)).toBeNull();
    });

    it("queues a lead's changes once each, and only for a lead that was queued for the CRM", async () => {
      const outbox = await create();
      const [lead, stranger] = [aLead(), aLead()];
      await outbox.enqueue(lead.key, lead.leadId, at);
      const change = claimedBy('U0REP1', later(10));
      const key = crmChangeKeyOf(lead.key, change);
      const queued = await Promise.all(
        Array.from({ length: 4 }, () => outbox.enqueueChange(key, lead.leadId, change)),
      );
      expect(queued).toEqual([true, true, true, true]);
      const strangerChange = claimedBy('U0REP1', later(10));
      expect(
        await outbox.enqueueChange(
          crmChangeKeyOf(stranger.key, strangerChange),
          stranger.leadId,
          strangerChange,
        ),
      ).toBe(false);
      expect(await outbox.countQueued()).toBe(2);
    });

    it("lists a lead's writes one at a time, in order: its own write, then its changes as they happened", async () => {
      const outbox = await create();
      const lead = aLead();
      // The changes' clocks ran ahead of the clock that queued the lead: the lead's own write still comes first.
      await outbox.enqueue(lead.key, lead.leadId, later(30));
      const changes = [claimedBy('U0REP2', later(20)), claimedBy('U0REP1', later(10))];
      for (const change of changes)
        await outbox.enqueueChange(crmChangeKeyOf(lead.key, change), lead.leadId, change);
      const seen: (string | null)[] = [];
      for (let step = 0; step < 3; step++) {
        const due = await outbox.listDue(later(60), 10);
        expect(due).toHaveLength(1);
        const [write] = due;
        if (!write) throw new Error('nothing due');
        seen.push(write.change?.kind === 'owner' ? write.change.ownerId : null);
        const taken = await outbox.take(write, later(120));
        if (!taken) throw new Error('not taken');
        // While a write is taken, the lead's later writes wait for it (another process lists nothing).
        expect(await outbox.listDue(later(60), 10)).toEqual([]);
        await outbox.complete(taken, { recordId: 'deal-1', contactId: null, url: null, at: later(61) });
      }
      expect(seen).toEqual([null, 'U0REP1', 'U0REP2']);
      expect(await outbox.countQueued()).toBe(0);
    });

    it('sets a refused change aside with the change, and a retry puts it back in its place', async () => {
      const outbox = await create();
      const lead = aLead();
      await outbox.enqueue(lead.key, lead.leadId, at);
      const change = claimedBy('U0REP1', later(10));
      const key = crmChangeKeyOf(lead.key, change);
      await outbox.enqueueChange(key, lead.leadId, change);
      const [own] = await outbox.listDue(later(10), 10);
      const ownTaken = own && (await outbox.take(own, later(20)));
      if (!ownTaken) throw new Error('not taken');
      await outbox.complete(ownTaken, { recordId: 'deal-1', contactId: null, url: null, at: later(11) });
      const [write] = await outbox.listDue(later(12), 10);
      const taken = write && (await outbox.take(write, later(20)));
      if (!taken) throw new Error('not taken');
      await outbox.setAside(taken, 'refused: owner', later(13));
      expect(await outbox.retry(key, later(14))).toBe(true);
      expect(await outbox.listDue(later(14), 10)).toMatchObject([{ key, change, queuedAt: change.at }]);
    });
  },
);

function claimedBy(ownerId: string, when: Date): CrmChange {
  return { kind: 'owner', at: when, by: ownerId, ownerId };
}

describe.each(azureAndMemory<CrmLookupStore>(createAzureCrmLookupStore, createMemoryCrmLookupStore))(
  'CrmLookupStore contract: $name',
  ({ create }) => {
    it("keeps the CRM's first answer about a lead's customer, whatever answers race it", async () => {
      const store = await create();
      const { key } = aLead();
      expect(await store.lookupOf(key)).toBeNull();
      const known: CrmLookup = {
        found: {
          matchedBy: 'email',
          name: 'Jane <@U0BOSS> *Doe*',
          since: new Date('2024-03-04T10:00:00Z'),
          owner: { name: 'Anna Berg', email: 'anna@team.example' },
          openDeals: 2,
          url: 'https://app.hubspot.com/contacts/1/record/0-1/51',
        },
      };
      await Promise.all([store.keep(key, known), store.keep(key, { found: null })]);
      const first = await store.lookupOf(key);
      expect([known, { found: null }]).toContainEqual(first);
      await store.keep(key, first?.found === null ? known : { found: null });
      expect(await store.lookupOf(key)).toEqual(first);
      const own = aLead();
      await store.keep(own.key, known);
      expect(await store.lookupOf(own.key)).toEqual(known);
      const other = aLead();
      await store.keep(other.key, { found: null });
      expect(await store.lookupOf(other.key)).toEqual({ found: null });
    });
  },
);
