import type { AdminChange, AdminRefusal, RouteTestResult, RulesOverview } from '../domain/admin-change.ts';
import {
  type Acceptance,
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
  type SpeedTiers,
} from '../domain/rules-document.ts';
import type { BusinessHours } from '../domain/sla.ts';
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
/** A refusal that changes nothing (e.g. a rule number that does not exist), as a value to word. */
export class AdminInputError extends Error {
  readonly refusal: AdminRefusal;
  constructor(refusal: AdminRefusal) {
    super(`refused: ${refusal.kind}`);
    this.name = 'AdminInputError';
    this.refusal = refusal;
  }
}

/** An import a write failed half-way through: what it had written was put back (`rolledBack`). */
export class ImportFailedError extends Error {
  readonly cause: unknown;
  readonly rolledBack: boolean;
  constructor(cause: unknown, rolledBack: boolean) {
    super(
      rolledBack
        ? 'the import could not be written, and everything it had changed was put back: nothing changed'
        : 'the import could not be written, and putting back what it had changed failed too: check /leads rules',
    );
    this.name = 'ImportFailedError';
    this.cause = cause;
    this.rolledBack = rolledBack;
  }
}

async function updateRules(
  deps: AdminDeps,
  edit: (rules: RoutingRule[]) => RoutingRule[],
): Promise<AdminChange> {
  const { before, after } = await deps.rules.updateRoutingRules((current) => edit([...current]));
  return { kind: 'routes', before, after, leadsChannel: deps.defaults.leadsChannel };
}

