import type { CrmFieldMap } from './crm-fields.ts';
import type { Acceptance, RotationMember, Skip } from './rotation.ts';
import type { Route, RouteSample, RoutingRule, RuleVerdict } from './routing.ts';
import type { SpeedTiers } from './rules-document.ts';
import type { BusinessHours } from './sla.ts';

/**
 * What an admin command changed, as values: before and after, and what the reader needs to make sense
 * of it. The Slack side words it (slack/blocks/admin-changes.ts) for the answer and the audit log.
 */
export type AdminChange =
  | {
      readonly kind: 'routes';
      readonly before: readonly RoutingRule[];
      readonly after: readonly RoutingRule[];
      readonly leadsChannel: string;
    }
  | {
      readonly kind: 'import';
      readonly before: readonly RoutingRule[];
      readonly after: readonly RoutingRule[];
      readonly rotations: number;
      readonly leadsChannel: string;
      /** The CRM field map the import replaced, and its new one; null when the document did not set one. */
      readonly crmFieldMap: { readonly before: CrmFieldMap; readonly after: CrmFieldMap } | null;
      /** The speed-to-lead tiers before and after; null when the document did not set them. */
      readonly sla: { readonly before: SpeedTiers; readonly after: SpeedTiers } | null;
    }
  | {
      readonly kind: 'rotation';
      readonly channel: string;
      readonly before: readonly RotationMember[];
      readonly after: readonly RotationMember[];
    }
  | {
      readonly kind: 'away';
      readonly user: string;
      readonly channels: readonly string[];
      /** Null: back. */
      readonly until: Date | null;
    }
  | {
      readonly kind: 'paused';
      readonly user: string;
      readonly channels: readonly string[];
      readonly paused: boolean;
    }
  | {
      readonly kind: 'member';
      readonly channel: string;
      readonly user: string;
      readonly what: 'weight' | 'cap';
      readonly before: RotationMember;
      /** The new weight or cap; null: weight 1, or no cap. */
      readonly value: number | null;
    }
  | {
      readonly kind: 'acceptance';
      readonly channel: string;
      readonly before: Acceptance | null;
      readonly after: Acceptance | null;
    }
  | {
      readonly kind: 'stale';
      /** Null: everyone's. */
      readonly channel: string | null;
      readonly before: number | null;
      readonly after: number | null;
    }
  | { readonly kind: 'unclaimed'; readonly before: number | null; readonly after: number | null }
  | { readonly kind: 'crmOwnerRouting'; readonly before: boolean; readonly after: boolean }
  | {
      readonly kind: 'sla';
      readonly action: string;
      readonly before: number;
      readonly after: number;
      /** Whether leads of this action are chased at all. */
      readonly active: boolean;
    }
  | { readonly kind: 'active'; readonly before: readonly string[]; readonly after: readonly string[] }
  | {
      readonly kind: 'hours';
      readonly channel: string;
      readonly before: BusinessHours | null;
      readonly after: BusinessHours | null;
    }
  | {
      readonly kind: 'escalation';
      /** Null: each lead's own channel. */
      readonly before: string | null;
      readonly after: string | null;
    }
  | { readonly kind: 'admins'; readonly before: readonly string[]; readonly after: readonly string[] };

/** Why an admin command changed nothing, as values. */
export type AdminRefusal =
  | { readonly kind: 'noSuchRule'; readonly number: number; readonly count: number }
  | { readonly kind: 'rulePositions'; readonly count: number }
  | { readonly kind: 'tooManyRules'; readonly count: number }
  | { readonly kind: 'tooManyReps'; readonly max: number; readonly given: number }
  | { readonly kind: 'inNoRotation'; readonly user: string }
  | { readonly kind: 'notInRotation'; readonly user: string; readonly channel: string }
  | { readonly kind: 'noRotation'; readonly channel: string }
  | { readonly kind: 'adminBySetting'; readonly user: string }
  | { readonly kind: 'othersAvailability' }
  | { readonly kind: 'awayBegun'; readonly day: string };

/** `/leads route test`: where a lead with these values goes, why, and who would be next there. */
export interface RouteTestResult {
  readonly rules: readonly RoutingRule[];
  readonly sample: RouteSample;
  readonly verdicts: readonly RuleVerdict[];
  /** The channel, and the rule that sent it there (rule null: none matched, LEADS_CHANNEL). */
  readonly route: Route;
  readonly next: { readonly userId: string } | null;
  readonly skipped: readonly Skip[];
}

/** `/leads rules`: everything admins set, in one view. */
export interface RulesOverview {
  readonly routes: readonly RoutingRule[];
  readonly leadsChannel: string;
  /** The claim SLA and each active action's first-touch SLA in force. */
  readonly speedTiers: SpeedTiers;
  readonly defaultHours: BusinessHours | null;
  readonly hoursByChannel: Readonly<Record<string, BusinessHours>>;
  /** Null: each lead's own channel. */
  readonly escalationChannel: string | null;
}
