import { TZDate } from '@date-fns/tz';
import { addDays } from 'date-fns/addDays';
import { addMinutes } from 'date-fns/addMinutes';
import { differenceInMinutes } from 'date-fns/differenceInMinutes';
import { startOfDay } from 'date-fns/startOfDay';

/**
 * The longest duration any setting takes (SLAs, stale and unclaimed times, time to accept), in commands,
 * environment variables and the rules document alike. Longer is a typo (`99999999d`), and would push
 * deadlines past what dates can hold.
 */
export const MAX_DURATION_MINUTES = 90 * 1440;

/** How every refusal of a duration describes one. */
export const DURATION_HINT = 'a duration from 1m to 90d, like 30m, 4h, 24h or 2d';

/** Reads `30m`, `4h`, `24h`, `2d` (also `1h30m`) as minutes; null for anything else, zero, or over 90 days. */
export function parseDuration(text: string): number | null {
  const match = /^\s*(?:(\d{1,9})d)?\s*(?:(\d{1,9})h)?\s*(?:(\d{1,9})m)?\s*$/i.exec(text);
  if (!match || text.trim() === '') return null;
  const [, days = '0', hours = '0', minutes = '0'] = match;
  const total = Number(days) * 1440 + Number(hours) * 60 + Number(minutes);
  return total > 0 && total <= MAX_DURATION_MINUTES ? total : null;
}

/** Minutes as the shortest duration text: 1440 → `1d`, 90 → `1h30m`. */
export function formatDuration(totalMinutes: number): string {
  const days = Math.floor(totalMinutes / 1440);
  const hours = Math.floor((totalMinutes % 1440) / 60);
  const minutes = totalMinutes % 60;
  return `${days ? `${days}d` : ''}${hours ? `${hours}h` : ''}${minutes ? `${minutes}m` : ''}` || '0m';
}

/** Minutes in words for messages: 1440 → "24 hours", 2880 → "2 days", 90 → "1 hour 30 minutes". */
export function describeDuration(totalMinutes: number): string {
  const unit = (count: number, name: string) => `${count} ${name}${count === 1 ? '' : 's'}`;
  if (totalMinutes >= 2880 && totalMinutes % 1440 === 0) return unit(totalMinutes / 1440, 'day');
  const hours = Math.floor(totalMinutes / 60);
  const minutes = totalMinutes % 60;
  if (hours === 0) return unit(minutes, 'minute');
  return minutes === 0 ? unit(hours, 'hour') : `${unit(hours, 'hour')} ${unit(minutes, 'minute')}`;
}

/** Working hours in a time zone, e.g. Mon–Fri 09:00–17:00 Europe/Berlin. */
export interface BusinessHours {
  /** ISO weekdays: 1 is Monday, 7 is Sunday. */
  readonly days: readonly number[];
  /** Minutes after local midnight. */
  readonly start: number;
  readonly end: number;
  readonly timeZone: string;
}

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** True for an IANA time zone this runtime knows, like Europe/Berlin. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Reads `Mon-Fri 09:00-17:00 Europe/Berlin` (days may also be listed: `Mon,Wed,Fri`). */
export function parseBusinessHours(
  text: string,
): { ok: true; hours: BusinessHours } | { ok: false; problem: string } {
  const match = /^\s*([A-Za-z,-]+)\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s+(\S+)\s*$/.exec(text);
  if (!match)
    return {
      ok: false,
      problem: 'expected days, hours and a time zone, like "Mon-Fri 09:00-17:00 Europe/Berlin"',
    };
  const [, dayText = '', h1 = '', m1 = '', h2 = '', m2 = '', timeZone = ''] = match;
  const days = new Set<number>();
  for (const part of dayText.toLowerCase().split(',')) {
    const [from = '', to = from] = part.split('-');
    const a = WEEKDAYS.indexOf(from.slice(0, 3));
    const b = WEEKDAYS.indexOf(to.slice(0, 3));
    if (a === -1 || b === -1)
      return { ok: false, problem: `"${part}" is not a day or a range of days like Mon-Fri` };
    for (let day = a; ; day = (day + 1) % 7) {
      days.add(day + 1);
      if (day === b) break;
    }
  }
  const start = Number(h1) * 60 + Number(m1);
  const end = Number(h2) * 60 + Number(m2);
  if (Number(m1) > 59 || Number(m2) > 59 || end > 1440 || start >= end) {
    return { ok: false, problem: 'the hours must be a range within one day, like 09:00-17:00' };
  }
  if (!isTimeZone(timeZone))
    return { ok: false, problem: `"${timeZone}" is not an IANA time zone like Europe/Berlin` };
  return { ok: true, hours: { days: [...days].sort(), start, end, timeZone } };
}

