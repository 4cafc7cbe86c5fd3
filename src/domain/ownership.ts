import type { ClosedRefusal, Conversation } from './conversation.ts';

/** Why a conversation's owner changed. */
export type OwnershipChangeKind = 'claim' | 'assign' | 'handover' | 'release' | 'reassign';

export interface OwnershipEvent {
  readonly conversationId: string;
  readonly kind: OwnershipChangeKind;
  /** Who did it: a Slack user id, or `rotation` for automatic assignment. */
  readonly by: string;
  readonly from: string | null;
  readonly to: string | null;
  readonly at: Date;
}

export type OwnershipRequest =
  | { readonly kind: 'claim'; readonly actor: string }
  | { readonly kind: 'handover'; readonly actor: string; readonly to: string }
  | { readonly kind: 'release'; readonly actor: string }
  /** Automatic assignment by a channel's rotation. */
  | { readonly kind: 'assign'; readonly to: string };

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
      return { expected: null, to: request.to, kind: 'assign', by: 'rotation' };
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
