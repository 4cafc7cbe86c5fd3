import {
  type Closure,
  type Conversation,
  type FollowUpOutcome,
  pipelineStage,
  type QualifyOutcome,
} from '../domain/conversation.ts';
import type { OwnershipDeps } from './change-owner.ts';
import { noteInThread, refreshConversationMessage } from './conversation-message.ts';
import { queueCrmChange } from './crm-write-back.ts';
import { scheduleStaleCheck } from './follow-through.ts';
import { followUpTarget } from './log-follow-up.ts';

export type CloseOutcome =
  | { readonly kind: 'closed'; readonly conversation: Conversation }
  | Exclude<FollowUpOutcome, { kind: 'logged' }>;

/**
 * Closes a lead (won, lost, not a fit): it leaves every reminder and overdue list, the message shows the
 * outcome, and the thread says who closed it and why. Only the owner or a manager may close.
 */
export async function closeLead(
  conversationId: string,
  closure: Closure,
  deps: OwnershipDeps,
): Promise<CloseOutcome> {
  const target = await followUpTarget(conversationId, closure.by, deps);
  if (target.kind !== 'ok') return target;
  const stage = pipelineStage({ ...target.conversation, closed: closure });
  await queueCrmChange(
    target.conversation,
    { kind: 'stage', at: closure.at, by: closure.by, stage, reason: closure.reason },
    deps,
  );
  const { conversation, closedNow } = await deps.conversations.close(conversationId, closure);
  // Closed by someone else since the check: theirs stands, and nothing is announced twice (the change
  // queued above is dropped by the CRM job: the conversation does not show it).
  if (!closedNow && conversation.closed !== null) return { kind: 'closed', closure: conversation.closed };
  await refreshConversationMessage(conversation, deps);
  await noteInThread(conversation, { kind: 'closed', closure }, deps);
  await deps.afterChange?.([closure.by, ...(conversation.owner ? [conversation.owner.userId] : [])]);
  return { kind: 'closed', conversation };
}

/**
 * Marks a lead Qualified (the owner or a manager): the message shows the stage, the thread says who
 * did it, and the time without activity starts again.
 */
export async function qualifyLead(
  conversationId: string,
  actor: string,
  deps: OwnershipDeps,
): Promise<QualifyOutcome> {
  const target = await followUpTarget(conversationId, actor, deps);
  if (target.kind !== 'ok') return target;
  const qualification = { by: actor, at: deps.clock() };
  await queueCrmChange(
    target.conversation,
    { kind: 'stage', at: qualification.at, by: actor, stage: 'Qualified', reason: null },
    deps,
  );
  const { conversation, qualifiedNow } = await deps.conversations.qualify(conversationId, qualification);
  if (conversation.closed !== null) return { kind: 'closed', closure: conversation.closed };
  if (!qualifiedNow) return { kind: 'alreadyQualified' };
  await refreshConversationMessage(conversation, deps);
  await noteInThread(conversation, { kind: 'qualified', qualification }, deps);
  await scheduleStaleCheck(conversation, deps);
  await deps.afterChange?.([actor]);
  return { kind: 'qualified', conversation };
}
