import { describe, expect, it } from 'vitest';
import { createAzureCapacityStore } from '../../src/stores/azure/azure-capacity-store.ts';
import { createAzureRulesStore } from '../../src/stores/azure/azure-rules-store.ts';
import { createAzureSettingsStore } from '../../src/stores/azure/azure-settings-store.ts';
import type { CapacityStore } from '../../src/stores/capacity-store.ts';
import { createMemoryCapacityStore } from '../../src/stores/memory/memory-capacity-store.ts';
import { createMemoryRulesStore } from '../../src/stores/memory/memory-rules-store.ts';
import { createMemorySettingsStore } from '../../src/stores/memory/memory-settings-store.ts';
import type { RulesStore } from '../../src/stores/rules-store.ts';
import type { SettingsStore } from '../../src/stores/settings-store.ts';
import { freshTable } from '../support/azurite.ts';

// One contract per port, run against every implementation with no per-implementation branch: the Azure
// adapter (against Azurite) and the in-memory twin services' unit tests use.

const rulesStores: Array<{ name: string; create: () => Promise<RulesStore> }> = [
  { name: 'Azure Tables', create: async () => createAzureRulesStore(await freshTable('rules')) },
  { name: 'memory', create: async () => createMemoryRulesStore() },
];

const settingsStores: Array<{ name: string; create: () => Promise<SettingsStore> }> = [
  { name: 'Azure Tables', create: async () => createAzureSettingsStore(await freshTable('settings')) },
  { name: 'memory', create: async () => createMemorySettingsStore() },
];

const capacityStores: Array<{ name: string; create: () => Promise<CapacityStore> }> = [
  { name: 'Azure Tables', create: async () => createAzureCapacityStore(await freshTable('capacity')) },
  { name: 'memory', create: async () => createMemoryCapacityStore() },
];

describe.each(rulesStores)('RulesStore contract: $name', ({ create }) => {
  it('keeps the CRM field map: empty at first, replaced whole, the one it replaced returned', async () => {
    const store = await create();
    expect(await store.crmFieldMap()).toEqual({});
    expect(await store.setCrmFieldMap({ offer: 'marketplace_offer' })).toEqual({});
    expect(
      await store.setCrmFieldMap({ action: 'marketplace_action', country: 'marketplace_country' }),
    ).toEqual({ offer: 'marketplace_offer' });
    expect(await store.crmFieldMap()).toEqual({
      action: 'marketplace_action',
      country: 'marketplace_country',
    });
  });

  it('replaces routing rules and answers the ones replaced; an edit sees the current rules', async () => {
    const store = await create();
    expect(await store.routingRules()).toEqual([]);
    const first = [{ match: { country: 'DE' }, channel: 'C0GERMANY1' }];
    expect(await store.setRoutingRules(first)).toEqual([]);
    const edited = await store.updateRoutingRules((current) => [
      ...current,
      { match: { offer: 'contoso.*' }, channel: 'C0SALES001' },
    ]);
    expect(edited.before).toEqual(first);
    expect(await store.routingRules()).toEqual(edited.after);
    expect(edited.after).toHaveLength(2);
  });

  it('keeps a rep paused or away when their rotation is set again, and lists rotations with members', async () => {
    const store = await create();
    await store.setRotation('C0SALES001', ['U0ANNA0001', 'U0BEN00001']);
    const until = new Date('2027-01-04T00:00:00Z');
    expect(await store.setPaused('U0ANNA0001', true)).toEqual(['C0SALES001']);
    expect(await store.setAway('U0BEN00001', until)).toEqual(['C0SALES001']);
    await store.setRotation('C0SALES001', ['U0BEN00001', 'U0ANNA0001', 'U0CARL0001']);
    expect((await store.rotation('C0SALES001')).members).toEqual([
      { userId: 'U0BEN00001', paused: false, awayUntil: until },
      { userId: 'U0ANNA0001', paused: true },
      { userId: 'U0CARL0001', paused: false },
    ]);
    await store.setRotation('C0EMPTY001', []);
    expect(Object.keys(await store.rotations())).toEqual(['C0SALES001']);
    expect(await store.rotation('C0NONE0001')).toEqual({
      channel: 'C0NONE0001',
      members: [],
      next: 0,
      acceptance: null,
    });
  });

  it('writes a rotation whole with replaceRotation: members as given, acceptance, the turn at the first rep', async () => {
    const store = await create();
    const members = [
      { userId: 'U0ANNA0001', paused: false, weight: 2, cap: 5 },
      { userId: 'U0BEN00001', paused: true },
    ];
    await store.replaceRotation('C0SALES001', members, { minutes: 15, maxHops: 2 });
    expect(await store.rotation('C0SALES001')).toEqual({
      channel: 'C0SALES001',
      members,
      next: 0,
      acceptance: { minutes: 15, maxHops: 2 },
    });
    expect(await store.updateMember('C0SALES001', 'U0BEN00001', (m) => ({ ...m, paused: false }))).toBe(true);
    expect(await store.updateMember('C0SALES001', 'U0NOBODY01', (m) => m)).toBe(false);
    expect(await store.setAcceptance('C0SALES001', null)).toBe(true);
    expect(await store.setAcceptance('C0NONE0001', { minutes: 5, maxHops: 1 })).toBe(false);
    expect((await store.rotation('C0SALES001')).acceptance).toBeNull();
  });

  it('moves the turn only from the version it was read at: of two advances at once, one wins', async () => {
    const store = await create();
    expect(await store.readTurn('C0SALES001')).toBeNull();
    await store.setRotation('C0SALES001', ['U0ANNA0001', 'U0BEN00001', 'U0CARL0001']);
    const turn = await store.readTurn('C0SALES001');
    if (turn === null) throw new Error('no rotation');
    const outcomes = await Promise.all([
      store.advanceTurn('C0SALES001', turn.version, 1),
      store.advanceTurn('C0SALES001', turn.version, 2),
    ]);
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect((await store.rotation('C0SALES001')).next).toBe(outcomes[0] ? 1 : 2);
    expect(await store.advanceTurn('C0SALES001', turn.version, 0)).toBe(false);
  });
});

