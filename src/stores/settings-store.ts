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
  /** Admins added in Slack, besides ADMIN_USER_IDS. */
  readonly admins?: readonly string[];
}

/** The admin settings, shared by every bot process. */
export interface SettingsStore {
  get(): Promise<Settings>;
  /** Applies `change` to the current settings with an ETag-guarded write (re-read on conflict). */
  update(change: (current: Settings) => Settings): Promise<{ before: Settings; after: Settings }>;
}
