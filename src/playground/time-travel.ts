import { TZDate } from '@date-fns/tz';
import { addDays } from 'date-fns/addDays';
import { addHours } from 'date-fns/addHours';
import { nextMonday } from 'date-fns/nextMonday';
import { set } from 'date-fns/set';
import type { Skip } from './playground.ts';

/** The bot's clock in the playground: the real one plus however far the visitor skipped ahead. */
export interface TimeTravel {
  readonly now: () => Date;
  /** Moves the clock ahead (never back); "monday" goes to the next Monday 08:30 in `timeZone`. */
  skip(skip: Skip): Date;
}

export function createTimeTravel(base: () => Date, timeZone: string): TimeTravel {
  let offsetMs = 0;
  const now = () => new Date(base().getTime() + offsetMs);
  return {
    now,
    skip(skip) {
      const from = now();
      const to =
        skip === 'hour'
          ? addHours(from, 1)
          : skip === 'day'
            ? addDays(from, 1)
            : set(nextMonday(new TZDate(from, timeZone)), {
                hours: 8,
                minutes: 30,
                seconds: 0,
                milliseconds: 0,
              });
      offsetMs += Math.max(0, to.getTime() - from.getTime());
      return now();
    },
  };
}
