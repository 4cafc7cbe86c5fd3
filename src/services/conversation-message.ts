import type { Conversation } from '../domain/conversation.ts';
import type { CrmCard } from '../domain/crm-customer.ts';
import { type Lead, type LeadId, leadIdText, parseLeadRow } from '../domain/lead.ts';
import type { Logger } from '../logger.ts';
import type { ConversationStore } from '../stores/conversation-store.ts';
import type { LeadRecordStore } from '../stores/lead-record-store.ts';
import type { LeadTable } from '../stores/lead-table.ts';
import { type ConversationSubject, SlackCallError, type SlackPort, type ThreadNote } from './slack-port.ts';

export interface ConversationMessageDeps {
  readonly leadTable: LeadTable;
  readonly slack: SlackPort;
  readonly log: Logger;
  readonly clock: () => Date;
  /** Where the conversation's first lead is in the CRM; absent when no CRM is connected. */
  readonly crmCard?: (rootLeadId: LeadId) => Promise<CrmCard | null>;
}

/** The first lead of a conversation, read again from Microsoft's table; null when the row is gone. */
export async function rootLeadOf(conversation: Conversation, leadTable: LeadTable): Promise<Lead | null> {
  const row = await leadTable.get(conversation.rootLeadId);
  return row === null ? null : parseLeadRow(row);
}

/** The conversation with its first lead, as messages about it show it. */
export async function subjectOf(
  conversation: Conversation,
  leadTable: LeadTable,
): Promise<ConversationSubject> {
  return { conversation, rootLead: await rootLeadOf(conversation, leadTable) };
}

/**
 * Redraws the conversation's first message after a change. A Slack failure is logged, not thrown:
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
    // The card without its CRM link beats no update: the link comes back with the next refresh.
    const crm = (await deps.crmCard?.(conversation.rootLeadId).catch(() => null)) ?? null;
    await deps.slack.showConversation(conversation, root, crm);
  } catch (error) {
    if (!(error instanceof SlackCallError)) throw error;
    deps.log.warn('could not refresh the conversation’s first message', {
      error: error.code,
      conversationId: conversation.id,
    });
  }
}

/** A note in the conversation's thread; a Slack failure is logged, since the change is recorded already. */
export async function noteInThread(
  conversation: Conversation,
  note: ThreadNote,
  deps: ConversationMessageDeps,
): Promise<void> {
  try {
    await deps.slack.noteInThread(conversation, note);
  } catch (error) {
    if (!(error instanceof SlackCallError)) throw error;
    deps.log.warn('could not post a note in the lead’s thread', {
      error: error.code,
      conversationId: conversation.id,
    });
  }
}

/**
 * Shows on a lead's card what just changed outside the conversation (its CRM record was written):
 * the card of the conversation the lead began; nothing for a later lead of a conversation (its card
 * shows the first lead) or a lead that was never posted.
 */
export async function refreshCardOfLead(
  leadId: LeadId,
  deps: ConversationMessageDeps & {
    readonly leadRecords: Pick<LeadRecordStore, 'get'>;
    readonly conversations: Pick<ConversationStore, 'get'>;
  },
): Promise<void> {
  const key = (await deps.leadRecords.get(leadId))?.conversationKey ?? null;
  const conversation = key === null ? null : await deps.conversations.get(key);
  if (conversation === null || leadIdText(conversation.rootLeadId) !== leadIdText(leadId)) return;
  await refreshConversationMessage(conversation, deps);
}
