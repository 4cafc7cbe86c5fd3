import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_STAGES, type Stage } from '../../src/domain/conversation.ts';
import type { LeadId } from '../../src/domain/lead.ts';
import { createAzureConversationStore } from '../../src/stores/azure/azure-conversation-store.ts';
import { createAzureLeadRecordStore } from '../../src/stores/azure/azure-lead-record-store.ts';
import { StaleRecordError } from '../../src/stores/lead-record-store.ts';
import { freshTable } from '../support/azurite.ts';

const leadId = (rowKey = randomBytes(6).toString('hex')): LeadId => ({
  partitionKey: '11:2F15:2F2025',
  rowKey,
});
const at = new Date('2025-11-15T20:00:00Z');

describe('lead record store (Azure Tables)', () => {
  let store: ReturnType<typeof createAzureLeadRecordStore>;
  beforeEach(async () => {
    store = createAzureLeadRecordStore(await freshTable('records'));
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
});

describe('conversation store (Azure Tables)', () => {
  let store: ReturnType<typeof createAzureConversationStore>;
  beforeEach(async () => {
    store = createAzureConversationStore(await freshTable('conversations'));
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
});
