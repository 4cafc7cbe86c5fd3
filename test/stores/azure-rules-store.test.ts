import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { type TurnDeps, takeTurn } from '../../src/services/assign-from-rotation.ts';
import { createAzureCapacityStore } from '../../src/stores/azure/azure-capacity-store.ts';
import { createAzureConversationStore } from '../../src/stores/azure/azure-conversation-store.ts';
import { createAzureRulesStore } from '../../src/stores/azure/azure-rules-store.ts';
import type { ConversationStore } from '../../src/stores/conversation-store.ts';
import { freshTable } from '../support/azurite.ts';

let store: ReturnType<typeof createAzureRulesStore>;
let turnDeps: TurnDeps;
let conversations: ConversationStore;

beforeEach(async () => {
  const [client, conversationsClient] = await Promise.all([freshTable('rules'), freshTable('conv')]);
  store = createAzureRulesStore(client);
  conversations = createAzureConversationStore(conversationsClient);
  turnDeps = {
    rules: store,
    capacity: createAzureCapacityStore(client),
    conversations,
    availability: async () => new Map(),
    clock: () => NOW,
  };
});

const NOW = new Date('2026-11-30T12:00:00Z');

/** Takes a turn as assignment does; the assignee, or null when nobody can take it. */
async function takeTurnAt(channel: string, now: Date, conversationId = randomBytes(16).toString('hex')) {
  const turn = await takeTurn(channel, conversationId, { ...turnDeps, clock: () => now });
  return turn.kind === 'taken' ? turn.userId : null;
}

/** Opens a conversation and gives it to `owner`, as an assignment would. */
async function ownedLead(owner: string, index: number): Promise<string> {
  const stage = {
    leadId: { partitionKey: 'p', rowKey: `r${index}` },
    action: 'Create' as const,
    channel: 'AzurePortal' as const,
    at: NOW,
  };
  const { conversation } = await conversations.open(`lead${index}@x.example\noffer`, stage);
  await conversations.setOwner(conversation.id, null, owner, NOW, true);
  return conversation.id;
}

