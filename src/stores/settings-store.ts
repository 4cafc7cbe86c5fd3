import type { BusinessHours } from '../domain/sla.ts';

/** What admins set in Slack; each field, when absent, falls back to the configuration's default. */
export interface Settings {
  readonly activeActions?: readonly string[];
  readonly defaultSlaMinutes?: number;
  readonly slaMinutesByAction?: Readonly<Record<string, number>>;
  /** Business hours per channel (team); a channel without them uses BUSINESS_HOURS. */
  readonly hoursByChannel?: Readonly<Record<string, BusinessHours>>;
  readonly escalationChannel?: string;
  /** After this many minutes a lead nobody claimed is announced again, and escalated at twice it. */
  readonly unclaimedMinutes?: number | null;
  /** An owned lead with no activity this long is stale (null or absent: off); per channel overrides it. */
  readonly staleMinutes?: number | null;
  readonly staleMinutesByChannel?: Readonly<Record<string, number | null>>;
  /** A new lead whose customer has an owner in the CRM goes to that owner (when they are in Slack). */
  readonly routeToCrmOwner?: boolean;
  /** Admins added in Slack, besides ADMIN_USER_IDS. */
  readonly admins?: readonly string[];
}

/** The admin settings, shared by every bot process. */
export interface SettingsStore {
  get(): Promise<Settings>;
  /** Applies `change` to the current settings with an ETag-guarded write (re-read on conflict). */
  update(change: (current: Settings) => Settings): Promise<{ before: Settings; after: Settings }>;
}

/** The stale-lead time in force for a channel: its own (null: off there), else everyone's; null: off. */
export function staleMinutesIn(settings: Settings, channel: string | null): number | null {
  const own = channel === null ? undefined : settings.staleMinutesByChannel?.[channel];
  return own !== undefined ? own : (settings.staleMinutes ?? null);
}
