/** A rep in a channel's rotation; a paused rep (on holiday) is skipped. */
export interface RotationMember {
  readonly userId: string;
  readonly paused: boolean;
}

/** A channel's ordered list of reps, and whose turn is next. */
export interface Rotation {
  readonly channel: string;
  readonly members: readonly RotationMember[];
  /** Index into `members` where the search for the next assignee starts. */
  readonly next: number;
}

/**
 * Whose turn it is: the first rep at or after `next` (wrapping round) who is not paused, and where the
 * turn after that starts. Null when every rep is paused or the rotation is empty.
 */
export function nextAssignee(rotation: Rotation): { userId: string; next: number } | null {
  const turn = previewTurn(rotation);
  return turn.next === null
    ? null
    : { userId: turn.next.userId, next: (turn.next.index + 1) % rotation.members.length };
}

/** Who the next turn would go to (and their place), and the paused reps it passes over first. Pure. */
export function previewTurn(rotation: Rotation): {
  readonly next: { readonly userId: string; readonly index: number } | null;
  readonly skipped: readonly string[];
} {
  const count = rotation.members.length;
  const skipped: string[] = [];
  for (let step = 0; step < count; step++) {
    const index = (((rotation.next + step) % count) + count) % count;
    const member = rotation.members[index];
    if (member === undefined) continue;
    if (!member.paused) return { next: { userId: member.userId, index }, skipped };
    skipped.push(member.userId);
  }
  return { next: null, skipped };
}