export const admin = {
  async addRoute(deps: AdminDeps, rule: RoutingRule): Promise<AdminChange> {
    return updateRules(deps, (rules) => {
      // The same bound as an import: the rules stay one readable list, and one stored entity.
      if (rules.length >= MAX_ROUTES)
        throw new AdminInputError({ kind: 'tooManyRules', count: rules.length });
      return [...rules, rule];
    });
  },

  async removeRoute(deps: AdminDeps, number: number): Promise<AdminChange> {
    return updateRules(deps, (rules) => {
      if (number > rules.length)
        throw new AdminInputError({ kind: 'noSuchRule', number, count: rules.length });
      return rules.filter((_, index) => index !== number - 1);
    });
  },

  async moveRoute(deps: AdminDeps, from: number, to: number): Promise<AdminChange> {
    return updateRules(deps, (rules) => {
      if (from > rules.length || to > rules.length)
        throw new AdminInputError({ kind: 'rulePositions', count: rules.length });
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
  async routeTest(deps: AdminDeps, sample: RouteSample): Promise<RouteTestResult> {
    const rules = await deps.rules.routingRules();
    const { route, verdicts } = testRoute(rules, sample, deps.defaults.leadsChannel);
    const now = deps.clock();
    const rotation = await deps.rules.rotation(route.channel);
    const turn = previewTurn(rotation, now, (await deps.unavailable?.(rotation, now)) ?? new Map());
    return { rules, sample, verdicts, route, next: turn.next, skipped: turn.skipped };
  },

  async routes(deps: AdminDeps): Promise<{ rules: readonly RoutingRule[]; leadsChannel: string }> {
    return { rules: await deps.rules.routingRules(), leadsChannel: deps.defaults.leadsChannel };
  },

  async setRotation(deps: AdminDeps, channel: string, users: readonly string[]): Promise<AdminChange> {
    if (users.length > MAX_ROTATION_REPS)
      throw new AdminInputError({ kind: 'tooManyReps', max: MAX_ROTATION_REPS, given: users.length });
    const before = (await deps.rules.rotation(channel)).members;
    await deps.rules.setRotation(channel, users);
    return { kind: 'rotation', channel, before, after: (await deps.rules.rotation(channel)).members };
  },

  /** `/leads away` and `/leads back`: the rep is skipped by every rotation until `until` (null: back). */
  async setAway(deps: AdminDeps, user: string, until: Date | null): Promise<AdminChange> {
    const channels = await deps.rules.setAway(user, until);
    if (channels.length === 0) throw new AdminInputError({ kind: 'inNoRotation', user });
    return { kind: 'away', user, channels, until };
  },

  /** A rep's weight (turns per round) or cap (open leads) in one channel's rotation. */
  async setMember(
    deps: AdminDeps,
    channel: string,
    user: string,
    what: 'weight' | 'cap',
    value: number | null,
  ): Promise<AdminChange> {
    let before: RotationMember | null = null;
    const found = await deps.rules.updateMember(channel, user, (member) => {
      before = member;
      return what === 'weight'
        ? withWeightAndCap(member, value, member.cap)
        : withWeightAndCap(member, member.weight, value);
    });
    if (!found || before === null) throw new AdminInputError({ kind: 'notInRotation', user, channel });
    return { kind: 'member', channel, user, what, before, value };
  },

  /** `/leads rotation accept`: how long a channel's assignees have to accept, and how many hops. */
  async setAcceptance(deps: AdminDeps, channel: string, acceptance: Acceptance | null): Promise<AdminChange> {
    const before = (await deps.rules.rotation(channel)).acceptance ?? null;
    if (!(await deps.rules.setAcceptance(channel, acceptance)))
      throw new AdminInputError({ kind: 'noRotation', channel });
    return { kind: 'acceptance', channel, before, after: acceptance };
  },

  /** `/leads stale`: when an owned lead with no activity is stale, for everyone or one channel. */
  async setStale(deps: AdminDeps, minutes: number | null, channel: string | null): Promise<AdminChange> {
    const { before, after } = await deps.settings.update((current) =>
      channel === null
        ? { ...current, staleMinutes: minutes }
        : { ...current, staleMinutesByChannel: { ...current.staleMinutesByChannel, [channel]: minutes } },
    );
    return {
      kind: 'stale',
      channel,
      before: staleMinutesIn(before, channel),
      after: staleMinutesIn(after, channel),
    };
  },

  /** `/leads unclaimed`: when a lead nobody claimed is announced again (and escalated at twice it). */
  async setUnclaimed(deps: AdminDeps, minutes: number | null): Promise<AdminChange> {
    const { before, after } = await deps.settings.update((current) => ({
      ...current,
      unclaimedMinutes: minutes,
    }));
    const claimMinutes = (settings: Settings) =>
      resolvePolicy(deps.defaults.sla, settings, null).claimMinutes;
    return { kind: 'unclaimed', before: claimMinutes(before), after: claimMinutes(after) };
  },

  async setCrmOwnerRouting(deps: AdminDeps, on: boolean): Promise<AdminChange> {
    const { before, after } = await deps.settings.update((current) => ({ ...current, routeToCrmOwner: on }));
    return {
      kind: 'crmOwnerRouting',
      before: before.routeToCrmOwner === true,
      after: after.routeToCrmOwner === true,
    };
  },

  async setPaused(deps: AdminDeps, user: string, paused: boolean): Promise<AdminChange> {
    const channels = await deps.rules.setPaused(user, paused);
    if (channels.length === 0) throw new AdminInputError({ kind: 'inNoRotation', user });
    return { kind: 'paused', user, channels, paused };
  },

  async setSla(deps: AdminDeps, action: string, minutes: number): Promise<AdminChange> {
    const { before, after } = await deps.settings.update((current) => ({
      ...current,
      slaMinutesByAction: { ...current.slaMinutesByAction, [action]: minutes },
    }));
    const policy = (settings: Settings) => resolvePolicy(deps.defaults.sla, settings, null);
    return {
      kind: 'sla',
      action,
      before: slaMinutesFor(policy(before), action),
      after: slaMinutesFor(policy(after), action),
      active: isActiveAction(policy(after), action),
    };
  },

  async setActive(deps: AdminDeps, actions: readonly string[]): Promise<AdminChange> {
    const { before, after } = await deps.settings.update((current) => ({
      ...current,
      activeActions: actions,
    }));
    const list = (settings: Settings) => settings.activeActions ?? deps.defaults.sla.activeActions;
    return { kind: 'active', before: list(before), after: list(after) };
  },

  async setHours(deps: AdminDeps, channel: string, hours: BusinessHours | null): Promise<AdminChange> {
    const { before, after } = await deps.settings.update((current) => {
      const hoursByChannel = { ...current.hoursByChannel };
      if (hours === null) delete hoursByChannel[channel];
      else hoursByChannel[channel] = hours;
      return { ...current, hoursByChannel };
    });
    const of = (settings: Settings) => settings.hoursByChannel?.[channel] ?? deps.defaults.sla.businessHours;
    return { kind: 'hours', channel, before: of(before), after: of(after) };
  },

  async setEscalation(deps: AdminDeps, channel: string): Promise<AdminChange> {
    const { before, after } = await deps.settings.update((current) => ({
      ...current,
      escalationChannel: channel,
    }));
    const of = (settings: Settings) => settings.escalationChannel ?? deps.defaults.managersChannel;
    return { kind: 'escalation', before: of(before), after: of(after) };
  },

  async setAdmin(deps: AdminDeps, user: string, add: boolean): Promise<AdminChange> {
    if (!add && deps.defaults.adminUserIds.includes(user))
      throw new AdminInputError({ kind: 'adminBySetting', user });
    const { before, after } = await deps.settings.update((current) => {
      const admins = new Set(current.admins ?? []);
      if (add) admins.add(user);
      else admins.delete(user);
      return { ...current, admins: [...admins] };
    });
    const list = (settings: Settings) => [
      ...new Set([...deps.defaults.adminUserIds, ...(settings.admins ?? [])]),
    ];
    return { kind: 'admins', before: list(before), after: list(after) };
  },

  /** Everything an admin sets, in one view. */
  async overview(deps: AdminDeps): Promise<RulesOverview> {
    const settings = await deps.settings.get();
    return {
      routes: await deps.rules.routingRules(),
      leadsChannel: deps.defaults.leadsChannel,
      speedTiers: speedTiersOf(deps.defaults.sla, settings),
      defaultHours: deps.defaults.sla.businessHours,
      hoursByChannel: settings.hoursByChannel ?? {},
      escalationChannel: settings.escalationChannel ?? deps.defaults.managersChannel,
    };
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
    const fieldMap = await deps.rules.crmFieldMap();
    return {
      routes,
      rotations,
      acceptance,
      ...(Object.keys(fieldMap).length > 0 ? { crm: { fieldMap } } : {}),
      sla: speedTiersOf(deps.defaults.sla, await deps.settings.get()),
    };
  },

  /**
   * Applies a checked document: the routing rules replaced, and each rotation it names replaced whole
   * (its reps, their weights and caps, its acceptance; a rep who stays keeps being paused or away), one
   * write each. If a write fails, what was written is put back as it was before, and ImportFailedError
   * says so: an import applies whole or not at all.
   */
  async importRules(
    deps: AdminDeps,
    document: RulesDocument,
  ): Promise<Extract<AdminChange, { kind: 'import' }>> {
    const previousRoutes = await deps.rules.routingRules();
    const channels = Object.keys(document.rotations);
    const previousRotations = await Promise.all(channels.map((channel) => deps.rules.rotation(channel)));
    const written: Array<() => Promise<unknown>> = [];
    let crmFieldMap: Extract<AdminChange, { kind: 'import' }>['crmFieldMap'] = null;
    let sla: Extract<AdminChange, { kind: 'import' }>['sla'] = null;
    try {
      await deps.rules.setRoutingRules(document.routes);
      written.push(() => deps.rules.setRoutingRules(previousRoutes));
      if (document.crm !== undefined) {
        const before = await deps.rules.setCrmFieldMap(document.crm.fieldMap);
        written.push(() => deps.rules.setCrmFieldMap(before));
        crmFieldMap = { before, after: document.crm.fieldMap };
      }
      if (document.sla !== undefined) {
        const tiers = document.sla;
        const { before, after } = await deps.settings.update((current) => ({
          ...current,
          unclaimedMinutes: tiers.claimMinutes,
          slaMinutesByAction: tiers.firstTouchMinutes,
        }));
        written.push(() =>
          deps.settings.update((current) => ({
            ...current,
            unclaimedMinutes: before.unclaimedMinutes,
            slaMinutesByAction: before.slaMinutesByAction,
          })),
        );
        sla = {
          before: speedTiersOf(deps.defaults.sla, before),
          after: speedTiersOf(deps.defaults.sla, after),
        };
      }
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
    return {
      kind: 'import',
      before: previousRoutes,
      after: document.routes,
      rotations: channels.length,
      leadsChannel: deps.defaults.leadsChannel,
      crmFieldMap,
      sla,
    };
  },
};

/** The tiers in force, as the rules document writes them: every active action's first-touch SLA. */
function speedTiersOf(defaults: SlaPolicy, settings: Settings): SpeedTiers {
  const policy = resolvePolicy(defaults, settings, null);
  return {
    claimMinutes: policy.claimMinutes,
    firstTouchMinutes: Object.fromEntries(
      policy.activeActions.map((action) => [action, slaMinutesFor(policy, action)]),
    ),
  };
}
