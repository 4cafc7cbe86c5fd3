import { describe, expect, it } from 'vitest';
import type { OwnershipEvent } from '../../src/domain/ownership.ts';
import {
  type ConversationFacts,
  type PipelineFacts,
  percentile,
  pipelineFigures,
  type RepFairness,
  rotationFairness,
  type SpeedFacts,
  slaOutcome,
  speedShares,
  teamFigures,
} from '../../src/domain/stats.ts';

const t = (hours: number) => new Date(Date.UTC(2026, 0, 5) + hours * 3_600_000);
const NOW = t(100);

function facts(
  partial: Partial<ConversationFacts> & { arrived?: number; followedUp?: number },
): ConversationFacts {
  const arrived = partial.arrived ?? 0;
  const followedUp = partial.followedUp;
  return {
    owner: partial.owner === undefined ? 'U0ANNA' : partial.owner,
    stages: partial.stages ?? [{ action: 'Create', channel: 'AzurePortal', at: t(arrived) }],
    firstFollowUpAt: followedUp === undefined ? null : t(followedUp),
    followUp: followedUp === undefined ? null : { at: t(followedUp) },
    sla: partial.sla === undefined ? { startedAt: t(arrived), remindAt: t(arrived + 24) } : partial.sla,
  };
}

describe('percentile (nearest rank)', () => {
  it.each([
    [[], 50, null],
    [[5], 50, 5],
    [[5], 90, 5],
    [[1, 2, 3, 4], 50, 2],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90, 9],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50, 5],
    [[10, 20, 30], 90, 30],
  ])('%j p%i → %j', (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });
});

describe('slaOutcome', () => {
  it.each([
    ['followed up before the deadline', facts({ followedUp: 2 }), 'hit'],
    ['followed up exactly at the deadline', facts({ followedUp: 24 }), 'hit'],
    ['followed up a minute late', facts({ followedUp: 24.02 }), 'missed'],
    ['not followed up, deadline passed', facts({}), 'missed'],
    ['not followed up, deadline ahead', facts({ arrived: 90 }), 'pending'],
    [
      'a follow-up from before the active lead does not count',
      facts({ arrived: 10, followedUp: 5 }),
      'missed',
    ],
    ['no SLA (not an active lead)', facts({ sla: null }), null],
  ])('%s → %s', (_, conversation, outcome) => {
    expect(slaOutcome(conversation, NOW)).toBe(outcome);
  });
});

describe('teamFigures', () => {
  it('counts leads by source and action, speed to lead, SLA hit rate, per rep', () => {
    const figures = teamFigures(
      [
        facts({ owner: 'U0ANNA', followedUp: 1 }),
        facts({ owner: 'U0ANNA', followedUp: 3 }),
        facts({ owner: 'U0BEN', followedUp: 30 }),
        facts({
          owner: null,
          sla: null,
          stages: [
            { action: 'PLT', channel: 'AppSource', at: t(1) },
            { action: 'INS', channel: 'AppSource', at: t(2) },
          ],
        }),
      ],
      t(0),
      NOW,
    );
    expect(figures).toMatchObject({
      leads: 5,
      bySource: { AzurePortal: 3, AppSource: 2 },
      byAction: { Create: 3, PLT: 1, INS: 1 },
      speed: { count: 3, medianMinutes: 180, p90Minutes: 1800 },
      sla: { hit: 2, missed: 1, pending: 0, rate: 2 / 3 },
    });
    expect(figures.perRep).toEqual([
      {
        rep: 'U0ANNA',
        conversations: 2,
        speed: { count: 2, medianMinutes: 60, p90Minutes: 180 },
        sla: { hit: 2, missed: 0, pending: 0, rate: 1 },
      },
      {
        rep: 'U0BEN',
        conversations: 1,
        speed: { count: 1, medianMinutes: 1800, p90Minutes: 1800 },
        sla: { hit: 0, missed: 1, pending: 0, rate: 0 },
      },
    ]);
  });

  it('has no rates when nothing was decided', () => {
    expect(teamFigures([], t(0), NOW)).toMatchObject({
      leads: 0,
      speed: { count: 0, medianMinutes: null },
      sla: { rate: null },
    });
  });
});

