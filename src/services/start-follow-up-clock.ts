import type { Conversation } from '../domain/conversation.ts';
import type { Lead } from '../domain/lead.ts';
import { deadlinesFor, type SlaPolicy } from '../domain/sla-policy.ts';
import type { ConversationStore } from '../stores/conversation-store.ts';
import type { DueStore } from '../stores/due-store.ts';

export interface FollowUpClockDeps {
  readonly conversations: ConversationStore;
  readonly due: DueStore;
  /** The policy in force for a channel: admin settings over the configuration, with its business hours. */
  readonly slaPolicyFor: (channel: string | null) => Promise<SlaPolicy>;
}

/**
 * Starts the follow-up SLA when an active lead joins a conversation, counted from the lead's arrival
 * (not from a later assignment: the customer's wait does not restart when the lead changes hands).
 * A clock already waiting keeps its earlier deadline. Returns the conversation as it now stands.
 */
export async function startFollowUpClock(
  lead: Lead,
  conversation: Conversation,
  channel: string,
  deps: FollowUpClockDeps,
): Promise<Conversation> {
  const deadlines = deadlinesFor(lead, await deps.slaPolicyFor(channel));
  if (deadlines === null) return conversation;
  const { conversation: updated, started } = await deps.conversations.startSla(conversation.id, {
    action: lead.actionCode ?? lead.action,
    minutes: deadlines.slaMinutes,
    claimMinutes: deadlines.claimMinutes,
    startedAt: lead.receivedAt,
    remindAt: deadlines.remindAt,
    escalateAt: deadlines.escalateAt,
  });
  if (started) {
    await deps.due.schedule({ conversationId: conversation.id, kind: 'remind', at: deadlines.remindAt });
    await deps.due.schedule({ conversationId: conversation.id, kind: 'escalate', at: deadlines.escalateAt });
  }
  return updated;
}
