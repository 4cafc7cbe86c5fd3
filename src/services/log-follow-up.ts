import {
  type Conversation,
  type FollowUp,
  type FollowUpOutcome,
  isAwaitingFollowUp,
  pipelineStage,
  type SnoozeOutcome,
} from '../domain/conversation.ts';
import { acceptanceEvent } from '../domain/ownership.ts';
import type { OnceStore } from '../stores/once-store.ts';
import type { OwnershipDeps } from './change-owner.ts';
import { noteInThread, refreshConversationMessage } from './conversation-message.ts';
import { queueCrmChange } from './crm-write-back.ts';
import { nextStepDue, scheduleStaleCheck } from './follow-through.ts';
import { acceptAssignment } from './rotation-follow-ups.ts';

/** Checks that `actor` may act on the conversation's follow-ups: its owner, or a manager. */
export async function followUpTarget(
  conversationId: string,
  actor: string,
  deps: OwnershipDeps,
): Promise<{ kind: 'ok'; conversation: Conversation } | Exclude<FollowUpOutcome, { kind: 'logged' }>> {
  const conversation = await deps.conversations.getById(conversationId);
  if (conversation === null) return { kind: 'notFound' };
  if (conversation.closed !== null) return { kind: 'closed', closure: conversation.closed };
  const owner = conversation.owner?.userId ?? null;
  if (owner !== actor && !(owner !== null && (await deps.roles.isManager(actor))))
    return { kind: 'notAllowed', owner };
  return { kind: 'ok', conversation };
}

/**
 * Records a follow-up: it stops the clock (no more reminders), the first message shows who followed up
 * and how soon, and the thread says what was done.
 */
export async function logFollowUp(
  conversationId: string,
  followUp: FollowUp,
  deps: OwnershipDeps,
): Promise<FollowUpOutcome> {
  const target = await followUpTarget(conversationId, followUp.by, deps);
  if (target.kind !== 'ok') return target;
  const stoppedClock = isAwaitingFollowUp(target.conversation);
  const owner = target.conversation.owner;
  const nextStepAt = await nextStepDue(target.conversation, followUp, deps);
  const contacted = {
    ...target.conversation,
    firstFollowUpAt: target.conversation.firstFollowUpAt ?? followUp.at,
  };
  await queueCrmChange(
    target.conversation,
    {
      kind: 'followUp',
      at: followUp.at,
      by: followUp.by,
      followUpKind: followUp.kind,
      note: followUp.note,
      nextStepOn: followUp.nextStepOn,
      stage: pipelineStage(contacted),
    },
    deps,
  );
  const conversation = await deps.conversations.recordFollowUp(conversationId, followUp, nextStepAt);
  if (nextStepAt !== null) await deps.due.schedule({ conversationId, kind: 'nextStep', at: nextStepAt });
  await scheduleStaleCheck(conversation, deps);
  // The assignee's own follow-up accepts a lead the rotation gave them (kept for the fairness figures).
  if (owner?.accepted === false && owner.userId === followUp.by && conversation.owner?.accepted)
    await deps.ownershipLog.record(acceptanceEvent(conversationId, followUp.by, followUp.at));
  await refreshConversationMessage(conversation, deps);
  await noteInThread(conversation, { kind: 'followUp', followUp }, deps);
  await deps.afterChange?.([followUp.by]);
  return { kind: 'logged', conversation, stoppedClock };
}

/** Holds the reminders of a conversation until `until`, when the owner is reminded again. */
export async function snoozeReminders(
  conversationId: string,
  actor: string,
  until: Date,
  deps: OwnershipDeps,
): Promise<SnoozeOutcome> {
  const target = await followUpTarget(conversationId, actor, deps);
  if (target.kind !== 'ok') return target;
  let conversation = await deps.conversations.snooze(conversationId, until);
  await deps.due.schedule({ conversationId, kind: 'remind', at: until });
  // A next step whose reminder came is snoozed with it.
  const step = conversation.nextStepDueAt;
  if (step !== null && step <= deps.clock()) {
    conversation = await deps.conversations.setNextStepDue(conversationId, until);
    await deps.due.schedule({ conversationId, kind: 'nextStep', at: until });
  }
  await refreshConversationMessage(conversation, deps);
  await noteInThread(conversation, { kind: 'snooze', by: actor, until }, deps);
  return { kind: 'snoozed', until };
}

/** A human's reply in a channel thread, as Slack delivered it. */
export interface ThreadReply {
  /** Slack's id of the delivery: the same for a redelivery (retry), so each is counted once. */
  readonly eventId: string;
  readonly channel: string;
  readonly threadTs: string;
  readonly user: string;
}

export type ThreadReplyOutcome =
  | { readonly kind: 'logged'; readonly conversation: Conversation }
  /** The assignee's reply accepted a lead the rotation gave them (no follow-up was awaited). */
  | { readonly kind: 'accepted' }
  /** Not in a lead's thread, not by its owner, or no follow-up awaited: conversation, not a follow-up. */
  | { readonly kind: 'ignored' }
  /** This delivery was handled already (by this process or another). */
  | { readonly kind: 'duplicate' };

/**
 * A reply by the owner in a lead's thread counts as a follow-up while one is awaited: once per awaited
 * clock, whichever process receives it, however often Slack retries it and however many replies arrive
 * at once (a conditional insert keyed by the clock). Otherwise the assignee's reply accepts a lead the
 * rotation gave them, once per delivery (keyed by its event id).
 */
export async function countThreadReply(
  reply: ThreadReply,
  deps: OwnershipDeps & { readonly once: OnceStore },
): Promise<ThreadReplyOutcome> {
  const conversation = await deps.conversations.findByMessage(reply.channel, reply.threadTs);
  if (conversation === null || conversation.owner?.userId !== reply.user) return { kind: 'ignored' };
  const awaiting = isAwaitingFollowUp(conversation);
  // With no follow-up awaited, the assignee's reply still accepts a lead the rotation gave them.
  if (!awaiting && conversation.owner.accepted) return { kind: 'ignored' };
  const at = deps.clock();
  // While a follow-up is awaited, the first reply of the clock logs it: of replies sent at once (each
  // its own event), exactly one wins this conditional insert; a redelivery of any of them loses too.
  const claim = awaiting
    ? `thread-follow-up-${conversation.id}-${conversation.sla?.startedAt.toISOString() ?? ''}`
    : `slack-event-${reply.eventId}`;
  if (!(await deps.once.claim(claim, at))) return { kind: 'duplicate' };
  if (!awaiting) {
    const accepted = await acceptAssignment(conversation.id, reply.user, deps);
    return accepted.kind === 'accepted' ? { kind: 'accepted' } : { kind: 'ignored' };
  }
  const outcome = await logFollowUp(
    conversation.id,
    { by: reply.user, at, kind: 'thread reply', note: null, nextStepOn: null },
    deps,
  );
  return outcome.kind === 'logged'
    ? { kind: 'logged', conversation: outcome.conversation }
    : { kind: 'ignored' };
}
