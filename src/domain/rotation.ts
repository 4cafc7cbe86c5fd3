/**
 * A rep in a channel's rotation. A paused rep (an admin's `/leads rotation pause`) is skipped until
 * resumed; an away rep (`/leads away`, set by the rep or a manager) until `awayUntil`, or until back.
 */
export interface RotationMember {
  readonly userId: string;
  readonly paused: boolean;
  /** Away until this moment; null or absent: not away. Far in the future: away until `/leads back`. */
  readonly awayUntil?: Date | null;
}

/** Why a rep is skipped now, or null when they can take a lead. */
export type SkipReason =
  | { readonly kind: 'paused' }
  | { readonly kind: 'away'; readonly until: Date }
  /** Their Slack status says they are away (🌴, "out of office"…). */
  | { readonly kind: 'status'; readonly emoji: string; readonly text: string }
  /** Their Slack account was deactivated. */
  | { readonly kind: 'deactivated' };

/** Reps whose Slack profile keeps them out right now (see availability.ts), by user id. */
export type Unavailable = ReadonlyMap<string, SkipReason>;

export function skipReason(
  member: RotationMember,
  now: Date,
  unavailable: Unavailable = new Map(),
): SkipReason | null {
  if (member.paused) return { kind: 'paused' };
  if (member.awayUntil && member.awayUntil > now) return { kind: 'away', until: member.awayUntil };
  return unavailable.get(member.userId) ?? null;
}

/** A channel's ordered list of reps, and whose turn is next. */
export interface Rotation {
  readonly channel: string;
  readonly members: readonly RotationMember[];
  /** Index into `members` where the search for the next assignee starts. */
  readonly next: number;
}

/**
 * Whose turn it is: the first rep at or after `next` (wrapping round) who is neither paused nor away,
 * and where the turn after that starts. Null when nobody is available or the rotation is empty.
 */
export function nextAssignee(
  rotation: Rotation,
  now: Date,
  unavailable: Unavailable = new Map(),
): { userId: string; next: number } | null {
  const turn = previewTurn(rotation, now, unavailable);
  return turn.next === null
    ? null
    : { userId: turn.next.userId, next: (turn.next.index + 1) % rotation.members.length };
}

/** Who the next turn would go to (and their place), and the reps it passes over first, and why. */
export function previewTurn(
  rotation: Rotation,
  now: Date,
  unavailable: Unavailable = new Map(),
): {
  readonly next: { readonly userId: string; readonly index: number } | null;
  readonly skipped: ReadonlyArray<{ readonly userId: string; readonly reason: SkipReason }>;
} {
  const count = rotation.members.length;
  const skipped: Array<{ userId: string; reason: SkipReason }> = [];
  for (let step = 0; step < count; step++) {
    const index = (((rotation.next + step) % count) + count) % count;
    const member = rotation.members[index];
    if (member === undefined) continue;
    const reason = skipReason(member, now, unavailable);
    if (reason === null) return { next: { userId: member.userId, index }, skipped };
    skipped.push({ userId: member.userId, reason });
  }
  return { next: null, skipped };
}