describe('rules store (Azure Tables)', () => {
  it('keeps routing rules in order and returns the ones replaced', async () => {
    expect(await store.routingRules()).toEqual([]);
    const first = [{ match: { offer: 'contoso.*' }, channel: 'C1' }];
    expect(await store.setRoutingRules(first)).toEqual([]);
    const second = [{ match: { country: 'DE' }, channel: 'C2' }, ...first];
    expect(await store.setRoutingRules(second)).toEqual(first);
    expect(await store.routingRules()).toEqual(second);
  });

  it('hands out turns round-robin, each slot once, however many assignments run at once', async () => {
    await store.setRotation('CSALES', ['UA', 'UB', 'UC']);
    const assignees = await Promise.all(Array.from({ length: 9 }, () => takeTurnAt('CSALES', NOW)));
    const counts = Object.fromEntries(
      ['UA', 'UB', 'UC'].map((id) => [id, assignees.filter((assignee) => assignee === id).length]),
    );
    expect(counts).toEqual({ UA: 3, UB: 3, UC: 3 });
    // and the order goes on where it stopped
    expect([await takeTurnAt('CSALES', NOW), await takeTurnAt('CSALES', NOW)]).toEqual(['UA', 'UB']);
  });

  it('skips an away rep in every rotation they are in until their first day back, or until back', async () => {
    await store.setRotation('CSALES', ['UA', 'UB']);
    await store.setRotation('CEMEA', ['UB', 'UC']);
    const firstDayBack = new Date('2026-12-07T00:00:00Z');
    expect([...(await store.setAway('UB', firstDayBack))].sort()).toEqual(['CEMEA', 'CSALES']);
    expect([await takeTurnAt('CSALES', NOW), await takeTurnAt('CSALES', NOW)]).toEqual(['UA', 'UA']);
    expect(await takeTurnAt('CSALES', firstDayBack)).toBe('UB'); // the day they are back
    await store.setRotation('CSALES', ['UA', 'UB', 'UC']); // a new rotation keeps them away
    expect((await store.rotation('CSALES')).members[1]).toEqual({
      userId: 'UB',
      paused: false,
      awayUntil: firstDayBack,
    });
    await store.setAway('UB', null);
    expect([await takeTurnAt('CSALES', NOW), await takeTurnAt('CSALES', NOW)]).toEqual(['UA', 'UB']);
  });

  it('skips a paused rep in every rotation they are in, and resumes them', async () => {
    await store.setRotation('CSALES', ['UA', 'UB']);
    await store.setRotation('CEMEA', ['UB', 'UC']);
    await store.setRotation('COTHER', ['UC']);
    expect([...(await store.setPaused('UB', true))].sort()).toEqual(['CEMEA', 'CSALES']);
    expect([await takeTurnAt('CSALES', NOW), await takeTurnAt('CSALES', NOW)]).toEqual(['UA', 'UA']);
    await store.setPaused('UB', false);
    expect(await takeTurnAt('CSALES', NOW)).toBe('UB');
  });

  it('keeps a paused rep paused when the rotation is set again', async () => {
    await store.setRotation('CSALES', ['UA', 'UB']);
    await store.setPaused('UA', true);
    await store.setRotation('CSALES', ['UA', 'UB', 'UC']);
    expect((await store.rotation('CSALES')).members).toEqual([
      { userId: 'UA', paused: true },
      { userId: 'UB', paused: false },
      { userId: 'UC', paused: false },
    ]);
  });

  it('has no turn for a channel without a rotation, or with everyone paused', async () => {
    expect(await takeTurnAt('CNONE', NOW)).toBeNull();
    await store.setRotation('CSALES', ['UA']);
    await store.setPaused('UA', true);
    expect(await takeTurnAt('CSALES', NOW)).toBeNull();
  });

  it('keeps both edits when two admins change the routing rules at the same moment', async () => {
    await store.setRoutingRules([{ match: { offer: 'a*' }, channel: 'C1' }]);
    const add = (channel: string) =>
      store.updateRoutingRules((rules) => [...rules, { match: { country: channel }, channel }]);
    const results = await Promise.allSettled([add('C2'), add('C3'), add('C4')]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    const channels = (await store.routingRules()).map((rule) => rule.channel);
    expect([...channels].sort()).toEqual(['C1', 'C2', 'C3', 'C4']);
    expect(channels[0]).toBe('C1');
  });

  it('writes nothing when an edit refuses', async () => {
    const rules = [{ match: { offer: 'a*' }, channel: 'C1' }];
    await store.setRoutingRules(rules);
    await expect(
      store.updateRoutingRules(() => {
        throw new Error('no such rule');
      }),
    ).rejects.toThrow('no such rule');
    expect(await store.routingRules()).toEqual(rules);
  });

  it('lists every rotation, whatever its channel', async () => {
    await store.setRotation('CSALES', ['UA', 'UB']);
    await store.setRotation('CEMPTY', []);
    await store.setRotation('CNOROUTE', ['UC']);
    expect(await store.rotations()).toEqual({
      CSALES: [
        { userId: 'UA', paused: false },
        { userId: 'UB', paused: false },
      ],
      CNOROUTE: [{ userId: 'UC', paused: false }],
    });
  });

  it('gives a rep with weight 2 twice the turns of the others, spread over the round', async () => {
    await store.setRotation('CSALES', ['UA', 'UB', 'UC']);
    expect(await store.updateMember('CSALES', 'UA', (member) => ({ ...member, weight: 2 }))).toBe(true);
    const order: Array<string | null> = [];
    for (let turn = 0; turn < 8; turn++) order.push(await takeTurnAt('CSALES', NOW));
    expect(order).toEqual(['UA', 'UB', 'UC', 'UA', 'UA', 'UB', 'UC', 'UA']);
    expect(await store.updateMember('CSALES', 'UZ', (member) => member)).toBe(false);
  });

  it('skips a rep at their cap, counting the open leads they own in any channel', async () => {
    await store.setRotation('CSALES', ['UA', 'UB']);
    await store.updateMember('CSALES', 'UA', (member) => ({ ...member, cap: 2 }));
    await ownedLead('UA', 1);
    await ownedLead('UA', 2);
    const turn = await takeTurn('CSALES', 'c'.repeat(32), turnDeps);
    expect(turn).toMatchObject({
      kind: 'taken',
      userId: 'UB',
      skipped: [{ userId: 'UA', reason: { kind: 'full', open: 2, cap: 2 } }],
    });
  });

  it('never takes a rep past their cap, however many leads are assigned at once', async () => {
    await store.setRotation('CSALES', ['UA', 'UB', 'UC']);
    for (const rep of ['UA', 'UB', 'UC'])
      await store.updateMember('CSALES', rep, (member) => ({ ...member, cap: 3 }));
    await ownedLead('UA', 1); // UA has room for two more
    // Twelve leads at once, each its own assignment (as several processes would run them).
    const assignees = await Promise.all(Array.from({ length: 12 }, () => takeTurnAt('CSALES', NOW)));
    const count = (rep: string | null) => assignees.filter((assignee) => assignee === rep).length;
    expect([count('UA'), count('UB'), count('UC')]).toEqual([2, 3, 3]);
    expect(count(null)).toBe(4); // everyone full: those leads wait to be claimed
  });

  it('gives each turn once when two processes read the rotation at the same version', async () => {
    await store.setRotation('CSALES', ['UA', 'UB']);
    const read = await store.readTurn('CSALES');
    if (read === null) throw new Error('no rotation');
    const writes = await Promise.all([
      store.advanceTurn('CSALES', read.version, 1),
      store.advanceTurn('CSALES', read.version, 1),
    ]);
    expect(writes.filter(Boolean)).toHaveLength(1);
  });

  it('keeps the time to accept with the rotation; a channel without one refuses it', async () => {
    expect(await store.setAcceptance('CNONE', { minutes: 15, maxHops: 2 })).toBe(false);
    await store.setRotation('CSALES', ['UA']);
    expect(await store.setAcceptance('CSALES', { minutes: 15, maxHops: 2 })).toBe(true);
    expect((await store.rotation('CSALES')).acceptance).toEqual({ minutes: 15, maxHops: 2 });
    await store.setAcceptance('CSALES', null);
    expect((await store.rotation('CSALES')).acceptance).toBeNull();
  });
});
