import { fail, ok, type Parsed } from '../../domain/parsed.ts';
import {
  MAX_PATTERN_LENGTH,
  type RouteSample,
  type RoutingRule,
  RULE_FIELDS,
  type RuleField,
} from '../../domain/routing.ts';
import { type BusinessHours, DURATION_HINT, parseBusinessHours, parseDuration } from '../../domain/sla.ts';
import { parseActionCode, parseActiveActions as parseActiveActionList } from '../../domain/sla-policy.ts';

// Pure readers of /leads arguments. Slack escapes channels and users when the command is configured to
// (`<#C123|sales>`, `<@U123|anna>`); plain ids are accepted too.

export function channelOf(token: string | undefined): string | null {
  const match =
    /^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(token ?? '') ?? /^([CG][A-Z0-9]{2,})$/.exec(token ?? '');
  return match?.[1] ?? null;
}

export function userOf(token: string | undefined): string | null {
  const match =
    /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(token ?? '') ?? /^([UW][A-Z0-9]{2,})$/.exec(token ?? '');
  return match?.[1] ?? null;
}

/** A whole number from 1: a rule's number or position (`what` says which, for the refusal). */
function position(
  token: string | undefined,
  name: string,
  what = 'a rule number like 2 (see /leads routes)',
): Parsed<number> {
  const value = Number(token);
  return Number.isInteger(value) && value >= 1 ? ok(value) : fail(`${name} must be ${what}.`);
}

