import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addWorkingTime,
  type BusinessHours,
  formatDuration,
  isWorkingTime,
  nextWorkingTime,
  parseBusinessHours,
  parseDuration,
  slaDeadlines,
  tomorrowMorning,
} from '../../src/domain/sla.ts';

const BERLIN: BusinessHours = {
  days: [1, 2, 3, 4, 5],
  start: 9 * 60,
  end: 17 * 60,
  timeZone: 'Europe/Berlin',
};
const NEW_YORK: BusinessHours = { ...BERLIN, timeZone: 'America/New_York' };
const MONDAY_HOUR: BusinessHours = { days: [1], start: 9 * 60, end: 10 * 60, timeZone: 'UTC' };
const utc = (iso: string) => new Date(iso);

describe('parseDuration', () => {
  it.each([
    ['30m', 30],
    ['4h', 240],
    ['24h', 1440],
    ['2d', 2880],
    ['1h30m', 90],
    [' 1d 2h ', 1560],
    ['90M', 90],
    ['90d', 90 * 1440],
    ['89d23h60m', 90 * 1440],
  ])('%j → %i minutes', (text, minutes) => {
    expect(parseDuration(text)).toBe(minutes);
  });

  it.each([
    [''],
    ['0h'],
    ['24'],
    ['h'],
    ['-4h'],
    ['4 hours'],
    ['1.5h'],
    ['4h30'],
    ['91d'],
    ['90d1m'],
    ['99999999d'],
    [`${'9'.repeat(400)}d`],
  ])('%j is not a duration', (text) => {
    expect(parseDuration(text)).toBeNull();
  });

  it.each([
    [1440, '1d'],
    [90, '1h30m'],
    [30, '30m'],
    [1560, '1d2h'],
  ])('%i minutes reads %j', (minutes, text) => {
    expect(formatDuration(minutes)).toBe(text);
  });
});

describe('parseBusinessHours', () => {
  it('reads days, hours and a zone', () => {
    expect(parseBusinessHours('Mon-Fri 09:00-17:00 Europe/Berlin')).toEqual({ ok: true, hours: BERLIN });
    expect(parseBusinessHours('mon,wed,fri 8:30-12:00 UTC')).toEqual({
      ok: true,
      hours: { days: [1, 3, 5], start: 510, end: 720, timeZone: 'UTC' },
    });
    expect(parseBusinessHours('Sat-Mon 10:00-14:00 Asia/Tokyo')).toMatchObject({
      ok: true,
      hours: { days: [1, 6, 7] },
    });
  });

  it.each([
    ['weekdays', /expected days, hours and a time zone/],
    ['Mon-Fri 17:00-09:00 Europe/Berlin', /range within one day/],
    ['Mon-Fri 09:00-17:00 Mars/Olympus', /not an IANA time zone/],
    ['Mon-Fru 09:00-17:00 UTC', /"mon-fru" is not a day/],
  ])('%j: %s', (text, problem) => {
    const parsed = parseBusinessHours(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem).toMatch(problem);
  });
});

describe('addWorkingTime', () => {
  it.each([
    // no business hours: plain elapsed time, across DST too
    ['2026-03-28T12:00:00Z', 1440, null, '2026-03-29T12:00:00Z'],
    // Berlin, winter (UTC+1): Monday 10:00 local + 4h = 14:00 local
    ['2026-01-05T09:00:00Z', 240, BERLIN, '2026-01-05T13:00:00Z'],
    // exactly at the end of the day: the deadline is 17:00, not the next morning
    ['2026-01-05T08:00:00Z', 480, BERLIN, '2026-01-05T16:00:00Z'],
    // one minute more spills over to the next morning 09:01
    ['2026-01-05T08:00:00Z', 481, BERLIN, '2026-01-06T08:01:00Z'],
    // arriving at night: the clock starts at 09:00
    ['2026-01-05T22:00:00Z', 60, BERLIN, '2026-01-06T09:00:00Z'],
    // Friday 16:00 local + 2h: 1h on Friday, 1h on Monday (the weekend does not count)
    ['2026-01-09T15:00:00Z', 120, BERLIN, '2026-01-12T09:00:00Z'],
    // arriving on Saturday: Monday 09:00 + 24h of working time = three working days later, Wednesday 17:00
    ['2026-01-10T12:00:00Z', 1440, BERLIN, '2026-01-14T16:00:00Z'],
    // across the spring DST change (Berlin, 29 March 2026): Friday 16:00 CET + 2h → Monday 10:00 CEST
    ['2026-03-27T15:00:00Z', 120, BERLIN, '2026-03-30T08:00:00Z'],
    // across the autumn DST change (New York, 1 November 2026): Friday 16:00 EDT + 2h → Monday 10:00 EST
    ['2026-10-30T20:00:00Z', 120, NEW_YORK, '2026-11-02T15:00:00Z'],
    // zero minutes inside a window is now; outside, the next opening
    ['2026-01-05T10:00:00Z', 0, BERLIN, '2026-01-05T10:00:00Z'],
    ['2026-01-10T10:00:00Z', 0, BERLIN, '2026-01-12T08:00:00Z'],
    // an hour a week for 90 days of working time: 2,160 weeks on, reached without walking each day
    ['2026-01-05T08:00:00Z', 90 * 1440, MONDAY_HOUR, '2067-05-23T10:00:00Z'],
    // a duration stored before the 90-day cap counts as 90 days, never as an invalid date
    ['2026-01-05T08:00:00Z', 99_999_999 * 1440, null, '2026-04-05T08:00:00Z'],
  ] as Array<[string, number, BusinessHours | null, string]>)(
    '%s + %i min (%j) → %s',
    (start, minutes, hours, expected) => {
      expect(addWorkingTime(utc(start), minutes, hours).toISOString()).toBe(utc(expected).toISOString());
    },
  );
});