describe('rotationFairness', () => {
  const at = new Date('2026-11-30T10:00:00Z');
  const event = (
    kind: OwnershipEvent['kind'],
    from: string | null,
    to: string | null,
    extra: Partial<OwnershipEvent> = {},
  ): OwnershipEvent => ({
    conversationId: 'c',
    kind,
    by: kind === 'accept' ? (to ?? '') : 'rotation',
    from,
    to,
    at,
    ...extra,
  });
  it.each([
    ['no history', [], []],
    [
      'an assignment accepted',
      [event('assign', null, 'UA'), event('accept', 'UA', 'UA')],
      [{ rep: 'UA', assigned: 1, accepted: 1, passedOn: 0, skipped: {} }],
    ],
    [
      'a pass, with the reps skipped on the way',
      [
        event('assign', null, 'UA', { skipped: [{ userId: 'UB', reason: { kind: 'paused' } }] }),
        event('pass', 'UA', 'UC', {
          reason: { kind: 'notAccepted', minutes: 15 },
          skipped: [
            { userId: 'UB', reason: { kind: 'full', open: 3, cap: 3 } },
            { userId: 'UA', reason: { kind: 'passed' } },
          ],
        }),
      ],
      [
        { rep: 'UA', assigned: 1, accepted: 0, passedOn: 1, skipped: { passed: 1 } },
        { rep: 'UC', assigned: 1, accepted: 0, passedOn: 0, skipped: {} },
        { rep: 'UB', assigned: 0, accepted: 0, passedOn: 0, skipped: { paused: 1, full: 1 } },
      ],
    ],
    [
      'claims and hand-overs are people, not the rotation',
      [event('claim', null, 'UA'), event('handover', 'UA', 'UB')],
      [],
    ],
  ] as Array<[string, OwnershipEvent[], RepFairness[]]>)('%s', (_, events, expected) => {
    expect(rotationFairness(events)).toEqual(expected);
  });
});

describe('pipelineFigures', () => {
  const NOON = new Date('2026-11-30T12:00:00Z');
  const minutesAfter = (base: Date, minutes: number) => new Date(base.getTime() + minutes * 60_000);
  const lead = (over: Partial<PipelineFacts> = {}): PipelineFacts => ({
    owner: 'UA',
    ownerSince: NOON,
    channel: 'C1',
    offer: 'contoso.x',
    stages: [{ action: 'PLT', channel: 'AppSource', at: NOON }],
    firstFollowUpAt: null,
    followUp: null,
    sla: null,
    closed: null,
    qualified: null,
    nextStepDueAt: null,
    ...over,
  });
  const won = (minutes: number) => ({ at: minutesAfter(NOON, minutes), outcome: 'won' as const });
  const lost = (minutes: number) => ({ at: minutesAfter(NOON, minutes), outcome: 'lost' as const });

  it('puts each first follow-up in its band, at the band edges too', () => {
    const leads = [0, 4, 5, 14, 15, 59, 60, 1439, 1440, 5000].map((minutes) =>
      lead({ firstFollowUpAt: minutesAfter(NOON, minutes) }),
    );
    const figures = pipelineFigures(leads, NOON, () => null);
    expect(figures.firstFollowUp.bands).toEqual({
      'under 5 min': 2,
      '5–15 min': 2,
      '15–60 min': 2,
      '1–24 h': 2,
      'over 24 h': 2,
    });
    expect(figures.firstFollowUp).toMatchObject({ count: 10, medianMinutes: 15, p90Minutes: 1440 });
  });

  it.each([
    ['nothing closed', [lead(), lead()], { leads: 2, closed: 0, won: 0, wonOfClosed: null, wonOfAll: 0 }],
    [
      'one won of two closed, of four',
      [lead({ closed: won(60) }), lead({ closed: lost(30) }), lead(), lead()],
      { leads: 4, closed: 2, won: 1, wonOfClosed: 0.5, wonOfAll: 0.25 },
    ],
    ['no leads', [], { leads: 0, closed: 0, won: 0, wonOfClosed: null, wonOfAll: null }],
  ])('conversion: %s', (_, leads, expected) => {
    expect(pipelineFigures(leads, NOON, () => null).conversion.all).toEqual(expected);
  });

  it('compares conversion by source, action, offer and rep, and times closing', () => {
    const figures = pipelineFigures(
      [
        lead({ closed: won(120) }),
        lead({
          owner: 'UB',
          offer: 'contoso.y',
          closed: lost(60),
          stages: [{ action: 'Create', channel: 'AzurePortal', at: NOON }],
        }),
        lead({ owner: null, offer: null }),
      ],
      NOON,
      () => null,
    );
    expect(figures.conversion.bySource).toMatchObject({
      AppSource: { leads: 2, won: 1 },
      AzurePortal: { leads: 1, won: 0, closed: 1 },
    });
    expect(figures.conversion.byAction).toMatchObject({ PLT: { leads: 2 }, Create: { leads: 1 } });
    expect(figures.conversion.byOffer).toMatchObject({
      'contoso.x': { wonOfClosed: 1 },
      'contoso.y': { wonOfClosed: 0 },
      'unknown offer': { leads: 1 },
    });
    expect(figures.conversion.byRep).toMatchObject({
      UA: { won: 1 },
      UB: { won: 0 },
      unassigned: { leads: 1 },
    });
    expect(figures.timeToClose).toEqual({ count: 2, medianMinutes: 60, p90Minutes: 120 });
  });

  it('counts the owned, open leads stale now, by their channel’s stale time', () => {
    const later = minutesAfter(NOON, 120);
    const figures = pipelineFigures(
      [
        lead(), // quiet for 2 hours: stale at 1 hour
        lead({ channel: 'C2' }), // C2 has no stale time
        lead({ followUp: { at: minutesAfter(NOON, 90) } }), // active 30 minutes ago
        lead({ nextStepDueAt: minutesAfter(NOON, 180) }), // a next step ahead
        lead({ closed: lost(10) }),
        lead({ owner: null }),
      ],
      later,
      (channel) => (channel === 'C1' ? 60 : null),
    );
    expect(figures.stale).toBe(1);
  });
});

