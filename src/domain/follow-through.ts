import { TZDate } from '@date-fns/tz';
import { type BusinessHours, isTimeZone, nextWorkingTime } from './sla.ts';

// What happens after the first follow-up: next steps that become reminders, and leads gone quiet.
// Pure: every function takes the moment it is asked at.

/** Reads `HH:mm` as minutes after midnight; null for anything else. */
export function parseTimeOfDay(text: string): number | null {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!match) return null;
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  return Number(match[2]) < 60 && minutes < 1440 ? minutes : null;
}

/** 09:00, the start of a working day when no business hours say otherwise. */
const DEFAULT_DAY_START = 9 * 60;

/**
 * When the reminder of a next step planned for `date` (YYYY-MM-DD) falls due:
 * - with a time the rep picked, that time of that day in the owner's time zone, as chosen;
 * - without one, the start of that working day in the owner's time zone (the team's business hours'
 *   start, else 09:00), moved to the next working window when that is a day off or outside the hours.
 * A moment already past is due at once (`now`).
 */
export function nextStepDueAt(input: {
  readonly date: string;
  readonly timeOfDay: number | null;
  /** The owner's Slack time zone; UTC when unknown. */
  readonly ownerTimeZone: string | null;
  readonly hours: BusinessHours | null;
  readonly now: Date;
}): Date {
  const zone = input.ownerTimeZone && isTimeZone(input.ownerTimeZone) ? input.ownerTimeZone : 'UTC';
  const [year = 0, month = 1, day = 1] = input.date.split('-').map(Number);
  const minutes = input.timeOfDay ?? input.hours?.start ?? DEFAULT_DAY_START;
  const local = new TZDate(year, month - 1, day, Math.floor(minutes / 60), minutes % 60, 0, zone);
  const at = new Date(local.getTime());
  const due = input.timeOfDay === null ? nextWorkingTime(at, input.hours) : at;
  return due < input.now ? input.now : new Date(due.getTime());
}

/** What a lead's quiet time calls for now: nothing, a nudge to its owner, or telling the managers. */
export type Staleness =
  | { readonly level: 'fresh'; readonly staleAt: Date }
  | { readonly level: 'nudge'; readonly since: Date; readonly escalateAt: Date }
  | { readonly level: 'escalate'; readonly since: Date };

/**
 * An open, owned lead goes stale when nothing happened for `minutes`: no follow-up, no next step, no
 * change of stage or owner since `lastActivity`. A next step still ahead keeps it fresh until it
 * falls due (the rep planned the wait). At twice the time the managers are told.
 */
export function staleness(input: {
  readonly lastActivity: Date;
  readonly pendingNextStepAt: Date | null;
  readonly minutes: number;
  readonly now: Date;
}): Staleness {
  const since =
    input.pendingNextStepAt && input.pendingNextStepAt > input.lastActivity
      ? input.pendingNextStepAt
      : input.lastActivity;
  const staleAt = new Date(since.getTime() + input.minutes * 60_000);
  const escalateAt = new Date(since.getTime() + 2 * input.minutes * 60_000);
  if (input.now < staleAt) return { level: 'fresh', staleAt };
  if (input.now < escalateAt) return { level: 'nudge', since, escalateAt };
  return { level: 'escalate', since };
}
