import type { Conversation } from '../domain/conversation.ts';
import { type CrmChange, crmChangeKeyOf } from '../domain/crm-change.ts';
import { crmKeyOf } from '../domain/crm-lead.ts';
import type { Logger } from '../logger.ts';
import type { CrmOutbox } from '../stores/crm-outbox.ts';

export interface CrmWriteBackDeps {
  /** Absent when no CRM is configured: nothing is written back. */
  readonly crmChanges?: Pick<CrmOutbox, 'enqueueChange'>;
  readonly log: Logger;
}

/**
 * Queues what just happened to a conversation for its CRM record: the record of the conversation's
 * first lead (the one its card shows), written by the CRM job in order after the lead's own write.
 * The change is already recorded and shown in Slack; a queue that cannot be written is logged, not
 * thrown at the person who clicked (their action happened).
 */
export async function queueCrmChange(
  conversation: Conversation,
  change: CrmChange,
  deps: CrmWriteBackDeps,
): Promise<void> {
  if (deps.crmChanges === undefined) return;
  const key = crmChangeKeyOf(crmKeyOf(conversation.rootLeadId), change);
  try {
    await deps.crmChanges.enqueueChange(key, conversation.rootLeadId, change);
  } catch (error) {
    deps.log.error('could not queue a change for the CRM: its record will miss it', {
      conversationId: conversation.id,
      change: change.kind,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
