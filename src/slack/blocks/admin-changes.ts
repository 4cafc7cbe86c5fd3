import type { AdminChange, AdminRefusal, RouteTestResult, RulesOverview } from '../../domain/admin-change.ts';
import type { CrmFieldMap } from '../../domain/crm-fields.ts';
import { literalMrkdwn } from '../../domain/mrkdwn.ts';
import { type Acceptance, describeAway, describeSkips, type RotationMember } from '../../domain/rotation.ts';
import type { RoutingRule } from '../../domain/routing.ts';
import type { SpeedTiers } from '../../domain/rules-document.ts';
import { type BusinessHours, formatDuration } from '../../domain/sla.ts';

/** An admin change in words: the answer, and the before and after the audit log keeps. */
export interface ChangeText {
  readonly summary: string;
  readonly before: string | null;
  readonly after: string | null;
}

const WEEKDAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const clock = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
const user = (id: string) => `<@${id}>`;
const channelLink = (id: string) => `<#${id}>`;

export function describeRule(rule: RoutingRule): string {
  const conditions = Object.entries(rule.match).map(
    ([field, pattern]) => `${field}=${literalMrkdwn(pattern)}`,
  );
  return `${conditions.join(' ')} → ${channelLink(rule.channel)}`;
}

export function describeRules(rules: readonly RoutingRule[], leadsChannel: string): string {
  const lines = rules.map((rule, index) => `${index + 1}. ${describeRule(rule)}`);
  return [
    ...lines,
    `${lines.length > 0 ? 'otherwise' : 'all leads'} → ${channelLink(leadsChannel)} (LEADS_CHANNEL)`,
  ].join('\n');
}

export function describeHours(hours: BusinessHours | null | undefined): string {
  if (!hours) return 'round the clock';
  const days = hours.days.map((day) => WEEKDAY_NAMES[day - 1]).join(',');
  return `${days} ${clock(hours.start)}-${clock(hours.end)} ${hours.timeZone}`;
}

const members = (list: readonly RotationMember[]) =>
  list.length === 0
    ? 'no rotation'
    : list.map((m) => `${user(m.userId)}${m.paused ? ' (paused)' : ''}`).join(' → ');
const acceptance = (value: Acceptance | null) =>
  value ? `accept within ${formatDuration(value.minutes)}, ${value.maxHops} hop(s)` : 'no acceptance';
const minutesOrOff = (value: number | null) => (value === null ? 'off' : formatDuration(value));
const text = (summary: string, before: string | null, after: string | null): ChangeText => ({
  summary,
  before,
  after,
});

/** Each kind of change in the words admins read in Slack and in `/leads audit`. */
/** "offer → `marketplace_offer`, action → `marketplace_action`", or "none". */
export function describeFieldMap(map: CrmFieldMap): string {
  const pairs = Object.entries(map).map(([field, property]) => `${field} → \`${literalMrkdwn(property)}\``);
  return pairs.length === 0 ? 'none' : pairs.join(', ');
}

