import { differenceInMinutes } from 'date-fns';
import { type Lead, parseLeadRow } from '../domain/lead.ts';
import type { Logger } from '../logger.ts';
import { renderLeadMessage } from '../slack/blocks/lead-message.ts';
import type { RenderedMessage } from '../slack/blocks/types.ts';
import { SlackCallError, type SlackGateway } from '../slack/gateway.ts';
import { type Conversation, isAwaitingFollowUp } from '../stores/conversation-store.ts';
import type { LeadTable } from '../stores/lead-table.ts';

export interface ConversationMessageDeps {
  readonly leadTable: LeadTable;
  readonly slack: SlackGateway;
  readonly log: Logger;
  readonly clock: () => Date;
}

/** A conversation's first message: the first lead, the latest stage and journey, the owner and controls. */
export function renderConversation(conversation: Conversation, rootLead: Lead, now: Date): RenderedMessage {
  const { sla, followUp } = conversation;
  const awaiting = isAwaitingFollowUp(conversation);
  const arrival = sla?.startedAt ?? conversation.stages[0]?.at ?? rootLead.receivedAt;
  return renderLeadMessage(rootLead, {
    stages: conversation.stages,
    ownership: {
      conversationId: conversation.id,
      owner: conversation.owner,
      closed: conversation.closed,
      followUpDue: awaiting ? (sla?.remindAt ?? null) : null,
      snoozedUntil:
        awaiting && conversation.snoozedUntil && conversation.snoozedUntil > now
          ? conversation.snoozedUntil
          : null,
      followedUp:
        !awaiting && followUp
          ? { by: followUp.by, minutesAfterArrival: differenceInMinutes(followUp.at, arrival) }
          : null,
    },
  });
}

/** The first lead of a conversation, read again from Microsoft's table; null when the row is gone. */
export async function rootLeadOf(conversation: Conversation, leadTable: LeadTable): Promise<Lead | null> {
  const row = await leadTable.get(conversation.rootLeadId);
  return row === null ? null : parseLeadRow(row);
}

/**
 * Re-renders the conversation's first message after a change. A Slack failure is logged, not thrown:
 * the change is recorded already, and the next change refreshes the message again.
 */
export async function refreshConversationMessage(
  conversation: Conversation,
  deps: ConversationMessageDeps,
): Promise<void> {
  if (conversation.channel === null || conversation.ts === null) return;
  const root = await rootLeadOf(conversation, deps.leadTable);
  if (root === null) return;
  try {
    await deps.slack.updateMessage(
      conversation.channel,
      conversation.ts,
      renderConversation(conversation, root, deps.clock()),
    );
  } catch (error) {
    if (!(error instanceof SlackCallError)) throw error;
    deps.log.warn('could not refresh the conversation’s first message', {
      error: error.code,
      conversationId: conversation.id,
    });
  }
}