describe('speedShares', () => {
  const minute = 60_000;
  const start = t(0);
  const at = (minutes: number) => new Date(start.getTime() + minutes * minute);
  const lead = (options: {
    claimed?: number;
    touched?: number;
    owner?: string | null;
    action?: 'PLT' | 'Create' | 'DNC';
  }): SpeedFacts => ({
    owner: options.owner === undefined ? 'U0ANNA' : options.owner,
    stages: [{ action: options.action ?? 'PLT', channel: 'AppSource', at: start }],
    firstFollowUpAt: options.touched === undefined ? null : at(options.touched),
    followUp: options.touched === undefined ? null : { at: at(options.touched) },
    sla: null,
    firstOwnedAt: options.claimed === undefined ? null : at(options.claimed),
  });

  it.each([
    {
      name: 'claimed in 5 min, touched in 1 h',
      lead: { claimed: 5, touched: 60 },
      now: 2000,
      met: ['claimed', 'touchedIn1h', 'touchedIn24h'],
      missed: [],
      pending: [],
    },
    {
      name: 'claimed at 6 min, touched at 61 min',
      lead: { claimed: 6, touched: 61 },
      now: 2000,
      met: ['touchedIn24h'],
      missed: ['claimed', 'touchedIn1h'],
      pending: [],
    },
    {
      name: 'unclaimed at 4 min',
      lead: { owner: null },
      now: 4,
      met: [],
      missed: [],
      pending: ['claimed', 'touchedIn1h', 'touchedIn24h'],
    },
    {
      name: 'unclaimed and untouched at 2 h',
      lead: { owner: null },
      now: 120,
      met: [],
      missed: ['claimed', 'touchedIn1h'],
      pending: ['touchedIn24h'],
    },
    {
      name: 'touched after a day',
      lead: { claimed: 1, touched: 1441 },
      now: 3000,
      met: ['claimed'],
      missed: ['touchedIn1h', 'touchedIn24h'],
      pending: [],
    },
  ] as const)('$name', ({ lead: options, now, met, missed, pending }) => {
    const { all } = speedShares([lead(options)], at(now));
    for (const tier of ['claimed', 'touchedIn1h', 'touchedIn24h'] as const) {
      const expected = (met as readonly string[]).includes(tier)
        ? 'met'
        : (missed as readonly string[]).includes(tier)
          ? 'missed'
          : 'pending';
      expect({ tier, outcome: Object.entries(all[tier]).find(([, count]) => count === 1)?.[0] }).toEqual({
        tier,
        outcome: expected,
      });
    }
    expect(pending.length + met.length + missed.length).toBe(3);
  });

  it('shares decided leads by team, rep and action; DNC leads are not counted', () => {
    const shares = speedShares(
      [
        lead({ claimed: 2, touched: 30, owner: 'U0ANNA', action: 'PLT' }),
        lead({ claimed: 20, touched: 300, owner: 'U0BEN', action: 'Create' }),
        lead({ claimed: 1, owner: 'U0ANNA', action: 'Create' }),
        lead({ owner: null, action: 'DNC' }),
      ],
      at(400),
    );
    expect(shares.all.claimed).toEqual({ met: 2, missed: 1, pending: 0, share: 2 / 3 });
    expect(shares.all.touchedIn1h).toEqual({ met: 1, missed: 2, pending: 0, share: 1 / 3 });
    expect(shares.all.touchedIn24h).toEqual({ met: 2, missed: 0, pending: 1, share: 1 });
    expect(shares.byRep.U0ANNA?.claimed).toEqual({ met: 2, missed: 0, pending: 0, share: 1 });
    expect(shares.byRep.U0BEN?.claimed.share).toBe(0);
    expect(Object.keys(shares.byAction).sort()).toEqual(['Create', 'PLT']);
    expect(shares.byAction.Create?.touchedIn1h).toEqual({ met: 0, missed: 2, pending: 0, share: 0 });
  });
});