export function describeChange(change: AdminChange): ChangeText {
  switch (change.kind) {
    case 'routes': {
      const rules = (list: readonly RoutingRule[]) => describeRules(list, change.leadsChannel);
      return text(`Routing rules:\n${rules(change.after)}`, rules(change.before), rules(change.after));
    }
    case 'import': {
      const { crmFieldMap: fieldMap, sla } = change;
      const before = describeRules(change.before, change.leadsChannel);
      const after = describeRules(change.after, change.leadsChannel);
      const crm = fieldMap === null ? '' : `\nCRM fields: ${describeFieldMap(fieldMap.after)}`;
      const tiers = sla === null ? '' : `\nSpeed to lead: ${describeSpeedTiers(sla.after)}`;
      return text(
        `Imported ${change.after.length} routing rule(s) and ${change.rotations} rotation(s).\n${after}${crm}${tiers}`,
        before +
          (fieldMap === null ? '' : `\nCRM fields: ${describeFieldMap(fieldMap.before)}`) +
          (sla === null ? '' : `\nSpeed to lead: ${describeSpeedTiers(sla.before)}`),
        after + crm + tiers,
      );
    }
    case 'rotation': {
      const [before, after] = [members(change.before), members(change.after)];
      return text(`Rotation of ${channelLink(change.channel)}: ${before} ⟶ ${after}`, before, after);
    }
    case 'away': {
      const where = change.channels.map(channelLink).join(', ');
      const state = change.until === null ? 'back' : describeAway(change.until);
      const summary =
        change.until === null
          ? `${user(change.user)} is back: ${where} give them leads again.`
          : `${user(change.user)} is ${state}: ${where} skip them until then.`;
      return text(summary, change.until === null ? 'away' : 'available', state);
    }
    case 'paused': {
      const where = change.channels.map(channelLink).join(', ');
      const state = change.paused ? 'paused' : 'active';
      return text(
        `${user(change.user)} is now ${state} in ${where}.`,
        change.paused ? 'active' : 'paused',
        state,
      );
    }
    case 'member': {
      const { what, value, before: member } = change;
      const before =
        what === 'weight'
          ? `weight ${member.weight ?? 1}`
          : member.cap === undefined
            ? 'no cap'
            : `cap ${member.cap}`;
      const after = what === 'weight' ? `weight ${value ?? 1}` : value === null ? 'no cap' : `cap ${value}`;
      const meaning =
        what === 'weight'
          ? `they get ${value ?? 1} turn(s) per round`
          : value === null
            ? 'no limit on their open leads'
            : `skipped while they own ${value} or more open leads`;
      return text(
        `${user(change.user)} in ${channelLink(change.channel)}: ${before} ⟶ ${after} (${meaning}).`,
        before,
        after,
      );
    }
    case 'acceptance': {
      const [before, after] = [acceptance(change.before), acceptance(change.after)];
      const meaning = change.after
        ? `an assignee who does not accept within ${formatDuration(change.after.minutes)} (working time) loses the lead to the next rep, at most ${change.after.maxHops} time(s), then the escalation channel is told`
        : 'assigned leads stay with their assignee';
      return text(`${channelLink(change.channel)}: ${before} ⟶ ${after}: ${meaning}.`, before, after);
    }
    case 'stale': {
      const [before, after] = [minutesOrOff(change.before), minutesOrOff(change.after)];
      const where = change.channel === null ? 'Stale leads' : `Stale leads in ${channelLink(change.channel)}`;
      const meaning =
        change.after === null
          ? 'owned leads are not checked for going quiet'
          : `an owned lead with no follow-up, next step or change of stage for ${formatDuration(change.after)} nudges its owner, and the escalation channel is told at ${formatDuration(change.after * 2)}`;
      return text(`${where}: ${before} ⟶ ${after}: ${meaning}.`, before, after);
    }
    case 'unclaimed': {
      const [before, after] = [minutesOrOff(change.before), minutesOrOff(change.after)];
      const meaning = change.after
        ? `a lead nobody claimed is announced again in its channel after ${formatDuration(change.after)} and escalated after ${formatDuration(change.after * 2)} (working time; new leads)`
        : 'unclaimed leads are not announced again';
      return text(`Claim SLA: ${before} ⟶ ${after}: ${meaning}.`, before, after);
    }
    case 'crmOwnerRouting': {
      const [before, after] = [change.before ? 'on' : 'off', change.after ? 'on' : 'off'];
      const meaning = change.after
        ? "a new lead whose customer has an owner in the CRM goes to that owner, when Slack has a user with the owner's e-mail; otherwise the channel's rotation (if any) gives it out"
        : "new leads go to the channel's rotation (if any), whoever owns the customer in the CRM";
      return text(`Routing to the CRM owner: ${before} ⟶ ${after}: ${meaning}.`, before, after);
    }
    case 'sla': {
      const [before, after] = [formatDuration(change.before), formatDuration(change.after)];
      const note = change.active
        ? ''
        : ` (${change.action} is not active: add it with /leads active to chase it)`;
      return text(
        `SLA for ${change.action}: ${before} ⟶ ${after}${note}. New ${change.action} leads use it.`,
        before,
        after,
      );
    }
    case 'active': {
      const [before, after] = [change.before.join(', '), change.after.join(', ')];
      return text(
        `Active actions (followed up within the SLA): ${before} ⟶ ${after}. New leads use them.`,
        before,
        after,
      );
    }
    case 'hours': {
      const [before, after] = [describeHours(change.before), describeHours(change.after)];
      return text(`Business hours of ${channelLink(change.channel)}: ${before} ⟶ ${after}.`, before, after);
    }
    case 'escalation': {
      const of = (id: string | null) => (id ? channelLink(id) : "each lead's own channel");
      const [before, after] = [of(change.before), of(change.after)];
      return text(`Escalations go to: ${before} ⟶ ${after}.`, before, after);
    }
    case 'admins': {
      const list = (ids: readonly string[]) => ids.map(user).join(', ') || 'nobody';
      const [before, after] = [list(change.before), list(change.after)];
      return text(`Admins: ${before} ⟶ ${after}.`, before, after);
    }
  }
}

