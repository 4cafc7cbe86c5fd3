import { literalMrkdwn } from './mrkdwn.ts';

/**
 * A rep in a channel's rotation. A paused rep (an admin's `/leads rotation pause`) is skipped until
 * resumed; an away rep (`/leads away`, set by the rep or a manager) until `awayUntil`, or until back.
 */
export interface RotationMember {
  readonly userId: string;
  readonly paused: boolean;
  /** Away until this moment; null or absent: not away. Far in the future: away until `/leads back`. */
  readonly awayUntil?: Date | null;
  /** Turns per round relative to the others (2: twice as many leads as a rep with 1); absent: 1. */
  readonly weight?: number;
  /** Skipped while owning this many open leads (every channel counts); absent: no cap. */
  readonly cap?: number;
}

/** The rep with this weight and cap, each left out when it is the default (weight 1, no cap). */
export function withWeightAndCap(
  member: RotationMember,
  weight: number | null | undefined,
  cap: number | null | undefined,
): RotationMember {
  const { weight: _weight, cap: _cap, ...rest } = member;
  return {
    ...rest,
    ...(weight !== null && weight !== undefined && weight !== 1 ? { weight } : {}),
    ...(cap !== null && cap !== undefined ? { cap } : {}),
  };
}

/** Why a rep is skipped now, or null when they can take a lead. */
export type SkipReason =
  | { readonly kind: 'paused' }
  | { readonly kind: 'away'; readonly until: Date }
  /** Their Slack status says they are away (🌴, "out of office"…). */
  | { readonly kind: 'status'; readonly emoji: string; readonly text: string }
  /** Their Slack account was deactivated. */
  | { readonly kind: 'deactivated' }
  /** They own `open` open leads, at or over their cap. */
  | { readonly kind: 'full'; readonly open: number; readonly cap: number }
  /** They already had this lead and did not accept it in time. */
  | { readonly kind: 'passed' };

/** Reps kept out right now for a reason the rotation itself does not hold (Slack profile, load), by user id. */
export type Unavailable = ReadonlyMap<string, SkipReason>;

export const MAX_WEIGHT = 10;
export const MAX_CAP = 1000;

export function skipReason(
  member: RotationMember,
  now: Date,
  unavailable: Unavailable = new Map(),
): SkipReason | null {
  if (member.paused) return { kind: 'paused' };
  if (member.awayUntil && member.awayUntil > now) return { kind: 'away', until: member.awayUntil };
  return unavailable.get(member.userId) ?? null;
}

/** How a channel passes leads on when the assignee does not acknowledge them. */
export interface Acceptance {
  /** Minutes an assignee has to accept (Accept, a follow-up, a thread reply) before the lead moves on. */
  readonly minutes: number;
  /** How many times a lead moves on before the escalation channel is told instead. */
  readonly maxHops: number;
}

/** A channel's ordered list of reps, and whose turn is next. */
export interface Rotation {
  readonly channel: string;
  readonly members: readonly RotationMember[];
  /** Index into `turnSlots(members)` where the search for the next assignee starts. */
  readonly next: number;
  /** Null: an assigned lead stays with its assignee. */
  readonly acceptance?: Acceptance | null;
}

/**
 * The turns of one round, as indexes into `members`: every rep once, then again for each rep with a
 * weight of 2 or more, and so on (A×2, B×1 → A, B, A), so heavier reps' turns are spread over the round.
 */
export function turnSlots(members: readonly RotationMember[]): number[] {
  const weights = members.map((member) => Math.max(1, Math.min(MAX_WEIGHT, member.weight ?? 1)));
  const slots: number[] = [];
  for (let round = 0; round < Math.max(0, ...weights); round++)
    weights.forEach((weight, index) => {
      if (weight > round) slots.push(index);
    });
  return slots;
}

/** A rep as the next turn meets them, with the slot that reaches them and why they are passed over. */
export interface Candidate {
  readonly member: RotationMember;
  /** The slot of `turnSlots` this rep is reached at; the turn after theirs starts at slot + 1. */
  readonly slot: number;
  readonly skip: SkipReason | null;
}

