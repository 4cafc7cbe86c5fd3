import { describe, expect, it } from 'vitest';
import { lastActivity, pipelineStage } from '../../src/domain/conversation.ts';
import { nextStepDueAt, parseTimeOfDay, staleness } from '../../src/domain/follow-through.ts';
import { parseBusinessHours } from '../../src/domain/sla.ts';

const hours = (text: string) => {
  const parsed = parseBusinessHours(text);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.hours;
};
const BERLIN_OFFICE = hours('Mon-Fri 08:30-17:00 Europe/Berlin');
const LONG_AGO = new Date('2026-01-01T00:00:00Z');

describe('nextStepDueAt', () => {
  it.each([
    // [why, date, time, owner's zone, business hours, expected (UTC)]
    [
      '09:00 in the owner’s zone by default (CET, winter)',
      '2026-12-02',
      null,
      'Europe/Berlin',
      null,
      '2026-12-02T08:00:00Z',
    ],
    [
      '09:00 in the owner’s zone by default (CEST, summer)',
      '2026-06-02',
      null,
      'Europe/Berlin',
      null,
      '2026-06-02T07:00:00Z',
    ],
    [
      'the day before spring forward: still CET',
      '2026-03-28',
      null,
      'Europe/Berlin',
      null,
      '2026-03-28T08:00:00Z',
    ],
    [
      'the day of spring forward: already CEST',
      '2026-03-29',
      null,
      'Europe/Berlin',
      null,
      '2026-03-29T07:00:00Z',
    ],
    [
      'the day before fall back: still CEST',
      '2026-10-24',
      null,
      'Europe/Berlin',
      null,
      '2026-10-24T07:00:00Z',
    ],
    ['the day of fall back: already CET', '2026-10-25', null, 'Europe/Berlin', null, '2026-10-25T08:00:00Z'],
    [
      'New York across its own DST change',
      '2026-11-02',
      null,
      'America/New_York',
      null,
      '2026-11-02T14:00:00Z',
    ],
    [
      'the start of the team’s working day',
      '2026-12-02',
      null,
      'Europe/Berlin',
      BERLIN_OFFICE,
      '2026-12-02T07:30:00Z',
    ],
    [
      'a Saturday moves to Monday’s start',
      '2026-12-05',
      null,
      'Europe/Berlin',
      BERLIN_OFFICE,
      '2026-12-07T07:30:00Z',
    ],
    [
      'a Saturday before spring forward moves to Monday, in CEST',
      '2026-03-28',
      null,
      'Europe/Berlin',
      BERLIN_OFFICE,
      '2026-03-30T06:30:00Z',
    ],
    [
      'a Sunday of fall back moves to Monday, in CET',
      '2026-10-25',
      null,
      'Europe/Berlin',
      BERLIN_OFFICE,
      '2026-10-26T07:30:00Z',
    ],
    [
      'a rep in New York for a Berlin team: their 08:30 is in Berlin’s hours',
      '2026-12-02',
      null,
      'America/New_York',
      BERLIN_OFFICE,
      '2026-12-02T13:30:00Z',
    ],
    [
      'a time the rep picked is kept, even on a Saturday',
      '2026-12-05',
      '07:15',
      'Europe/Berlin',
      BERLIN_OFFICE,
      '2026-12-05T06:15:00Z',
    ],
    ['an unknown zone is UTC', '2026-12-02', null, 'Mars/Olympus', null, '2026-12-02T09:00:00Z'],
    ['no zone is UTC', '2026-12-02', '17:45', null, null, '2026-12-02T17:45:00Z'],
  ])('%s', (_, date, time, zone, businessHours, expected) => {
    const due = nextStepDueAt({
      date,
      timeOfDay: time === null ? null : parseTimeOfDay(time),
      ownerTimeZone: zone,
      hours: businessHours,
      now: LONG_AGO,
    });
    expect(due.toISOString()).toBe(new Date(expected).toISOString());
  });

  it('is due at once when the moment has passed', () => {
    const now = new Date('2026-11-30T12:00:00Z');
    expect(
      nextStepDueAt({ date: '2026-11-30', timeOfDay: null, ownerTimeZone: 'UTC', hours: null, now }),
    ).toEqual(now);
    expect(
      nextStepDueAt({ date: '2025-01-01', timeOfDay: 600, ownerTimeZone: 'UTC', hours: null, now }),
    ).toEqual(now);
  });

  it.each([
    ['09:00', 540],
    ['9:05', 545],
    ['23:59', 1439],
    ['24:00', null],
    ['12:60', null],
    ['noon', null],
  ])('reads the time %s as %s', (text, minutes) => {
    expect(parseTimeOfDay(text)).toBe(minutes);
  });
});

describe('staleness', () => {
  const t0 = new Date('2026-11-30T10:00:00Z');
  const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
  it.each([
    ['quiet for less than the time: fresh', null, 59, { level: 'fresh', staleAt: at(60) }],
    ['quiet for the time: the owner is nudged', null, 60, { level: 'nudge', since: t0, escalateAt: at(120) }],
    ['quiet for twice the time: the managers are told', null, 120, { level: 'escalate', since: t0 }],
    ['a next step ahead keeps it fresh until after it', at(300), 200, { level: 'fresh', staleAt: at(360) }],
    [
      'counted from the next step once it passed',
      at(300),
      360,
      { level: 'nudge', since: at(300), escalateAt: at(420) },
    ],
    [
      'a next step before the last activity changes nothing',
      at(-10),
      60,
      { level: 'nudge', since: t0, escalateAt: at(120) },
    ],
  ])('%s', (_, pendingNextStepAt, minutesLater, expected) => {
    expect(staleness({ lastActivity: t0, pendingNextStepAt, minutes: 60, now: at(minutesLater) })).toEqual(
      expected,
    );
  });
});

describe('pipelineStage and lastActivity', () => {
  const base = { closed: null, qualified: null, firstFollowUpAt: null };
  const at = new Date('2026-11-30T10:00:00Z');
  it.each([
    ['New', base],
    ['Contacted', { ...base, firstFollowUpAt: at }],
    ['Qualified', { ...base, firstFollowUpAt: at, qualified: { by: 'U', at } }],
    [
      'Won',
      { ...base, qualified: { by: 'U', at }, closed: { by: 'U', at, outcome: 'won' as const, reason: null } },
    ],
    ['Not a fit', { ...base, closed: { by: 'U', at, outcome: 'not a fit' as const, reason: 'students' } }],
  ])('%s', (stage, conversation) => {
    expect(pipelineStage(conversation)).toBe(stage);
  });

  it('is the latest of a lead arriving, a new owner, a follow-up and qualification', () => {
    const moment = (hour: number) => new Date(Date.UTC(2026, 10, 30, hour));
    const conversation = {
      stages: [
        {
          leadId: { partitionKey: 'p', rowKey: 'r' },
          action: 'PLT' as const,
          channel: 'AppSource' as const,
          at: moment(8),
        },
      ],
      owner: { userId: 'U', since: moment(9), accepted: true },
      followUp: { by: 'U', at: moment(11), kind: 'call' as const, note: null, nextStepOn: null },
      qualified: { by: 'U', at: moment(10) },
    };
    expect(lastActivity(conversation)).toEqual(moment(11));
    expect(lastActivity({ ...conversation, followUp: null })).toEqual(moment(10));
  });
});
