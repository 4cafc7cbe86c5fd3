// Microsoft writes CreatedTime as text with no zone and an undocumented format: `11/15/2025 20:02:52`
// has been seen, and 12-hour forms too. It is read leniently as UTC; anything else yields null and the
// caller falls back to the row's Timestamp. A lead is never skipped because of this field.
const US_DATE_TIME =
  /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([AaPp][Mm])?)?$/;
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

function utc(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): Date | null {
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const valid =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    hour < 24 &&
    minute < 60 &&
    second < 60;
  return valid ? date : null;
}

function to24Hour(hour: number, meridiem: string | undefined): number | null {
  if (!meridiem) return hour;
  if (hour < 1 || hour > 12) return null;
  const pm = meridiem.toLowerCase() === 'pm';
  return (hour % 12) + (pm ? 12 : 0);
}

/** Parses Microsoft's CreatedTime text as UTC. Returns null when the text is empty or unreadable. */
export function parseCreatedTime(text: string | null): Date | null {
  const value = text?.trim();
  if (!value) return null;
  const us = US_DATE_TIME.exec(value);
  if (us) {
    const [, month, day, year, hour = '0', minute = '0', second = '0', meridiem] = us;
    const hour24 = to24Hour(Number(hour), meridiem);
    if (hour24 === null) return null;
    return utc(Number(year), Number(month), Number(day), hour24, Number(minute), Number(second));
  }
  const iso = ISO_DATE_TIME.exec(value);
  if (iso) {
    const [, year, month, day, hour = '0', minute = '0', second = '0', zone] = iso;
    const asUtc = utc(Number(year), Number(month), Number(day), Number(hour), Number(minute), Number(second));
    if (!asUtc || !zone || zone === 'Z') return asUtc;
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
    return new Date(asUtc.getTime() - sign * offsetMinutes * 60_000);
  }
  return null;
}