/** Why an admin command changed nothing, in words (mentions of checked ids show as mentions). */
export function describeRefusal(refusal: AdminRefusal): string {
  switch (refusal.kind) {
    case 'noSuchRule':
      return `There is no rule ${refusal.number}: there are ${refusal.count}.`;
    case 'rulePositions':
      return `Rules are numbered 1 to ${refusal.count}.`;
    case 'tooManyRules':
      return `There are ${refusal.count} rules already, the most kept: remove one first.`;
    case 'tooManyReps':
      return `A rotation holds at most ${refusal.max} reps; this one names ${refusal.given}.`;
    case 'inNoRotation':
      return `${user(refusal.user)} is in no rotation.`;
    case 'notInRotation':
      return `${user(refusal.user)} is not in the rotation of ${channelLink(refusal.channel)}.`;
    case 'noRotation':
      return `${channelLink(refusal.channel)} has no rotation: set one first with /leads rotation.`;
    case 'adminBySetting':
      return `${user(refusal.user)} is an admin through ADMIN_USER_IDS; change that setting to remove them.`;
    case 'othersAvailability':
      return 'Only a manager or an admin can change someone else’s availability.';
    case 'awayBegun':
      return `${refusal.day} has begun: give the first day back, later than today.`;
  }
}

/** `/leads route test`: each rule's verdict, where the lead goes, and who is next there. */
export function describeRouteTest(result: RouteTestResult): string {
  const lines = result.verdicts.map(({ rule, failed }) => {
    const described = describeRule(result.rules[rule - 1] as RoutingRule);
    if (failed === null) return `${rule}. ${described}: *matches*`;
    const value = result.sample[failed.field];
    return `${rule}. ${described}: no (${failed.field} ${value === undefined ? 'not given' : `is ${literalMrkdwn(value)}`}, not ${literalMrkdwn(failed.pattern)})`;
  });
  const { route } = result;
  const where =
    route.rule === null
      ? `No rule matches: the lead goes to ${channelLink(route.channel)} (LEADS_CHANNEL).`
      : `The lead goes to ${channelLink(route.channel)} (rule ${route.rule}).`;
  const skipped = describeSkips(result.skipped);
  const who =
    result.next === null
      ? result.skipped.length === 0
        ? 'It has no rotation: the lead waits to be claimed.'
        : `Nobody in its rotation is available (${skipped}): the lead waits to be claimed.`
      : `Next in its rotation: ${user(result.next.userId)}${skipped ? `, after skipping ${skipped}` : ''}.`;
  return [...lines, where, who, '_A dry run: no turn was taken, nothing was changed._'].join('\n');
}

/** "claim within 5m; first touch: PLT 1h, Create 30m" */
export function describeSpeedTiers(tiers: SpeedTiers): string {
  const firstTouch = Object.entries(tiers.firstTouchMinutes).map(
    ([action, minutes]) => `${action} ${formatDuration(minutes)}`,
  );
  const claim =
    tiers.claimMinutes === null ? 'no claim SLA' : `claim within ${formatDuration(tiers.claimMinutes)}`;
  return `${claim}; first touch: ${firstTouch.join(', ') || 'none'}`;
}

/** `/leads rules`: everything admins set, in one view. */
export function describeOverview(overview: RulesOverview): string {
  const hours = Object.entries(overview.hoursByChannel).map(
    ([channel, h]) => `${channelLink(channel)} ${describeHours(h)}`,
  );
  return [
    `*Routing*\n${describeRules(overview.routes, overview.leadsChannel)}`,
    `*Speed to lead*\n${describeSpeedTiers(overview.speedTiers)}`,
    `*Business hours*\ndefault ${describeHours(overview.defaultHours)}${hours.length ? `; ${hours.join('; ')}` : ''}`,
    `*Escalations*\n${overview.escalationChannel ? channelLink(overview.escalationChannel) : "each lead's own channel"}`,
  ].join('\n\n');
}
