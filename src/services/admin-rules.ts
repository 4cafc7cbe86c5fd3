import { literalMrkdwn } from '../domain/mrkdwn.ts';
import {
  type Acceptance,
  describeAway,
  describeSkips,
  previewTurn,
  type Rotation,
  type RotationMember,
  type Unavailable,
  withWeightAndCap,
} from '../domain/rotation.ts';
import { type RouteSample, type RoutingRule, testRoute } from '../domain/routing.ts';
import {
  MAX_ROTATION_REPS,
  MAX_ROUTES,
  type RotationRep,
  type RulesDocument,
} from '../domain/rules-document.ts';
import { type BusinessHours, formatDuration } from '../domain/sla.ts';
import { isActiveAction, resolvePolicy, type SlaPolicy, slaMinutesFor } from '../domain/sla-policy.ts';
import type { RulesStore } from '../stores/rules-store.ts';
import { type Settings, type SettingsStore, staleMinutesIn } from '../stores/settings-store.ts';

export interface AdminDeps {
  readonly rules: RulesStore;
  readonly clock: () => Date;
  /** Reps kept out by their Slack profile (away status, deactivated); absent where Slack is not at hand. */
  readonly unavailable?: (rotation: Rotation, now: Date) => Promise<Unavailable>;
  readonly settings: SettingsStore;
  /** The configured defaults the settings override. */
  readonly defaults: {
    readonly sla: SlaPolicy;
    readonly leadsChannel: string;
    readonly managersChannel: string | null;
    readonly adminUserIds: readonly string[];
  };
}

/** What an admin action did, in words, with before and after for the audit. */
export interface Change {
  readonly summary: string;
  readonly before: string | null;
  readonly after: string | null;
}

/** A refusal that changes nothing (e.g. a rule number that does not exist). */
export class AdminInputError extends Error {}

/** An import a write failed half-way through: what it had written was put back (`rolledBack`). */
export class ImportFailedError extends Error {
  constructor(
    readonly cause: unknown,
    readonly rolledBack: boolean,
  ) {
    super(
      rolledBack
        ? 'the import could not be written, and everything it had changed was put back: nothing changed'
        : 'the import could not be written, and putting back what it had changed failed too: check /leads rules',
    );
    this.name = 'ImportFailedError';
  }
}

const WEEKDAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const clock = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

export function describeRule(rule: RoutingRule): string {
  const conditions = Object.entries(rule.match).map(
    ([field, pattern]) => `${field}=${literalMrkdwn(pattern)}`,
  );
  return `${conditions.join(' ')} → <#${rule.channel}>`;
}

export function describeRules(rules: readonly RoutingRule[], leadsChannel: string): string {
  const lines = rules.map((rule, index) => `${index + 1}. ${describeRule(rule)}`);
  return [
    ...lines,
    `${lines.length > 0 ? 'otherwise' : 'all leads'} → <#${leadsChannel}> (LEADS_CHANNEL)`,
  ].join('\n');
}

export function describeHours(hours: BusinessHours | null | undefined): string {
  if (!hours) return 'round the clock';
  const days = hours.days.map((day) => WEEKDAY_NAMES[day - 1]).join(',');
  return `${days} ${clock(hours.start)}-${clock(hours.end)} ${hours.timeZone}`;
}

const change = (summary: string, before: string | null, after: string | null): Change => ({
  summary,
  before,
  after,
});

async function updateRules(deps: AdminDeps, edit: (rules: RoutingRule[]) => RoutingRule[]): Promise<Change> {
  const { before, after } = await deps.rules.updateRoutingRules((current) => edit([...current]));
  const text = (rules: readonly RoutingRule[]) => describeRules(rules, deps.defaults.leadsChannel);
  return { summary: `Routing rules:\n${text(after)}`, before: text(before), after: text(after) };
}