describe.each(settingsStores)('SettingsStore contract: $name', ({ create }) => {
  it('starts empty, and answers each change with the settings before and after it', async () => {
    const store = await create();
    expect(await store.get()).toEqual({});
    const changed = await store.update((current) => ({ ...current, staleMinutes: 60 }));
    expect(changed).toEqual({ before: {}, after: { staleMinutes: 60 } });
    expect(await store.get()).toEqual({ staleMinutes: 60 });
  });

  it('keeps every change when several are made at once', async () => {
    const store = await create();
    await Promise.all(
      ['U0A', 'U0B', 'U0C', 'U0D'].map((admin) =>
        store.update((current) => ({ ...current, admins: [...(current.admins ?? []), admin] })),
      ),
    );
    expect([...((await store.get()).admins ?? [])].sort()).toEqual(['U0A', 'U0B', 'U0C', 'U0D']);
  });
});

describe.each(capacityStores)('CapacityStore contract: $name', ({ create }) => {
  const now = new Date('2026-12-01T10:00:00Z');
  const request = (conversationId: string, openLeads: string[] = [], at = now) => ({
    userId: 'U0ANNA0001',
    conversationId,
    cap: 3,
    openLeads,
    now: at,
    holdMs: 60_000,
  });

  it('holds places up to the cap, counting open leads; the same lead again is a retry', async () => {
    const store = await create();
    expect(await store.reserve(request('c1', ['open1']))).toEqual({ ok: true });
    expect(await store.reserve(request('c1', ['open1']))).toEqual({ ok: true });
    expect(await store.reserve(request('c2', ['open1']))).toEqual({ ok: true });
    expect(await store.reserve(request('c3', ['open1']))).toEqual({ ok: false, load: 3, held: 2 });
  });

  it('lets a place go on release, and after its hold lapses', async () => {
    const store = await create();
    for (const id of ['c1', 'c2', 'c3']) await store.reserve(request(id));
    await store.release('U0ANNA0001', 'c1');
    expect(await store.reserve(request('c4'))).toEqual({ ok: true });
    expect(await store.reserve(request('c5', [], new Date(now.getTime() + 61_000)))).toEqual({ ok: true });
  });

  it('never passes the cap, however many reserve at once', async () => {
    const store = await create();
    const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => store.reserve(request(`c${i}`))));
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(3);
  });
});