/** True for a YYYY-MM-DD that names a day of the calendar (not 2027-02-31, which Date rolls over). */
function isCalendarDay(text: string): boolean {
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

/**
 * `field=text` pairs, one per rule field: a rule's patterns, or a dry run's lead values (`noun`). The
 * example goes into the answer to a mistake.
 */
function fieldPairs(
  pairs: readonly string[],
  noun: 'condition' | 'lead value',
  example: string,
): Parsed<Partial<Record<RuleField, string>>> {
  const byField: Partial<Record<RuleField, string>> = {};
  const what = noun === 'condition' ? 'pattern' : 'value';
  for (const pair of pairs) {
    const [field = '', ...rest] = pair.split('=');
    const text = rest.join('=');
    if (!RULE_FIELDS.includes(field.toLowerCase() as RuleField))
      return fail(`"${pair}" is not a ${noun}: use ${RULE_FIELDS.join(', ')}, like ${example}`);
    if (text.trim() === '') return fail(`"${pair}" has no ${what} after =.`);
    if (text.length > MAX_PATTERN_LENGTH)
      return fail(`The ${field.toLowerCase()} ${what} is longer than ${MAX_PATTERN_LENGTH} characters.`);
    byField[field.toLowerCase() as RuleField] = text;
  }
  return ok(byField);
}

/** `field=pattern … #channel` */
export function parseRoute(args: readonly string[]): Parsed<RoutingRule> {
  const channel = channelOf(args.at(-1));
  if (channel === null) return fail('The last argument must be the channel to route to, like #sales.');
  const match = fieldPairs(args.slice(0, -1), 'condition', 'offer=contoso.*');
  if (!match.ok) return match;
  if (Object.keys(match.value).length === 0)
    return fail('Give at least one condition, like offer=contoso.* (or set LEADS_CHANNEL for the default).');
  return ok({ match: match.value, channel });
}

/** `/leads route test offer=contoso.x country=DE`: the values a lead would carry, by rule field. */
export function parseRouteTest(args: readonly string[]): Parsed<RouteSample> {
  const sample = fieldPairs(args, 'lead value', 'country=DE');
  if (!sample.ok || Object.keys(sample.value).length > 0) return sample;
  return fail('Give the lead values to test, like offer=contoso.lead-insights country=DE action=Create');
}

export function parseRuleNumber(args: readonly string[]): Parsed<number> {
  if (args.length !== 1) return fail('Give one rule number.');
  return position(args[0], 'The rule');
}

export function parseRouteMove(args: readonly string[]): Parsed<{ from: number; to: number }> {
  if (args.length !== 2) return fail('Give the rule number and its new position.');
  const from = position(args[0], 'The rule');
  const to = position(args[1], 'The new position');
  if (!from.ok) return from;
  if (!to.ok) return to;
  return ok({ from: from.value, to: to.value });
}

/** `#channel @user …` (no users: remove the rotation) */
export function parseRotation(args: readonly string[]): Parsed<{ channel: string; users: string[] }> {
  const channel = channelOf(args[0]);
  if (channel === null) return fail('Start with the channel, like #sales.');
  const users = args.slice(1).map(userOf);
  const bad = args.slice(1).find((_, index) => users[index] === null);
  if (bad !== undefined) return fail(`"${bad}" is not a user: mention them, like @anna.`);
  return ok({ channel, users: users as string[] });
}

export function parseUser(args: readonly string[]): Parsed<string> {
  const user = userOf(args[0]);
  if (args.length !== 1 || user === null) return fail('Mention one user, like @anna.');
  return ok(user);
}

/** `[@rep] [until YYYY-MM-DD]`: whom `/leads away` is for (null: the one typing) and until when. */
export function parseAway(
  args: readonly string[],
): Parsed<{ readonly user: string | null; readonly until: string | null }> {
  const rest = [...args];
  const user = userOf(rest[0]);
  if (user !== null) rest.shift();
  if (rest.length === 0) return ok({ user, until: null });
  if (rest.length === 2 && rest[0]?.toLowerCase() === 'until' && /^\d{4}-\d{2}-\d{2}$/.test(rest[1] ?? '')) {
    const until = rest[1] ?? '';
    if (!isCalendarDay(until)) return fail(`${until} is not a day of the calendar.`);
    return ok({ user, until });
  }
  return fail('Give an optional @rep and an optional "until YYYY-MM-DD" (the first day back).');
}

/** `[@rep]`: whom `/leads back` is for (null: the one typing). */
export function parseOptionalUser(args: readonly string[]): Parsed<string | null> {
  if (args.length === 0) return ok(null);
  return parseUser(args);
}

/** `<Action> <duration>` */
export function parseSla(args: readonly string[]): Parsed<{ action: string; minutes: number }> {
  if (args.length !== 2) return fail('Give an action and a duration.');
  const [actionText = '', durationText = ''] = args;
  const action = parseActionCode(actionText);
  if (!action.ok) return action;
  const minutes = parseDuration(durationText);
  if (minutes === null) return fail(`"${durationText}" is not ${DURATION_HINT}.`);
  return ok({ action: action.value, minutes });
}

/** `<Action,…>` */
export function parseActiveActions(args: readonly string[]): Parsed<string[]> {
  const names = args
    .join(',')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  return parseActiveActionList(names);
}

/** `#channel Mon-Fri 09:00-17:00 Europe/Berlin` or `#channel off` */
export function parseHours(
  args: readonly string[],
): Parsed<{ channel: string; hours: BusinessHours | null }> {
  const channel = channelOf(args[0]);
  if (channel === null) return fail('Start with the channel (the team), like #sales.');
  if (args.length === 2 && args[1]?.toLowerCase() === 'off') return ok({ channel, hours: null });
  const parsed = parseBusinessHours(args.slice(1).join(' '));
  return parsed.ok ? ok({ channel, hours: parsed.hours }) : fail(`Business hours: ${parsed.problem}.`);
}

export function parseChannel(args: readonly string[]): Parsed<string> {
  const channel = channelOf(args[0]);
  if (args.length !== 1 || channel === null) return fail('Give one channel, like #sales-managers.');
  return ok(channel);
}

export function parseNothing(args: readonly string[]): Parsed<null> {
  return args.length === 0 ? ok(null) : fail(`Unexpected "${args.join(' ')}".`);
}

export function parseWindow(args: readonly string[]): Parsed<number> {
  if (args.length === 0) return ok(7);
  const match = /^(\d{1,3})d$/.exec(args[0] ?? '');
  if (args.length !== 1 || !match) return fail('Give a window like 7d or 30d.');
  const days = Number(match[1]);
  return days >= 1 && days <= 365 ? ok(days) : fail('The window must be 1 to 365 days.');
}

export function parsePage(args: readonly string[]): Parsed<number> {
  if (args.length === 0) return ok(1);
  return args.length === 1
    ? position(args[0], 'The page', 'a page number from 1, like 2')
    : fail('Give at most a page number.');
}

/** `#channel @rep <whole number>` (or `off` where `allowOff`): a rep's weight or cap in a rotation. */
export function parseMemberNumber(
  args: readonly string[],
  what: 'weight' | 'cap',
  range: { readonly min: number; readonly max: number },
): Parsed<{ channel: string; user: string; value: number | null }> {
  const channel = channelOf(args[0]);
  const user = userOf(args[1]);
  const example = what === 'weight' ? '#sales @anna 2' : '#sales @anna 5 (or off)';
  if (args.length !== 3 || channel === null || user === null)
    return fail(`Give the channel, the rep and the ${what}, like ${example}.`);
  const text = (args[2] ?? '').toLowerCase();
  if (what === 'cap' && text === 'off') return ok({ channel, user, value: null });
  const value = Number(text);
  if (!Number.isInteger(value) || value < range.min || value > range.max)
    return fail(`The ${what} must be a whole number from ${range.min} to ${range.max}, like ${example}.`);
  return ok({ channel, user, value });
}

/** `#channel 15m [hops 2]` or `#channel off`: how long an assignee has to accept, and how many hops. */
export function parseAcceptance(
  args: readonly string[],
): Parsed<{ channel: string; acceptance: { minutes: number; maxHops: number } | null }> {
  const channel = channelOf(args[0]);
  const example = '#sales 15m hops 2 (or #sales off)';
  if (channel === null) return fail(`Start with the channel, like ${example}.`);
  if (args.length === 2 && args[1]?.toLowerCase() === 'off') return ok({ channel, acceptance: null });
  const minutes = parseDuration(args[1] ?? '');
  if (minutes === null || !(args.length === 2 || args.length === 4))
    return fail(
      `Give the channel, a time to accept (${DURATION_HINT}) and an optional number of hops, like ${example}.`,
    );
  if (args.length === 2) return ok({ channel, acceptance: { minutes, maxHops: DEFAULT_MAX_HOPS } });
  const hops = Number(args[3]);
  if (args[2]?.toLowerCase() !== 'hops' || !Number.isInteger(hops) || hops < 0 || hops > 10)
    return fail(`The hops must be a whole number from 0 to 10, like ${example}.`);
  return ok({ channel, acceptance: { minutes, maxHops: hops } });
}

/** How many times an unaccepted lead moves on by default before the escalation channel is told. */
const DEFAULT_MAX_HOPS = 2;

/** `on` or `off`. */
export function parseOnOff(args: readonly string[]): Parsed<boolean> {
  const word = args.length === 1 ? args[0]?.toLowerCase() : undefined;
  return word === 'on' || word === 'off' ? ok(word === 'on') : fail('Give on or off.');
}

/** `30m` or `off`: after how long an unclaimed lead is announced again. */
export function parseDurationOrOff(args: readonly string[]): Parsed<number | null> {
  if (args.length === 1 && args[0]?.toLowerCase() === 'off') return ok(null);
  const minutes = args.length === 1 ? parseDuration(args[0] ?? '') : null;
  return minutes === null ? fail(`Give ${DURATION_HINT}, or off.`) : ok(minutes);
}

/** `7d [#channel]` or `off [#channel]`: when an owned lead with no activity is stale, for all or one team. */
export function parseStale(
  args: readonly string[],
): Parsed<{ minutes: number | null; channel: string | null }> {
  const channel = args.length === 2 ? channelOf(args[1]) : null;
  if (args.length === 0 || args.length > 2 || (args.length === 2 && channel === null))
    return fail('Give a duration and an optional channel, like 7d #sales (or off).');
  const minutes = parseDurationOrOff(args.slice(0, 1));
  return minutes.ok ? ok({ minutes: minutes.value, channel }) : minutes;
}
