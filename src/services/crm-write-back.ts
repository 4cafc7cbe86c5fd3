import type { Conversation } from '../domain/conversation.ts';
import { type CrmChange, crmChangeKeyOf } from '../domain/crm-change.ts';
import { crmKeyOf } from '../domain/crm-lead.ts';
import type { CrmOutbox } from '../stores/crm-outbox.ts';

export interface CrmWriteBackDeps {
  /** Absent when no CRM is configured: nothing is written back. */
  readonly crmChanges?: Pick<CrmOutbox, 'enqueueChange'>;
}

/**
 * Queues a change a person is about to record on a conversation, for its CRM record: the record of the
 * conversation's first lead (the one its card shows), written by the CRM job in order after the lead's
 * own write. Call it before recording the change: a process that stops between the two writes then
 * leaves a queued change the CRM job checks against the conversation (recordingOf), writing it if it
 * was recorded and dropping it if not. Recorded first, a stop in between would lose it for the CRM.
 * A queue that cannot be written throws: the change is not recorded, and the person tries again.
 */
export async function queueCrmChange(
  conversation: Conversation,
  change: CrmChange,
  deps: CrmWriteBackDeps,
): Promise<void> {
  if (deps.crmChanges === undefined) return;
  const key = crmChangeKeyOf(crmKeyOf(conversation.rootLeadId), change);
  await deps.crmChanges.enqueueChange(key, conversation.rootLeadId, {
    ...change,
    conversationId: conversation.id,
  });
}