/** Every rep of the rotation once, in the order the next turn considers them. */
export function candidatesInTurn(
  rotation: Rotation,
  now: Date,
  unavailable: Unavailable = new Map(),
): Candidate[] {
  const slots = turnSlots(rotation.members);
  const seen = new Set<number>();
  const candidates: Candidate[] = [];
  for (let step = 0; step < slots.length; step++) {
    const slot = (((rotation.next + step) % slots.length) + slots.length) % slots.length;
    const index = slots[slot] as number;
    const member = rotation.members[index];
    if (member === undefined || seen.has(index)) continue;
    seen.add(index);
    candidates.push({ member, slot, skip: skipReason(member, now, unavailable) });
  }
  return candidates;
}

/** Where the search for the turn after the one given at `slot` starts. */
export function slotAfter(rotation: Rotation, slot: number): number {
  return (slot + 1) % Math.max(1, turnSlots(rotation.members).length);
}

/** What the escalation channel is told when assignment cannot do its job alone. */
export type AssignmentProblem =
  /** Everyone in the rotation is paused, away or at their cap: the lead waits in its channel. */
  | { readonly kind: 'nobodyAvailable'; readonly skipped: readonly Skip[] }
  /** Assignees did not accept it in time, `hops` times: it is back in its channel, unclaimed. */
  | { readonly kind: 'notAccepted'; readonly from: string; readonly hops: number; readonly minutes: number }
  /** Its owner's Slack account was deactivated and nobody in the rotation can take it. */
  | { readonly kind: 'deactivated'; readonly from: string }
  /** Nobody claimed it (or its assignee did not accept it) for `minutes`. */
  | { readonly kind: 'unclaimed'; readonly minutes: number }
  /** Its owner did nothing with it for `minutes` (no follow-up, next step or stage). */
  | { readonly kind: 'stale'; readonly minutes: number };

/** A rep passed over by a turn, and why. */
export interface Skip {
  readonly userId: string;
  readonly reason: SkipReason;
}

/** Who the next turn would go to, and the reps it passes over first, and why. */
export function previewTurn(
  rotation: Rotation,
  now: Date,
  unavailable: Unavailable = new Map(),
): { readonly next: { readonly userId: string } | null; readonly skipped: readonly Skip[] } {
  const skipped: Skip[] = [];
  for (const { member, skip } of candidatesInTurn(rotation, now, unavailable)) {
    if (skip === null) return { next: { userId: member.userId }, skipped };
    skipped.push({ userId: member.userId, reason: skip });
  }
  return { next: null, skipped };
}

/** `/leads away` without a date: away until `/leads back` (stored as a date no one reaches). */
export const AWAY_UNTIL_BACK = new Date('9999-01-01T00:00:00Z');

/** Away "until 2026-12-07" (the first day back, from 00:00 UTC), or "away until back" when open-ended. */
export function describeAway(until: Date): string {
  return until >= AWAY_UNTIL_BACK ? 'away until back' : `away until ${until.toISOString().slice(0, 10)}`;
}

/** Why the rotation passes a rep over, in words (mrkdwn: a status is shown as written). */
export function describeSkip(reason: SkipReason): string {
  switch (reason.kind) {
    case 'paused':
      return 'paused';
    case 'away':
      return describeAway(reason.until);
    case 'status':
      return `Slack status ${literalMrkdwn([reason.emoji, reason.text].filter(Boolean).join(' '))}`;
    case 'deactivated':
      return 'deactivated in Slack';
    case 'full':
      return `at their cap (${reason.open} open of ${reason.cap})`;
    case 'passed':
      return 'passed this lead on already';
  }
}

/** `<@UA> (away until 2026-12-07), <@UB> (paused)` */
export function describeSkips(skipped: readonly Skip[]): string {
  return skipped.map(({ userId, reason }) => `<@${userId}> (${describeSkip(reason)})`).join(', ');
}