describe('addWorkingTime over long spans', () => {
  /** The reference: walk minute-free, day by day, through every window (what skipping weeks must equal). */
  function walkDayByDay(start: Date, minutes: number, hours: BusinessHours): Date {
    let remaining = minutes;
    for (
      let day = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate());
      ;
      day += 86_400_000
    ) {
      const weekday = new Date(day).getUTCDay() || 7;
      if (!hours.days.includes(weekday)) continue;
      const from = Math.max(start.getTime(), day + hours.start * 60_000);
      const available = (day + hours.end * 60_000 - from) / 60_000;
      if (available < 0) continue;
      if (remaining <= available) return new Date(from + remaining * 60_000);
      remaining -= available;
    }
  }

  it('equals walking day by day, for any working days, window and start (UTC, so no DST)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
        fc.integer({ min: 0, max: 23 * 60 }),
        fc.integer({ min: 1, max: 12 * 60 }),
        fc.integer({ min: 0, max: 365 * 1440 }),
        fc.integer({ min: 1, max: 40 * 7 * 1440 }),
        (days, start, length, offset, minutes) => {
          const hours: BusinessHours = {
            days: [...days].sort(),
            start,
            end: Math.min(1440, start + length),
            timeZone: 'UTC',
          };
          const from = new Date(Date.UTC(2026, 0, 1) + offset * 60_000);
          const capped = Math.min(minutes, 90 * 1440);
          expect(addWorkingTime(from, minutes, hours).toISOString()).toBe(
            walkDayByDay(from, capped, hours).toISOString(),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('isWorkingTime / nextWorkingTime', () => {
  it.each([
    ['2026-01-05T08:00:00Z', true], // Monday 09:00 Berlin: opening minute
    ['2026-01-05T16:00:00Z', false], // 17:00: closed
    ['2026-01-05T07:59:00Z', false],
    ['2026-01-10T10:00:00Z', false], // Saturday
  ])('%s → %s', (at, open) => {
    expect(isWorkingTime(utc(at), BERLIN)).toBe(open);
  });

  it('moves a night-time reminder to the next morning, and leaves daytime alone', () => {
    expect(nextWorkingTime(utc('2026-01-05T22:00:00Z'), BERLIN).toISOString()).toBe(
      '2026-01-06T08:00:00.000Z',
    );
    expect(nextWorkingTime(utc('2026-01-05T10:00:00Z'), BERLIN).toISOString()).toBe(
      '2026-01-05T10:00:00.000Z',
    );
    expect(nextWorkingTime(utc('2026-01-05T22:00:00Z'), null).toISOString()).toBe('2026-01-05T22:00:00.000Z');
  });
});

describe('slaDeadlines', () => {
  it('reminds at the SLA and escalates at twice the SLA', () => {
    expect(slaDeadlines(utc('2026-01-05T10:00:00Z'), 1440, 2, null)).toEqual({
      remindAt: utc('2026-01-06T10:00:00Z'),
      escalateAt: utc('2026-01-07T10:00:00Z'),
    });
  });

  it('counts working time only, with business hours', () => {
    expect(slaDeadlines(utc('2026-01-09T15:00:00Z'), 120, 2, BERLIN)).toEqual({
      remindAt: utc('2026-01-12T09:00:00Z'),
      escalateAt: utc('2026-01-12T11:00:00Z'),
    });
  });
});

describe('tomorrowMorning', () => {
  it.each([
    ['2026-01-05T23:30:00Z', 'Europe/Berlin', '2026-01-07T08:00:00.000Z'], // already 6 January in Berlin
    ['2026-01-05T10:00:00Z', 'America/Los_Angeles', '2026-01-06T17:00:00.000Z'],
    ['2026-03-28T12:00:00Z', 'Europe/Berlin', '2026-03-29T07:00:00.000Z'], // the morning after the DST change
    ['2026-01-05T10:00:00Z', 'Not/AZone', '2026-01-06T09:00:00.000Z'], // unknown zone: UTC
  ])('%s in %s → %s', (now, zone, expected) => {
    expect(tomorrowMorning(utc(now), zone).toISOString()).toBe(expected);
  });
});
