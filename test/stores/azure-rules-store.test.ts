import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { createAzureRulesStore } from '../../src/stores/azure/azure-rules-store.ts';
import { createTableClient } from '../../src/stores/azure/tables.ts';

let store: ReturnType<typeof createAzureRulesStore>;

beforeEach(async () => {
  const client = createTableClient(inject('azureConnectionString'), `rules${randomBytes(4).toString('hex')}`);
  await client.createTable();
  store = createAzureRulesStore(client);
});

const NOW = new Date('2026-11-30T12:00:00Z');

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
    const assignees = await Promise.all(Array.from({ length: 9 }, () => store.takeTurn('CSALES', NOW)));
    const counts = Object.fromEntries(
      ['UA', 'UB', 'UC'].map((id) => [id, assignees.filter((a) => a === id).length]),
    );
    expect(counts).toEqual({ UA: 3, UB: 3, UC: 3 });
    // and the order goes on where it stopped
    expect([await store.takeTurn('CSALES', NOW), await store.takeTurn('CSALES', NOW)]).toEqual(['UA', 'UB']);
  });

  it('skips an away rep in every rotation they are in until their first day back, or until back', async () => {
    await store.setRotation('CSALES', ['UA', 'UB']);
    await store.setRotation('CEMEA', ['UB', 'UC']);
    const firstDayBack = new Date('2026-12-07T00:00:00Z');
    expect([...(await store.setAway('UB', firstDayBack))].sort()).toEqual(['CEMEA', 'CSALES']);
    expect([await store.takeTurn('CSALES', NOW), await store.takeTurn('CSALES', NOW)]).toEqual(['UA', 'UA']);
    expect(await store.takeTurn('CSALES', firstDayBack)).toBe('UB'); // the day they are back
    await store.setRotation('CSALES', ['UA', 'UB', 'UC']); // a new rotation keeps them away
    expect((await store.rotation('CSALES')).members[1]).toEqual({
      userId: 'UB',
      paused: false,
      awayUntil: firstDayBack,
    });
    await store.setAway('UB', null);
    expect([await store.takeTurn('CSALES', NOW), await store.takeTurn('CSALES', NOW)]).toEqual(['UA', 'UB']);
  });

  it('skips a paused rep in every rotation they are in, and resumes them', async () => {
    await store.setRotation('CSALES', ['UA', 'UB']);
    await store.setRotation('CEMEA', ['UB', 'UC']);
    await store.setRotation('COTHER', ['UC']);
    expect([...(await store.setPaused('UB', true))].sort()).toEqual(['CEMEA', 'CSALES']);
    expect([await store.takeTurn('CSALES', NOW), await store.takeTurn('CSALES', NOW)]).toEqual(['UA', 'UA']);
    await store.setPaused('UB', false);
    expect(await store.takeTurn('CSALES', NOW)).toBe('UB');
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
    expect(await store.takeTurn('CNONE', NOW)).toBeNull();
    await store.setRotation('CSALES', ['UA']);
    await store.setPaused('UA', true);
    expect(await store.takeTurn('CSALES', NOW)).toBeNull();
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
});
