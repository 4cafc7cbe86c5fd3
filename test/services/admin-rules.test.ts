import { describe, expect, it } from 'vitest';
import { MAX_ROTATION_REPS, MAX_ROUTES } from '../../src/domain/rules-document.ts';
import { type AdminDeps, AdminInputError, admin } from '../../src/services/admin-rules.ts';
import { createMemoryRulesStore } from '../../src/stores/memory/memory-rules-store.ts';
import { createMemorySettingsStore } from '../../src/stores/memory/memory-settings-store.ts';
import { ADMIN_DEFAULTS } from '../fixtures/admin-defaults.ts';

// The admin service over the in-memory stores: no Azurite, no Slack.
function adminDeps(): AdminDeps {
  return {
    rules: createMemoryRulesStore(),
    settings: createMemorySettingsStore(),
    clock: () => new Date('2026-12-01T10:00:00Z'),
    defaults: ADMIN_DEFAULTS,
  };
}

describe('admin rules: every list an admin grows stays bounded', () => {
  it(`refuses a routing rule past ${MAX_ROUTES}, changing nothing`, async () => {
    const deps = adminDeps();
    const rules = Array.from({ length: MAX_ROUTES }, (_, i) => ({
      match: { offer: `offer-${i}` },
      channel: 'C0SALES001',
    }));
    await deps.rules.setRoutingRules(rules);
    await expect(admin.addRoute(deps, { match: { country: 'DE' }, channel: 'C0GERMANY1' })).rejects.toThrow(
      AdminInputError,
    );
    expect(await deps.rules.routingRules()).toHaveLength(MAX_ROUTES);
  });

  it(`refuses a rotation of more than ${MAX_ROTATION_REPS} reps, changing nothing`, async () => {
    const deps = adminDeps();
    const reps = Array.from({ length: MAX_ROTATION_REPS + 1 }, (_, i) => `U${String(i).padStart(9, '0')}`);
    await expect(admin.setRotation(deps, 'C0SALES001', reps)).rejects.toThrow(AdminInputError);
    expect((await deps.rules.rotation('C0SALES001')).members).toEqual([]);
    await admin.setRotation(deps, 'C0SALES001', reps.slice(0, MAX_ROTATION_REPS));
    expect((await deps.rules.rotation('C0SALES001')).members).toHaveLength(MAX_ROTATION_REPS);
  });
});

describe('admin rules: the speed-to-lead tiers', () => {
  const tiered = { ...ADMIN_DEFAULTS, sla: { ...ADMIN_DEFAULTS.sla, claimMinutes: 5 } };

  it('exports the tiers in force, and an import sets them, saying what they were', async () => {
    const deps = { ...adminDeps(), defaults: tiered };
    expect((await admin.exportRules(deps)).sla).toEqual({
      claimMinutes: 5,
      firstTouchMinutes: { Create: 60 },
    });
    const change = await admin.importRules(deps, {
      routes: [],
      rotations: {},
      acceptance: {},
      sla: { claimMinutes: null, firstTouchMinutes: { Create: 30, PLT: 15 } },
    });
    expect(change.sla).toEqual({
      before: { claimMinutes: 5, firstTouchMinutes: { Create: 60 } },
      after: { claimMinutes: null, firstTouchMinutes: { Create: 30 } },
    });
    expect(await deps.settings.get()).toMatchObject({
      unclaimedMinutes: null,
      slaMinutesByAction: { Create: 30, PLT: 15 },
    });
    expect((await admin.overview(deps)).speedTiers.claimMinutes).toBeNull();
  });

  it('leaves the tiers alone when the document does not name them', async () => {
    const deps = { ...adminDeps(), defaults: tiered };
    await admin.setUnclaimed(deps, 15);
    const change = await admin.importRules(deps, { routes: [], rotations: {}, acceptance: {} });
    expect(change.sla).toBeNull();
    expect((await admin.overview(deps)).speedTiers.claimMinutes).toBe(15);
  });

  it('puts the tiers back when a later write of the import fails', async () => {
    const deps = { ...adminDeps(), defaults: tiered };
    const failing: AdminDeps = {
      ...deps,
      rules: {
        ...deps.rules,
        replaceRotation: async () => {
          throw new Error('the table service is down');
        },
      },
    };
    await expect(
      admin.importRules(failing, {
        routes: [],
        rotations: { C0SALES001: [{ userId: 'U0ANNA0001' }] },
        acceptance: {},
        sla: { claimMinutes: 60, firstTouchMinutes: { Create: 240 } },
      }),
    ).rejects.toThrow(/could not|down|import/i);
    expect((await admin.overview(deps)).speedTiers.claimMinutes).toBe(5);
    expect((await deps.settings.get()).slaMinutesByAction).toBeUndefined();
  });

  it('/leads sla claim: the claim SLA over the configured one, and off', async () => {
    const deps = { ...adminDeps(), defaults: tiered };
    expect(await admin.setUnclaimed(deps, 15)).toEqual({ kind: 'unclaimed', before: 5, after: 15 });
    expect(await admin.setUnclaimed(deps, null)).toEqual({ kind: 'unclaimed', before: 15, after: null });
  });
});
