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
