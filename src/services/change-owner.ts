import type { Conversation } from '../domain/conversation.ts';
import {
  isByRotation,
  isTransition,
  type OwnershipEvent,
  type OwnershipOutcome,
  type OwnershipRequest,
  planOwnershipChange,
} from '../domain/ownership.ts';
import type { ConversationStore } from '../stores/conversation-store.ts';
import type { OwnershipLog } from '../stores/ownership-log.ts';
import { refreshConversationMessage, subjectOf } from './conversation-message.ts';
import { type CrmWriteBackDeps, queueCrmChange } from './crm-write-back.ts';
import { type FollowThroughDeps, scheduleStaleCheck } from './follow-through.ts';
import type { Roles } from './roles.ts';
import { SlackCallError } from './slack-port.ts';

export interface OwnershipDeps extends FollowThroughDeps, CrmWriteBackDeps {
  readonly conversations: ConversationStore;
  readonly ownershipLog: OwnershipLog;
  readonly roles: Roles;
  readonly clock: () => Date;
  /** Told which reps' views changed (their App Home is refreshed); failures are its own to handle. */
  readonly afterChange?: (userIds: readonly string[]) => Promise<void>;
}

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
    if (current.closed !== null) return { kind: 'closed', closure: current.closed };
    const actorIsManager = !isByRotation(request) && (await deps.roles.isManager(request.actor));
    const decision = planOwnershipChange(request, current.owner?.userId ?? null, actorIsManager);
    if (!isTransition(decision)) return decision;
    const at = deps.clock();
    // A lead the rotation gives waits to be accepted; one a person claimed or gave is accepted.
    const accepted = !isByRotation(request);
    if (decision.to !== null)
      await queueCrmChange(current, { kind: 'owner', at, by: decision.by, ownerId: decision.to }, deps);
    const change = await deps.conversations.setOwner(
      conversationId,
      decision.expected,
      decision.to,
      at,
      accepted,
    );
    if (change === null) return { kind: 'notFound' };
    // The owner moved between the read and the write: decide again on what is there now (the change
    // queued above is dropped by the CRM job: the conversation does not show it).
    if (change.kind === 'conflict') continue;
    const event: OwnershipEvent = {
      conversationId,
      kind: decision.kind,
      by: decision.by,
      from: decision.expected,
      to: decision.to,
      at,
      ...(isByRotation(request) && request.skipped?.length ? { skipped: request.skipped } : {}),
      ...(request.kind === 'pass' ? { reason: request.reason } : {}),
      ...(isByRotation(request) && request.acceptWithinMinutes && decision.to !== null
        ? { acceptWithinMinutes: request.acceptWithinMinutes }
        : {}),
    };
    await deps.ownershipLog.record(event);
    await scheduleStaleCheck(change.conversation, deps);
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
    await deps.slack.noteInThread(conversation, { kind: 'ownership', event });
    if (event.to === null || event.kind === 'claim') return;
    await deps.slack.tellNewOwner(event, await subjectOf(conversation, deps.leadTable));
  } catch (error) {
    // The change itself is recorded and shown on the message; a missing note or DM is logged.
    if (!(error instanceof SlackCallError)) throw error;
    deps.log.warn('could not announce an ownership change', {
      error: error.code,
      conversationId: conversation.id,
    });
  }
}
