import { describe, expect, it } from 'vitest';
import { parseLeadRow } from '../../src/domain/lead.ts';
import {
  DEFAULT_ACTIVE_ACTIONS,
  deadlinesFor,
  parseActionCode,
  resolvePolicy,
  type SlaPolicy,
} from '../../src/domain/sla-policy.ts';
import { leadRow } from '../fixtures/lead-rows.ts';

const lead = (columns = {}) => parseLeadRow(leadRow(columns));

const defaults: SlaPolicy = {
  activeActions: ['PLT', 'INS', 'Create'],
  defaultSlaMinutes: 60,
  slaMinutesByAction: { Create: 30 },
  claimMinutes: 5,
  escalationFactor: 2,
  businessHours: null,
};

describe('the speed-to-lead tiers in force', () => {
  it.each([
    ['nothing set by an admin: the configured claim SLA', {}, 5],
    ['/leads unclaimed 30m', { unclaimedMinutes: 30 }, 30],
    ['/leads unclaimed off', { unclaimedMinutes: null }, null],
  ])('claim: %s', (_, settings, claimMinutes) => {
    expect(resolvePolicy(defaults, settings, null).claimMinutes).toBe(claimMinutes);
  });

  it.each([
    ['a Contact me lead: the default first-touch SLA', 'SPZA-PLT|x', 'PLT', 60],
    ['an Azure portal lead: its own', 'AzurePortal-Create|x', 'Create', 30],
  ])('first touch: %s, claim within 5 min', (_, source, action, slaMinutes) => {
    const arrived = lead({ LeadSource: source, ActionCode: action });
    const deadlines = deadlinesFor(arrived, defaults);
    expect(deadlines).toMatchObject({ slaMinutes, claimMinutes: 5 });
    expect(deadlines?.remindAt.getTime()).toBe(arrived.receivedAt.getTime() + slaMinutes * 60_000);
    expect(deadlines?.escalateAt.getTime()).toBe(arrived.receivedAt.getTime() + 2 * slaMinutes * 60_000);
  });

  it.each([
    [
      'a free trial (an action code Microsoft does not document)',
      'AzureMarketplace-FreeTrial|x',
      'FreeTrial',
    ],
    ['a code Microsoft may add tomorrow', 'SPZA-Subscribe|x', 'Subscribe'],
    ['an old Test Drive row (Test Drive is retired)', 'TestDrive-StartTestDrive|x', 'StartTestDrive'],
  ])('chases by default %s', (_, source, action) => {
    const policy = { ...defaults, activeActions: DEFAULT_ACTIVE_ACTIONS, slaMinutesByAction: { other: 240 } };
    const expected = action === 'StartTestDrive' ? 60 : 240;
    expect(deadlinesFor(lead({ LeadSource: source, ActionCode: action }), policy)?.slaMinutes).toBe(expected);
    expect(deadlinesFor(lead({ LeadSource: source, ActionCode: action }), defaults)).toBeNull();
  });

  it.each([
    ['other', 'other'],
    ['OTHER', 'other'],
    ['plt', 'PLT'],
  ])('reads the action name %s', (text, action) => {
    expect(parseActionCode(text)).toEqual({ ok: true, value: action });
  });

  it('states no tier for a do-not-contact notice', () => {
    expect(deadlinesFor(lead({ LeadSource: 'SPZA-DNC|x', ActionCode: 'DNC' }), defaults)).toBeNull();
  });
});
