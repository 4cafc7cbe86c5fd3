import type { Lead } from './lead.ts';
import { isClaimable } from './lead.ts';
import { LEAD_ACTION_CODES, type LeadAction } from './lead-source.ts';
import { fail, ok, type Parsed } from './parsed.ts';
import { type BusinessHours, type SlaDeadlines, slaDeadlines } from './sla.ts';

/**
 * Which leads must be followed up, and how fast: the speed-to-lead tiers. A lead nobody claimed is
 * announced again after `claimMinutes` and escalated at twice it; a chased lead's first follow-up is
 * due within its SLA, and managers are told at `escalationFactor` times it. All in working time.
 */
export interface SlaPolicy {
  /** Action codes that carry an SLA (`other`: every undocumented code), compared ignoring case. */
  readonly activeActions: readonly string[];
  readonly defaultSlaMinutes: number;
  /** Per action code, overriding the default. */
  readonly slaMinutesByAction: Readonly<Record<string, number>>;
  /** A lead nobody claimed is announced again after this long, and escalated at twice it; null: never. */
  readonly claimMinutes: number | null;
  /** Managers are told at this multiple of the SLA. */
  readonly escalationFactor: number;
  /** When set, the SLA clock runs only in working hours, and reminders wait for them. */
  readonly businessHours: BusinessHours | null;
}

/**
 * What an admin names for the action codes Microsoft does not document: free trials arrive under one,
 * and Microsoft may add others.
 */
export const OTHER_ACTIONS: LeadAction = 'other';

/**
 * Chased by default: every lead a customer can expect an answer to (Microsoft's guidance: follow up
 * every lead within 24 hours), free trials (an undocumented code) included. Test Drive is retired;
 * its old rows are still chased. Do-not-contact notices and test leads never are.
 */
export const DEFAULT_ACTIVE_ACTIONS = ['PLT', 'INS', 'Create', 'StartTestDrive', OTHER_ACTIONS];

const ACTION_NAMES: readonly string[] = [...LEAD_ACTION_CODES, OTHER_ACTIONS];

/**
 * An action code as Microsoft writes it (PLT, INS, DNC, Create, StartTestDrive), or `other` for the
 * codes it does not document, typed in any case.
 */
export function parseActionCode(text: string): Parsed<string> {
  const action = ACTION_NAMES.find((code) => code.toLowerCase() === text.toLowerCase());
  return action ? ok(action) : fail(`"${text}" is not an action: use ${ACTION_NAMES.join(', ')}.`);
}

/** The actions whose leads are chased: at least one, never DNC, each once. The same rule for /leads and ACTIVE_ACTIONS. */
export function parseActiveActions(names: readonly string[]): Parsed<string[]> {
  if (names.length === 0) return fail('Name at least one action.');
  const actions: string[] = [];
  for (const name of names) {
    const action = parseActionCode(name);
    if (!action.ok) return action;
    if (action.value === 'DNC') return fail('DNC leads are never chased, so DNC cannot be active.');
    if (!actions.includes(action.value)) actions.push(action.value);
  }
  return ok(actions);
}

/** Whether leads of this action code are chased under the policy (codes compare ignoring case). */
export function isActiveAction(policy: SlaPolicy, actionCode: string): boolean {
  return policy.activeActions.some((action) => action.toLowerCase() === actionCode.toLowerCase());
}

/** The follow-up SLA of an action code: its own, else the policy's default (codes compare ignoring case). */
export function slaMinutesFor(policy: SlaPolicy, actionCode: string): number {
  const own = Object.entries(policy.slaMinutesByAction).find(
    ([action]) => action.toLowerCase() === actionCode.toLowerCase(),
  );
  return own?.[1] ?? policy.defaultSlaMinutes;
}

/** The lead's follow-up deadlines, counted from its arrival; null for leads that are not chased. */
export function deadlinesFor(
  lead: Lead,
  policy: SlaPolicy,
): (SlaDeadlines & { slaMinutes: number; claimMinutes: number | null }) | null {
  if (!isClaimable(lead)) return null;
  // The lead's action as read (a documented code in Microsoft's spelling, else `other`): the name the
  // policy knows it by, whatever letter case the row used.
  const code = lead.action;
  if (!isActiveAction(policy, code)) return null;
  const slaMinutes = slaMinutesFor(policy, code);
  return {
    ...slaDeadlines(lead.receivedAt, slaMinutes, policy.escalationFactor, policy.businessHours),
    slaMinutes,
    claimMinutes: policy.claimMinutes,
  };
}

/** Admin settings over the configured defaults; business hours are the channel's (team's) own. */
export function resolvePolicy(
  defaults: SlaPolicy,
  settings: {
    readonly activeActions?: readonly string[];
    readonly defaultSlaMinutes?: number;
    readonly slaMinutesByAction?: Readonly<Record<string, number>>;
    readonly hoursByChannel?: Readonly<Record<string, BusinessHours>>;
    /** Absent: the configured claim SLA; null: an admin turned it off. */
    readonly unclaimedMinutes?: number | null;
  },
  channel: string | null,
): SlaPolicy {
  return {
    activeActions: settings.activeActions ?? defaults.activeActions,
    defaultSlaMinutes: settings.defaultSlaMinutes ?? defaults.defaultSlaMinutes,
    slaMinutesByAction: { ...defaults.slaMinutesByAction, ...settings.slaMinutesByAction },
    claimMinutes: settings.unclaimedMinutes === undefined ? defaults.claimMinutes : settings.unclaimedMinutes,
    escalationFactor: defaults.escalationFactor,
    businessHours:
      (channel !== null ? settings.hoursByChannel?.[channel] : undefined) ?? defaults.businessHours,
  };
}
