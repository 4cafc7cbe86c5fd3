import type { SkipReason } from './rotation.ts';

/** What the bot reads of a Slack user (users.info). */
export interface UserProfile {
  /** IANA time zone; null when unknown. */
  readonly timeZone: string | null;
  readonly isWorkspaceAdmin: boolean;
  /** The custom status as set: an emoji code like `:palm_tree:` and a text; empty when none. */
  readonly status: { readonly emoji: string; readonly text: string };
  /** The account was deactivated. */
  readonly deactivated: boolean;
  /** Their e-mail address (maps them to a CRM user); null when Slack does not give it (no users:read.email). */
  readonly email: string | null;
}

/** The statuses that mean "away": emoji codes (`:palm_tree:`) and words found in the status text. */
export interface AwayStatuses {
  readonly emojis: readonly string[];
  readonly words: readonly string[];
}

/** Rotation App's and the sales tools' usual markers (`AWAY_STATUSES` changes them). */
export const DEFAULT_AWAY_STATUSES =
  ':palm_tree:,:face_with_thermometer:,:no_entry:,out of office,vacation,holiday,sick';

/** `:palm_tree:,out of office` → emojis and words; letter case ignored. */
export function parseAwayStatuses(text: string): AwayStatuses {
  const items = text
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item !== '');
  return {
    emojis: items.filter((item) => /^:[^:\s]+:$/.test(item)),
    words: items.filter((item) => !/^:[^:\s]+:$/.test(item)),
  };
}

/** Why a user's Slack profile keeps them out of the rotation right now, or null. */
export function unavailableBy(profile: UserProfile, away: AwayStatuses): SkipReason | null {
  if (profile.deactivated) return { kind: 'deactivated' };
  const emoji = profile.status.emoji.toLowerCase();
  const text = profile.status.text.toLowerCase();
  const matches =
    (emoji !== '' && away.emojis.includes(emoji)) || away.words.some((word) => text.includes(word));
  return matches ? { kind: 'status', emoji: profile.status.emoji, text: profile.status.text } : null;
}