export const admin = {
  async addRoute(deps: AdminDeps, rule: RoutingRule): Promise<Change> {
    return updateRules(deps, (rules) => {
      // The same bound as an import: the rules stay one readable list, and one stored entity.
      if (rules.length >= MAX_ROUTES)
        throw new AdminInputError(
          `There are ${rules.length} rules already, the most kept: remove one first.`,
        );
      return [...rules, rule];
    });
  },

  async removeRoute(deps: AdminDeps, number: number): Promise<Change> {
    return updateRules(deps, (rules) => {
      if (number > rules.length)
        throw new AdminInputError(`There is no rule ${number}: there are ${rules.length}.`);
      return rules.filter((_, index) => index !== number - 1);
    });
  },

  async moveRoute(deps: AdminDeps, from: number, to: number): Promise<Change> {
    return updateRules(deps, (rules) => {
      if (from > rules.length || to > rules.length) {
        throw new AdminInputError(`Rules are numbered 1 to ${rules.length}.`);
      }
      const moved = [...rules];
      const [rule] = moved.splice(from - 1, 1);
      if (rule) moved.splice(to - 1, 0, rule);
      return moved;
    });
  },

  /**
   * `/leads route test`: where a lead with these values would go and why, and who would be assigned
   * next there (and which paused reps would be passed over). Changes nothing: no turn is taken.
   */
  async routeTest(deps: AdminDeps, sample: RouteSample): Promise<string> {
    const rules = await deps.rules.routingRules();
    const { route, verdicts } = testRoute(rules, sample, deps.defaults.leadsChannel);
    const lines = verdicts.map(({ rule, failed }) => {
      const described = describeRule(rules[rule - 1] as RoutingRule);
      if (failed === null) return `${rule}. ${described}: *matches*`;
      const value = sample[failed.field];
      return `${rule}. ${described}: no (${failed.field} ${value === undefined ? 'not given' : `is ${literalMrkdwn(value)}`}, not ${literalMrkdwn(failed.pattern)})`;
    });
    const where =
      route.rule === null
        ? `No rule matches: the lead goes to <#${route.channel}> (LEADS_CHANNEL).`
        : `The lead goes to <#${route.channel}> (rule ${route.rule}).`;
    const now = deps.clock();
    const rotation = await deps.rules.rotation(route.channel);
    const turn = previewTurn(rotation, now, (await deps.unavailable?.(rotation, now)) ?? new Map());
    const skipped = describeSkips(turn.skipped);
    const who =
      turn.next === null
        ? turn.skipped.length === 0
          ? 'It has no rotation: the lead waits to be claimed.'
          : `Nobody in its rotation is available (${skipped}): the lead waits to be claimed.`
        : `Next in its rotation: <@${turn.next.userId}>${skipped ? `, after skipping ${skipped}` : ''}.`;
    return [...lines, where, who, '_A dry run: no turn was taken, nothing was changed._'].join('\n');
  },

  async routes(deps: AdminDeps): Promise<string> {
    return describeRules(await deps.rules.routingRules(), deps.defaults.leadsChannel);
  },

  async setRotation(deps: AdminDeps, channel: string, users: readonly string[]): Promise<Change> {
    const describe = (members: readonly { userId: string; paused: boolean }[]) =>
      members.length === 0
        ? 'no rotation'
        : members.map((m) => `<@${m.userId}>${m.paused ? ' (paused)' : ''}`).join(' → ');
    if (users.length > MAX_ROTATION_REPS)
      throw new AdminInputError(
        `A rotation holds at most ${MAX_ROTATION_REPS} reps; this one names ${users.length}.`,
      );
    const before = describe((await deps.rules.rotation(channel)).members);
    await deps.rules.setRotation(channel, users);
    const after = describe((await deps.rules.rotation(channel)).members);
    return change(`Rotation of <#${channel}>: ${before} ⟶ ${after}`, before, after);
  },

  /** `/leads away` and `/leads back`: the rep is skipped by every rotation until `until` (null: back). */
  async setAway(deps: AdminDeps, user: string, until: Date | null): Promise<Change> {
    const channels = await deps.rules.setAway(user, until);
    if (channels.length === 0) throw new AdminInputError(`<@${user}> is in no rotation.`);
    const where = channels.map((channel) => `<#${channel}>`).join(', ');
    const state = until === null ? 'back' : describeAway(until);
    const summary =
      until === null
        ? `<@${user}> is back: ${where} give them leads again.`
        : `<@${user}> is ${state}: ${where} skip them until then.`;
    return change(summary, until === null ? 'away' : 'available', state);
  },

  /** A rep's weight (turns per round) or cap (open leads) in one channel's rotation. */
  async setMember(
    deps: AdminDeps,
    channel: string,
    user: string,
    what: 'weight' | 'cap',
    value: number | null,
  ): Promise<Change> {
    let before = '';
    const describe = (member: RotationMember) =>
      what === 'weight'
        ? `weight ${member.weight ?? 1}`
        : member.cap === undefined
          ? 'no cap'
          : `cap ${member.cap}`;
    const found = await deps.rules.updateMember(channel, user, (member) => {
      before = describe(member);
      return what === 'weight'
        ? withWeightAndCap(member, value, member.cap)
        : withWeightAndCap(member, member.weight, value);
    });
    if (!found) throw new AdminInputError(`<@${user}> is not in the rotation of <#${channel}>.`);
    const after = what === 'weight' ? `weight ${value ?? 1}` : value === null ? 'no cap' : `cap ${value}`;
    const meaning =
      what === 'weight'
        ? `they get ${value ?? 1} turn(s) per round`
        : value === null
          ? 'no limit on their open leads'
          : `skipped while they own ${value} or more open leads`;
    return change(`<@${user}> in <#${channel}>: ${before} ⟶ ${after} (${meaning}).`, before, after);
  },

  /** `/leads rotation accept`: how long a channel's assignees have to accept, and how many hops. */
  async setAcceptance(deps: AdminDeps, channel: string, acceptance: Acceptance | null): Promise<Change> {
    const describe = (value: Acceptance | null | undefined) =>
      value ? `accept within ${formatDuration(value.minutes)}, ${value.maxHops} hop(s)` : 'no acceptance';
    const before = describe((await deps.rules.rotation(channel)).acceptance);
    if (!(await deps.rules.setAcceptance(channel, acceptance)))
      throw new AdminInputError(`<#${channel}> has no rotation: set one first with /leads rotation.`);
    const after = describe(acceptance);
    const meaning = acceptance
      ? `an assignee who does not accept within ${formatDuration(acceptance.minutes)} (working time) loses the lead to the next rep, at most ${acceptance.maxHops} time(s), then the escalation channel is told`
      : 'assigned leads stay with their assignee';
    return change(`<#${channel}>: ${before} ⟶ ${after}: ${meaning}.`, before, after);
  },

  /** `/leads stale`: when an owned lead with no activity is stale, for everyone or one channel. */
  async setStale(deps: AdminDeps, minutes: number | null, channel: string | null): Promise<Change> {
    const { before, after } = await deps.settings.update((current) =>
      channel === null
        ? { ...current, staleMinutes: minutes }
        : { ...current, staleMinutesByChannel: { ...current.staleMinutesByChannel, [channel]: minutes } },
    );
    const describe = (settings: Settings) => {
      const value = staleMinutesIn(settings, channel);
      return value === null ? 'off' : formatDuration(value);
    };
    const where = channel === null ? 'Stale leads' : `Stale leads in <#${channel}>`;
    const meaning =
      minutes === null
        ? 'owned leads are not checked for going quiet'
        : `an owned lead with no follow-up, next step or change of stage for ${formatDuration(minutes)} nudges its owner, and the escalation channel is told at ${formatDuration(minutes * 2)}`;
    return change(
      `${where}: ${describe(before)} ⟶ ${describe(after)}: ${meaning}.`,
      describe(before),
      describe(after),
    );
  },

  /** `/leads unclaimed`: when a lead nobody claimed is announced again (and escalated at twice it). */
  async setUnclaimed(deps: AdminDeps, minutes: number | null): Promise<Change> {
    const { before, after } = await deps.settings.update((current) => ({
      ...current,
      unclaimedMinutes: minutes,
    }));
    const describe = (settings: Settings) =>
      settings.unclaimedMinutes ? formatDuration(settings.unclaimedMinutes) : 'off';
    const meaning = minutes
      ? `a lead nobody claimed is announced again in its channel after ${formatDuration(minutes)} and escalated after ${formatDuration(minutes * 2)} (working time; new leads)`
      : 'unclaimed leads are not announced again';
    return change(
      `Unclaimed leads: ${describe(before)} ⟶ ${describe(after)}: ${meaning}.`,
      describe(before),
      describe(after),
    );
  },

  async setPaused(deps: AdminDeps, user: string, paused: boolean): Promise<Change> {
    const channels = await deps.rules.setPaused(user, paused);
    if (channels.length === 0) throw new AdminInputError(`<@${user}> is in no rotation.`);
    const where = channels.map((channel) => `<#${channel}>`).join(', ');
    const state = paused ? 'paused' : 'active';
    return change(`<@${user}> is now ${state} in ${where}.`, paused ? 'active' : 'paused', state);
  },

  async setSla(deps: AdminDeps, action: string, minutes: number): Promise<Change> {
    const { before, after } = await deps.settings.update((current) => ({
      ...current,
      slaMinutesByAction: { ...current.slaMinutesByAction, [action]: minutes },
    }));
    const policy = (settings: Settings) => resolvePolicy(deps.defaults.sla, settings, null);
    const sla = (settings: Settings) => formatDuration(slaMinutesFor(policy(settings), action));
    const active = isActiveAction(policy(after), action);
    const note = active ? '' : ` (${action} is not active: add it with /leads active to chase it)`;
    return change(
      `SLA for ${action}: ${sla(before)} ⟶ ${sla(after)}${note}. New ${action} leads use it.`,
      sla(before),
      sla(after),
    );
  },

  async setActive(deps: AdminDeps, actions: readonly string[]): Promise<Change> {
    const { before, after } = await deps.settings.update((current) => ({
      ...current,
      activeActions: actions,
    }));
    const list = (settings: Settings) =>
      (settings.activeActions ?? deps.defaults.sla.activeActions).join(', ');
    return change(
      `Active actions (followed up within the SLA): ${list(before)} ⟶ ${list(after)}. New leads use them.`,
      list(before),
      list(after),
    );
  },

  async setHours(deps: AdminDeps, channel: string, hours: BusinessHours | null): Promise<Change> {
    const { before, after } = await deps.settings.update((current) => {
      const hoursByChannel = { ...current.hoursByChannel };
      if (hours === null) delete hoursByChannel[channel];
      else hoursByChannel[channel] = hours;
      return { ...current, hoursByChannel };
    });
    const of = (settings: Settings) =>
      describeHours(settings.hoursByChannel?.[channel] ?? deps.defaults.sla.businessHours);
    return change(`Business hours of <#${channel}>: ${of(before)} ⟶ ${of(after)}.`, of(before), of(after));
  },

  async setEscalation(deps: AdminDeps, channel: string): Promise<Change> {
    const { before, after } = await deps.settings.update((current) => ({
      ...current,
      escalationChannel: channel,
    }));
    const of = (settings: Settings) => {
      const id = settings.escalationChannel ?? deps.defaults.managersChannel;
      return id ? `<#${id}>` : "each lead's own channel";
    };
    return change(`Escalations go to: ${of(before)} ⟶ ${of(after)}.`, of(before), of(after));
  },

  async setAdmin(deps: AdminDeps, user: string, add: boolean): Promise<Change> {
    if (!add && deps.defaults.adminUserIds.includes(user)) {
      throw new AdminInputError(
        `<@${user}> is an admin through ADMIN_USER_IDS; change that setting to remove them.`,
      );
    }
    const { before, after } = await deps.settings.update((current) => {
      const admins = new Set(current.admins ?? []);
      if (add) admins.add(user);
      else admins.delete(user);
      return { ...current, admins: [...admins] };
    });
    const list = (settings: Settings) =>
      [...new Set([...deps.defaults.adminUserIds, ...(settings.admins ?? [])])]
        .map((id) => `<@${id}>`)
        .join(', ') || 'nobody';
    return change(`Admins: ${list(before)} ⟶ ${list(after)}.`, list(before), list(after));
  },

  /** Everything an admin sets, in one view. */
  async overview(deps: AdminDeps): Promise<string> {
    const settings = await deps.settings.get();
    const policy = resolvePolicy(deps.defaults.sla, settings, null);
    const slas = policy.activeActions.map(
      (action) => `${action} ${formatDuration(slaMinutesFor(policy, action))}`,
    );
    const hours = Object.entries(settings.hoursByChannel ?? {}).map(
      ([channel, h]) => `<#${channel}> ${describeHours(h)}`,
    );
    const escalation = settings.escalationChannel ?? deps.defaults.managersChannel;
    return [
      `*Routing*\n${await admin.routes(deps)}`,
      `*Active actions and SLA*\n${slas.join(', ') || 'none'}`,
      `*Business hours*\ndefault ${describeHours(deps.defaults.sla.businessHours)}${hours.length ? `; ${hours.join('; ')}` : ''}`,
      `*Escalations*\n${escalation ? `<#${escalation}>` : "each lead's own channel"}`,
    ].join('\n\n');
  },

  async exportRules(deps: AdminDeps): Promise<RulesDocument> {
    const routes = await deps.rules.routingRules();
    const rotations: Record<string, RotationRep[]> = {};
    const acceptance: Record<string, Acceptance> = {};
    for (const channel of Object.keys(await deps.rules.rotations())) {
      const rotation = await deps.rules.rotation(channel);
      rotations[channel] = rotation.members.map(({ userId, weight, cap }) => ({
        userId,
        ...(weight === undefined ? {} : { weight }),
        ...(cap === undefined ? {} : { cap }),
      }));
      if (rotation.acceptance) acceptance[channel] = rotation.acceptance;
    }
    return { routes, rotations, acceptance };
  },

  /**
   * Applies a checked document: the routing rules replaced, and each rotation it names replaced whole
   * (its reps, their weights and caps, its acceptance; a rep who stays keeps being paused or away), one
   * write each. If a write fails, what was written is put back as it was before, and ImportFailedError
   * says so: an import applies whole or not at all.
   */
  async importRules(deps: AdminDeps, document: RulesDocument): Promise<Change> {
    const previousRoutes = await deps.rules.routingRules();
    const channels = Object.keys(document.rotations);
    const previousRotations = await Promise.all(channels.map((channel) => deps.rules.rotation(channel)));
    const written: Array<() => Promise<unknown>> = [];
    try {
      await deps.rules.setRoutingRules(document.routes);
      written.push(() => deps.rules.setRoutingRules(previousRoutes));
      for (const [index, channel] of channels.entries()) {
        const previous = previousRotations[index] as Rotation;
        const reps = document.rotations[channel] ?? [];
        const kept = new Map(previous.members.map((member) => [member.userId, member]));
        const members = reps.map((rep) =>
          withWeightAndCap(
            kept.get(rep.userId) ?? { userId: rep.userId, paused: false },
            rep.weight,
            rep.cap,
          ),
        );
        await deps.rules.replaceRotation(
          channel,
          members,
          reps.length > 0 ? (document.acceptance[channel] ?? null) : null,
        );
        written.push(() =>
          deps.rules.replaceRotation(channel, previous.members, previous.acceptance ?? null),
        );
      }
    } catch (error) {
      const restored = await Promise.allSettled(written.map((undo) => undo()));
      throw new ImportFailedError(
        error,
        restored.every((outcome) => outcome.status === 'fulfilled'),
      );
    }
    const before = describeRules(previousRoutes, deps.defaults.leadsChannel);
    const after = describeRules(document.routes, deps.defaults.leadsChannel);
    return change(
      `Imported ${document.routes.length} routing rule(s) and ${channels.length} rotation(s).\n${after}`,
      before,
      after,
    );
  },
};
