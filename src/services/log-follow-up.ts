import {
  type Conversation,
  type FollowUp,
  type FollowUpOutcome,
  isAwaitingFollowUp,
  type SnoozeOutcome,
} from '../domain/conversation.ts';
import type { DueStore } from '../stores/due-store.ts';
import type { OwnershipDeps } from './change-owner.ts';
import { noteInThread, refreshConversationMessage } from './conversation-message.ts';

/** Checks that `actor` may act on the conversation's follow-ups: its owner, or a manager. */
export async function followUpTarget(
  conversationId: string,
  actor: string,
  deps: OwnershipDeps,
): Promise<{ kind: 'ok'; conversation: Conversation } | Exclude<FollowUpOutcome, { kind: 'logged' }>> {
  const conversation = await deps.conversations.getById(conversationId);
  if (conversation === null) return { kind: 'notFound' };
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
  const conversation = await deps.conversations.recordFollowUp(conversationId, followUp);
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
  deps: OwnershipDeps & { readonly due: DueStore },
): Promise<SnoozeOutcome> {
  const target = await followUpTarget(conversationId, actor, deps);
  if (target.kind !== 'ok') return target;
  const conversation = await deps.conversations.snooze(conversationId, until);
  await deps.due.schedule({ conversationId, kind: 'remind', at: until });
  await refreshConversationMessage(conversation, deps);
  await noteInThread(conversation, { kind: 'snooze', by: actor, until }, deps);
  return { kind: 'snoozed', until };
}
