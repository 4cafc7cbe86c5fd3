import type { ClosedRefusal, Conversation } from './conversation.ts';
import type { Skip } from './rotation.ts';

/**
 * Why a conversation's owner changed: a claim, an assignment by the rotation, a hand-over by the owner,
 * a release, a reassignment by a manager, a pass (the rotation moves a lead on from an assignee who did
 * not accept it or whose account was deactivated), or an accept (no change of owner: the assignee
 * acknowledged the rotation's lead).
 */
export type OwnershipChangeKind =
  | 'claim'
  | 'assign'
  | 'handover'
  | 'release'
  | 'reassign'
  | 'pass'
  | 'accept';

/** Why the rotation moved a lead on. */
export type PassReason =
  | { readonly kind: 'notAccepted'; readonly minutes: number }
  | { readonly kind: 'deactivated' };

export interface OwnershipEvent {
  readonly conversationId: string;
  readonly kind: OwnershipChangeKind;
  /** Who did it: a Slack user id; `rotation` or `crm` (the customer's CRM owner) for automatic assignment. */
  readonly by: string;
  readonly from: string | null;
  readonly to: string | null;
  readonly at: Date;
  /** For an assignment or a pass: the reps the rotation passed over first, and why. */
  readonly skipped?: readonly Skip[];
  /** For a pass: why the lead moved on. */
  readonly reason?: PassReason;
  /** For an assignment or a pass: the new owner has this long to accept before the lead moves on. */
  readonly acceptWithinMinutes?: number;
}

export type OwnershipRequest =
  | { readonly kind: 'claim'; readonly actor: string }
  | { readonly kind: 'handover'; readonly actor: string; readonly to: string }
  | { readonly kind: 'release'; readonly actor: string }
  /** Automatic assignment: by a channel's rotation, or to the customer's owner in the CRM. */
  | {
      readonly kind: 'assign';
      readonly to: string;
      /** Absent: the rotation. */
      readonly by?: 'rotation' | 'crm';
      readonly skipped?: readonly Skip[];
      readonly acceptWithinMinutes?: number;
    }
  /** The rotation moves a lead on from `from` (null `to`: back to the channel, unassigned). */
  | {
      readonly kind: 'pass';
      readonly from: string;
      readonly to: string | null;
      readonly reason: PassReason;
      readonly skipped?: readonly Skip[];
      readonly acceptWithinMinutes?: number;
    };

/** The record of an assignee accepting a lead the rotation gave them: the owner stays who they are. */
export function acceptanceEvent(conversationId: string, userId: string, at: Date): OwnershipEvent {
  return { conversationId, kind: 'accept', by: userId, from: userId, to: userId, at };
}

/** True for the rotation's own changes, which no person asked for. */
export const isByRotation = (
  request: OwnershipRequest,
): request is Extract<OwnershipRequest, { kind: 'assign' | 'pass' }> =>
  request.kind === 'assign' || request.kind === 'pass';

export type OwnershipOutcome =
  | { readonly kind: 'changed'; readonly conversation: Conversation; readonly event: OwnershipEvent }
  /** Someone else owns it (they claimed first). */
  | { readonly kind: 'alreadyOwned'; readonly owner: string }
  /** Nobody owns it, so there is nothing to hand over or release. */
  | { readonly kind: 'notOwned' }
  /** The actor is neither the owner nor a manager. */
  | { readonly kind: 'notAllowed'; readonly owner: string }
  /** Handing over to the current owner. */
  | { readonly kind: 'unchanged' }
  /** The lead is closed: nobody claims, hands over or releases it (a new active lead reopens it). */
  | ClosedRefusal
  | { readonly kind: 'notFound' };

/** What pressing Accept did. */
export type AcceptOutcome =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'alreadyAccepted' }
  | { readonly kind: 'notYours'; readonly owner: string | null }
  | { readonly kind: 'closed' }
  | { readonly kind: 'notFound' };

export interface Transition {
  readonly expected: string | null;
  readonly to: string | null;
  readonly kind: OwnershipChangeKind;
  readonly by: string;
}

/** Checks a request against the current owner: the transition to attempt, or why there is none. */
export function planOwnershipChange(
  request: OwnershipRequest,
  owner: string | null,
  actorIsManager: boolean,
): Transition | OwnershipOutcome {
  switch (request.kind) {
    case 'claim':
      if (owner !== null) return { kind: 'alreadyOwned', owner };
      return { expected: null, to: request.actor, kind: 'claim', by: request.actor };
    case 'assign':
      if (owner !== null) return { kind: 'alreadyOwned', owner };
      return { expected: null, to: request.to, kind: 'assign', by: request.by ?? 'rotation' };
    case 'pass':
      // Someone else took it since the pass was decided on: it stays where it is.
      if (owner !== request.from)
        return owner === null ? { kind: 'notOwned' } : { kind: 'alreadyOwned', owner };
      return { expected: request.from, to: request.to, kind: 'pass', by: 'rotation' };
    case 'handover':
    case 'release': {
      if (owner === null) return { kind: 'notOwned' };
      const isOwner = owner === request.actor;
      if (!isOwner && !actorIsManager) return { kind: 'notAllowed', owner };
      if (request.kind === 'release')
        return { expected: owner, to: null, kind: 'release', by: request.actor };
      if (request.to === owner) return { kind: 'unchanged' };
      return { expected: owner, to: request.to, kind: isOwner ? 'handover' : 'reassign', by: request.actor };
    }
  }
}

export const isTransition = (value: Transition | OwnershipOutcome): value is Transition =>
  'expected' in value;
