import { explainLead } from '../domain/explain.ts';
import { customerLabel } from '../slack/blocks/lead-message.ts';
import { renderNewOwnerMessage, renderOwnershipNote } from '../slack/blocks/ownership-notes.ts';
import { SlackCallError } from '../slack/gateway.ts';
import type { Conversation, ConversationStore } from '../stores/conversation-store.ts';
import type { OwnershipChangeKind, OwnershipEvent, OwnershipLog } from '../stores/ownership-log.ts';
import {
  type ConversationMessageDeps,
  refreshConversationMessage,
  rootLeadOf,
} from './conversation-message.ts';

/** Who may do more than work their own leads. */
export interface Roles {
  /** Managers and admins may reassign, release, follow up or close any lead. */
  isManager(userId: string): Promise<boolean>;
  /** Admins set the rules. */
  isAdmin(userId: string): Promise<boolean>;
}

export interface OwnershipDeps extends ConversationMessageDeps {
  readonly conversations: ConversationStore;
  readonly ownershipLog: OwnershipLog;
  readonly roles: Roles;
  readonly clock: () => Date;
  /** Told which reps' views changed (their App Home is refreshed); failures are its own to handle. */
  readonly afterChange?: (userIds: readonly string[]) => Promise<void>;
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
  | { readonly kind: 'notFound' };

interface Transition {
  readonly expected: string | null;
  readonly to: string | null;
  readonly kind: OwnershipChangeKind;
  readonly by: string;
}

/** Checks a request against the current owner: the transition to attempt, or why there is none. */
function plan(
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

const isTransition = (value: Transition | OwnershipOutcome): value is Transition => 'expected' in value;

/**
 * Changes a conversation's owner: claim (first click wins), hand-over, release, reassignment by a
 * manager, or assignment by the rotation. The write is conditional on the owner the decision was made
 * on, so a concurrent change turns into `alreadyOwned` rather than a second owner. Afterwards the change
 * is logged, the first message shows the new owner, the thread says what happened, and a new owner who
 * did not take the lead themselves gets a direct message.
 */
export async function changeOwner(
  conversationId: string,
  request: OwnershipRequest,
  deps: OwnershipDeps,
): Promise<OwnershipOutcome> {
  for (;;) {
    const current = await deps.conversations.getById(conversationId);
    if (current === null) return { kind: 'notFound' };
    const actorIsManager = request.kind !== 'assign' && (await deps.roles.isManager(request.actor));
    const decision = plan(request, current.owner?.userId ?? null, actorIsManager);
    if (!isTransition(decision)) return decision;
    const at = deps.clock();
    const change = await deps.conversations.setOwner(conversationId, decision.expected, decision.to, at);
    if (change === null) return { kind: 'notFound' };
    // The owner moved between the read and the write: decide again on what is there now.
    if (change.kind === 'conflict') continue;
    const event: OwnershipEvent = {
      conversationId,
      kind: decision.kind,
      by: decision.by,
      from: decision.expected,
      to: decision.to,
      at,
    };
    await deps.ownershipLog.record(event);
    await announce(change.conversation, event, deps);
    await deps.afterChange?.([event.from, event.to].filter((id): id is string => id !== null));
    return { kind: 'changed', conversation: change.conversation, event };
  }
}

async function announce(
  conversation: Conversation,
  event: OwnershipEvent,
  deps: OwnershipDeps,
): Promise<void> {
  await refreshConversationMessage(conversation, deps);
  if (conversation.channel === null || conversation.ts === null) return;
  try {
    await deps.slack.postMessage({
      channel: conversation.channel,
      threadTs: conversation.ts,
      ...renderOwnershipNote(event),
    });
    if (event.to === null || event.kind === 'claim') return;
    const root = await rootLeadOf(conversation, deps.leadTable);
    const latest = conversation.stages.at(-1);
    await deps.slack.postMessage({
      channel: event.to,
      ...renderNewOwnerMessage({
        kind: event.kind,
        by: event.by,
        customer: root ? customerLabel(root.customer) : 'a customer',
        stage: latest ? explainLead(latest).stage : 'lead',
        permalink: await deps.slack.permalink(conversation.channel, conversation.ts),
      }),
    });
  } catch (error) {
    // The change itself is recorded and shown on the message; a missing note or DM is logged.
    if (!(error instanceof SlackCallError)) throw error;
    deps.log.warn('could not announce an ownership change', {
      error: error.code,
      conversationId: conversation.id,
    });
  }
}