/** The local day `day` (in the zone) at `minutes` after midnight, as an instant. DST-safe. */
function atLocalMinutes(day: TZDate, minutes: number): Date {
  return new TZDate(
    day.getFullYear(),
    day.getMonth(),
    day.getDate(),
    Math.floor(minutes / 60),
    minutes % 60,
    0,
    day.timeZone ?? 'UTC',
  );
}

function isoWeekday(day: TZDate): number {
  return day.getDay() === 0 ? 7 : day.getDay();
}

/**
 * `start` plus `minutes` of working time: with no business hours, plain elapsed time; with them, the
 * clock runs only inside the working windows of the zone (weekends and nights do not count). Durations
 * are capped at MAX_DURATION_MINUTES (a setting stored before the cap cannot overflow a date), and whole
 * weeks are skipped at once, so the work is bounded whatever the hours: an hour a week for 90 days of
 * working time is 2,160 weeks, not 15,000 days walked one by one. A skipped week counts its windows'
 * wall-clock length; only the last one to two weeks are walked day by day, and there a window crossing a
 * DST change counts the time that really passed.
 */
export function addWorkingTime(start: Date, minutes: number, hours: BusinessHours | null): Date {
  const capped = Math.min(minutes, MAX_DURATION_MINUTES);
  if (hours === null) return addMinutes(start, capped);
  if (hours.days.length === 0) throw new Error('business hours with no working day');
  let remaining = capped;
  let cursor = start;
  const weekly = hours.days.length * (hours.end - hours.start);
  const weeksToSkip = Math.floor(remaining / weekly) - 1;
  if (weeksToSkip > 0) {
    // From the start of the day `start` falls on, on the same weekday `weeksToSkip` weeks later: what lay
    // between `start` and its day's start is worked again, so that much is added back.
    const day = startOfDay(new TZDate(cursor, hours.timeZone));
    const workedBeforeStart = workingMinutesBetween(day, cursor, hours);
    cursor = atLocalMinutes(addDays(day, weeksToSkip * 7), 0);
    remaining = remaining - weeksToSkip * weekly + workedBeforeStart;
  }
  for (;;) {
    const day = startOfDay(new TZDate(cursor, hours.timeZone));
    if (hours.days.includes(isoWeekday(day))) {
      const windowStart = atLocalMinutes(day, hours.start);
      const windowEnd = atLocalMinutes(day, hours.end);
      const from = cursor > windowStart ? cursor : windowStart;
      if (from < windowEnd) {
        const available = differenceInMinutes(windowEnd, from);
        // A plain Date, not a TZDate: callers store and compare instants.
        if (remaining <= available) return new Date(addMinutes(from, remaining).getTime());
        remaining -= available;
      }
    }
    cursor = atLocalMinutes(addDays(day, 1), 0);
  }
}

/** Working minutes of `day`'s window (in the zone) that fall before `until`. */
function workingMinutesBetween(day: TZDate, until: Date, hours: BusinessHours): number {
  if (!hours.days.includes(isoWeekday(day))) return 0;
  const windowStart = atLocalMinutes(day, hours.start);
  const windowEnd = atLocalMinutes(day, hours.end);
  const end = until < windowEnd ? until : windowEnd;
  return end > windowStart ? differenceInMinutes(end, windowStart) : 0;
}

/** When a working window is open at `at`; with no business hours, always. */
export function isWorkingTime(at: Date, hours: BusinessHours | null): boolean {
  if (hours === null) return true;
  const local = new TZDate(at, hours.timeZone);
  const minutes = local.getHours() * 60 + local.getMinutes();
  return hours.days.includes(isoWeekday(local)) && minutes >= hours.start && minutes < hours.end;
}

/** The start of the next working window at or after `at` (for reminders that must not go out at night). */
export function nextWorkingTime(at: Date, hours: BusinessHours | null): Date {
  return isWorkingTime(at, hours) ? at : addWorkingTime(at, 0, hours);
}

export interface SlaDeadlines {
  /** When the owner is reminded (the SLA itself). */
  readonly remindAt: Date;
  /** When managers are told (a multiple of the SLA). */
  readonly escalateAt: Date;
}

/** The follow-up deadlines of an active lead, counted from its arrival. */
export function slaDeadlines(
  arrivedAt: Date,
  slaMinutes: number,
  escalationFactor: number,
  hours: BusinessHours | null,
): SlaDeadlines {
  return {
    remindAt: addWorkingTime(arrivedAt, slaMinutes, hours),
    escalateAt: addWorkingTime(arrivedAt, Math.round(slaMinutes * escalationFactor), hours),
  };
}

/** 09:00 tomorrow in the rep's time zone: the "until tomorrow morning" snooze. */
export function tomorrowMorning(now: Date, timeZone: string): Date {
  const today = startOfDay(new TZDate(now, isTimeZone(timeZone) ? timeZone : 'UTC'));
  return new Date(atLocalMinutes(addDays(today, 1), 9 * 60).getTime());
}
