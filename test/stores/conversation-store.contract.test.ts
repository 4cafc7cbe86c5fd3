import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_STAGES, type SlaState, type Stage } from '../../src/domain/conversation.ts';
import type { LeadId } from '../../src/domain/lead.ts';
import { createAzureConversationStore } from '../../src/stores/azure/azure-conversation-store.ts';
import type { ConversationStore } from '../../src/stores/conversation-store.ts';
import { createMemoryConversationStore } from '../../src/stores/memory/memory-conversation-store.ts';
import { azureAndMemory } from '../support/azurite.ts';

// One contract for the conversation store, run against Azurite and the in-memory twin services'
// unit tests use. Conditional writes are raced: of simultaneous claims and closes exactly one wins.

const leadId = (rowKey = randomBytes(6).toString('hex')): LeadId => ({
  partitionKey: '11:2F15:2F2025',
  rowKey,
});
const at = new Date('2025-11-15T20:00:00Z');
const minutesLater = (minutes: number) => new Date(at.getTime() + minutes * 60_000);

describe.each(azureAndMemory<ConversationStore>(createAzureConversationStore, createMemoryConversationStore))(
  'ConversationStore contract: $name',
  ({ create }) => {
    let store: ConversationStore;
    beforeEach(async () => {
      store = await create();
    });

    const stage = (rowKey: string, minutes: number): Stage => ({
      leadId: leadId(rowKey),
      action: 'INS',
      channel: 'AppSource',
      at: new Date(at.getTime() + minutes * 60_000),
    });

    it('opens a conversation once, whoever asks at the same time; keys may hold any character', async () => {
      const key = 'o/dd#key?@x.example\ncontoso.offer';
      const results = await Promise.all([store.open(key, stage('a', 0)), store.open(key, stage('b', 0))]);
      expect(results.map((result) => result.kind).sort()).toEqual(['exists', 'opened']);
      expect(results[0]?.conversation.rootLeadId).toEqual(results[1]?.conversation.rootLeadId);
    });

    it('keeps every stage when several are added at once, in time order and without duplicates', async () => {
      const key = 'k@x.example\no';
      await store.open(key, stage('root', 0));
      await Promise.all([
        store.addStage(key, stage('s3', 3)),
        store.addStage(key, stage('s1', 1)),
        store.addStage(key, stage('s2', 2)),
      ]);
      await store.addStage(key, stage('s2', 2));
      const conversation = await store.get(key);
      expect(conversation?.stages.map((s) => s.leadId.rowKey)).toEqual(['root', 's1', 's2', 's3']);
    });

    it('stays writable however many leads one customer brings: the first stage and the latest are kept, the rest counted', async () => {
      const key = 'flood@x.example\no';
      await store.open(key, stage('root', 0));
      // 260 arrivals with long keys: unbounded, the list would pass a property's 64 KiB long before the end.
      const longKey = (i: number) => `push-${String(i).padStart(4, '0')}-${'f'.repeat(120)}`;
      for (let batch = 0; batch < 260; batch += 20) {
        await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.addStage(key, stage(longKey(batch + i), batch + i + 1))),
        );
      }
      const conversation = await store.get(key);
      expect(conversation?.stages).toHaveLength(MAX_STAGES);
      expect(conversation?.stages[0]?.leadId.rowKey).toBe('root');
      expect(conversation?.stages.at(-1)?.leadId.rowKey).toBe(longKey(259));
      expect(conversation?.omittedStages).toBe(261 - MAX_STAGES);
      // Still written after the flood: the next real lead is recorded.
      expect((await store.addStage(key, stage('real', 999))).stages.at(-1)?.leadId.rowKey).toBe('real');
    });

    it('moves the card to another lead only from the root it expects, whatever is written meanwhile', async () => {
      const key = 'root@x.example\no';
      await store.open(key, stage('push-1', 0));
      const [replaced, again] = await Promise.all([
        store.replaceRoot(key, leadId('push-1'), leadId('table-1')),
        store.replaceRoot(key, leadId('push-1'), leadId('table-2')),
        store.addStage(key, stage('s1', 1)),
      ]);
      const roots = [replaced?.rootLeadId.rowKey, again?.rootLeadId.rowKey];
      const conversation = await store.get(key);
      // Exactly one replacement took: both callers see the same root, and the stage added meanwhile stays.
      expect(roots[0]).toBe(roots[1]);
      expect(['table-1', 'table-2']).toContain(conversation?.rootLeadId.rowKey);
      expect(conversation?.stages.map((s) => s.leadId.rowKey)).toEqual(['push-1', 's1']);
      expect(await store.replaceRoot('nobody@x.example\no', leadId('a'), leadId('b'))).toBeNull();
    });

    it('escapes quotes and operators in filter values (OData injection returns nothing, not everything)', async () => {
      const { conversation } = await store.open('q@x.example\no', stage('root', 0));
      await store.setOwner(conversation.id, null, "U0O'NEIL", at, true);
      expect((await store.listOwnedBy("U0O'NEIL")).map((c) => c.id)).toEqual([conversation.id]);
      for (const hostile of ["x' or ownerId ne 'x", "' or 1 eq 1 or ''eq'", "U0O'NEIL' or true or '"]) {
        expect(await store.listOwnedBy(hostile)).toEqual([]);
      }
    });

    it('changes no owner of a conversation that does not exist', async () => {
      expect(await store.setOwner('f'.repeat(32), null, 'U0ANNA', at, true)).toBeNull();
      expect(await store.setOwner('not-an-id', null, 'U0ANNA', at, true)).toBeNull();
    });

    it('records the first message', async () => {
      const key = 'm@x.example\no';
      await store.open(key, stage('root', 0));
      await store.setMessage(key, 'C1', '1.2');
      expect(await store.get(key)).toMatchObject({ channel: 'C1', ts: '1.2' });
    });

    it('closes once when two people close at the same moment; the first outcome stands', async () => {
      const opened = await store.open('c@x.example\no', stage('root', 0));
      const close = (outcome: 'won' | 'lost') =>
        store.close(opened.conversation.id, { by: 'U0A', at, outcome, reason: null });
      const results = await Promise.all([close('won'), close('lost')]);
      expect(results.filter((result) => result.closedNow)).toHaveLength(1);
      const winner = results.find((result) => result.closedNow)?.conversation.closed?.outcome;
      expect((await store.getById(opened.conversation.id))?.closed?.outcome).toBe(winner);
      expect((await close('lost')).closedNow).toBe(false);
    });

    it('qualifies once, never a closed lead, and forgets it when a new lead reopens the conversation', async () => {
      const { conversation } = await store.open('q@x.example\no', stage('root', 0));
      const qualify = (by: string) => store.qualify(conversation.id, { by, at });
      const results = await Promise.all([qualify('U0A'), qualify('U0B')]);
      expect(results.filter((result) => result.qualifiedNow)).toHaveLength(1);
      await store.close(conversation.id, { by: 'U0A', at, outcome: 'lost', reason: null });
      const reopened = await store.startSla(conversation.id, {
        action: 'Create',
        minutes: 60,
        claimMinutes: 5,
        startedAt: at,
        remindAt: at,
        escalateAt: at,
      });
      expect(reopened.conversation).toMatchObject({
        closed: null,
        qualified: null,
        sla: { minutes: 60, claimMinutes: 5 },
      });
      const second = await store.open('r@x.example\no', stage('root', 0));
      await store.close(second.conversation.id, { by: 'U0A', at, outcome: 'won', reason: null });
      expect((await store.qualify(second.conversation.id, { by: 'U0A', at })).qualifiedNow).toBe(false);
    });

    const clock = (startedAt: Date, minutes = 60): SlaState => ({
      action: 'PLT',
      minutes,
      claimMinutes: 5,
      startedAt,
      remindAt: new Date(startedAt.getTime() + minutes * 60_000),
      escalateAt: new Date(startedAt.getTime() + 2 * minutes * 60_000),
    });

    it('gives a lead to exactly one of eight simultaneous claims; the others see a conflict with the winner', async () => {
      const { conversation } = await store.open('race@x.example\no', stage('root', 0));
      const claims = await Promise.all(
        Array.from({ length: 8 }, (_, i) => store.setOwner(conversation.id, null, `U0REP${i}`, at, true)),
      );
      const winners = claims.filter((claim) => claim?.kind === 'changed');
      expect(winners).toHaveLength(1);
      const owner = (await store.getById(conversation.id))?.owner;
      expect(owner).toEqual({ userId: winners[0]?.conversation.owner?.userId, since: at, accepted: true });
      for (const claim of claims.filter((c) => c?.kind === 'conflict'))
        expect(claim?.conversation.owner?.userId).toBe(owner?.userId);
      // A hand-over from the owner, then a release.
      const handedOver = await store.setOwner(
        conversation.id,
        owner?.userId ?? null,
        'U0NEXT',
        minutesLater(1),
        false,
      );
      expect(handedOver).toMatchObject({ kind: 'changed', previous: owner });
      expect(
        (await store.setOwner(conversation.id, 'U0NEXT', null, minutesLater(2), true))?.conversation.owner,
      ).toBeNull();
    });

    it('accepts an assignment once, and only for its assignee', async () => {
      const { conversation } = await store.open('accept@x.example\no', stage('root', 0));
      await store.setOwner(conversation.id, null, 'U0ANNA', at, false);
      expect((await store.accept(conversation.id, 'U0BEN'))?.acceptedNow).toBe(false);
      const results = await Promise.all([
        store.accept(conversation.id, 'U0ANNA'),
        store.accept(conversation.id, 'U0ANNA'),
      ]);
      expect(results.filter((result) => result?.acceptedNow)).toHaveLength(1);
      expect((await store.getById(conversation.id))?.owner?.accepted).toBe(true);
      expect(await store.accept('f'.repeat(32), 'U0ANNA')).toBeNull();
    });

    it('lists a clock as overdue once it passed its reminder, until a follow-up stops it; a next step is listed when due', async () => {
      const { conversation } = await store.open('clock@x.example\no', stage('root', 0));
      await store.setOwner(conversation.id, null, 'U0ANNA', at, false);
      const { started } = await store.startSla(conversation.id, clock(at));
      expect(started).toBe(true);
      // A clock already running stands: the earlier deadline is kept.
      expect((await store.startSla(conversation.id, clock(minutesLater(10)))).started).toBe(false);
      const overdue = async (minutes: number) =>
        (await store.listOverdue(minutesLater(minutes))).map((c) => c.id);
      expect(await overdue(59)).toEqual([]);
      expect(await overdue(61)).toEqual([conversation.id]);

      const followUp = {
        by: 'U0ANNA',
        at: minutesLater(62),
        kind: 'call' as const,
        note: null,
        nextStepOn: null,
      };
      const recorded = await store.recordFollowUp(conversation.id, followUp, minutesLater(120));
      expect(recorded).toMatchObject({
        followUp,
        firstFollowUpAt: followUp.at,
        nextStepDueAt: minutesLater(120),
      });
      expect(recorded.owner?.accepted).toBe(true); // the assignee's own follow-up accepts
      expect(await overdue(119)).toEqual([]);
      expect(await overdue(121)).toEqual([conversation.id]);
      await store.setNextStepDue(conversation.id, null);
      expect(await overdue(121)).toEqual([]);
      // A later follow-up keeps the first one's time (speed to lead).
      const later = await store.recordFollowUp(conversation.id, { ...followUp, at: minutesLater(200) });
      expect(later.firstFollowUpAt).toEqual(followUp.at);
    });

    it('leaves a closed lead off the overdue list, and a snooze is kept', async () => {
      const { conversation } = await store.open('closed@x.example\no', stage('root', 0));
      await store.startSla(conversation.id, clock(at));
      await store.setNextStepDue(conversation.id, minutesLater(30));
      expect((await store.snooze(conversation.id, minutesLater(90))).snoozedUntil).toEqual(minutesLater(90));
      await store.close(conversation.id, { by: 'U0A', at: minutesLater(5), outcome: 'won', reason: null });
      expect(await store.listOverdue(minutesLater(500))).toEqual([]);
    });

    it('lists by owner, owned, unclaimed and opened since', async () => {
      const first = await store.open('a@x.example\no', stage('a', 0));
      const second = await store.open('b@x.example\no', stage('b', 30));
      await store.setOwner(first.conversation.id, null, 'U0ANNA', at, true);
      const ids = (conversations: readonly { id: string }[]) => conversations.map((c) => c.id).sort();
      expect(ids(await store.listOwnedBy('U0ANNA'))).toEqual([first.conversation.id]);
      expect(ids(await store.listOwned())).toEqual([first.conversation.id]);
      expect(ids(await store.listUnclaimed())).toEqual([second.conversation.id]);
      expect(ids(await store.listOpenedSince(minutesLater(30)))).toEqual([second.conversation.id]);
      expect(ids(await store.listOpenedSince(at))).toEqual(ids([first.conversation, second.conversation]));
    });

    it('finds a conversation by its first message, and nothing by a forged or unknown id', async () => {
      const key = 'thread@x.example\no';
      const { conversation } = await store.open(key, stage('root', 0));
      await store.setMessage(key, 'C1', '1.2');
      await store.setMessage(key, 'C1', '1.2'); // idempotent
      expect((await store.findByMessage('C1', '1.2'))?.id).toBe(conversation.id);
      expect(await store.findByMessage('C1', '9.9')).toBeNull();
      expect(await store.getById("' or 1 eq 1")).toBeNull();
      expect(await store.getById('0'.repeat(32))).toBeNull();
      expect(await store.get('nobody@x.example\no')).toBeNull();
    });
  },
);
