import { type Conversation, isAwaitingFollowUp } from '../domain/conversation.ts';
import { isWorkingTime, nextWorkingTime } from '../domain/sla.ts';
import type { SlaPolicy } from '../domain/sla-policy.ts';
import { type ConversationMessageDeps, rootLeadOf } from '../services/conversation-message.ts';
import { type DeliveryPlace, MAX_CLOCK_SKEW_MS, SlackCallError } from '../services/slack-port.ts';
import type { ConversationStore } from '../stores/conversation-store.ts';
import type { DeliveryStore } from '../stores/delivery-store.ts';
import type { ClaimedDueItem, DueStore } from '../stores/due-store.ts';

export interface ReminderDeps extends ConversationMessageDeps {
  readonly conversations: ConversationStore;
  readonly due: DueStore;
  readonly slaPolicyFor: (channel: string | null) => Promise<SlaPolicy>;
  /** Where escalations go; null: the lead's own channel. */
  readonly escalationChannel: () => Promise<string | null>;
  readonly processId: string;
  /** A claim on a due item older than this belongs to a process presumed dead. */
  readonly claimTimeoutMs: number;
  readonly clock: () => Date;
  /** Each step of an item (DM, channel message, thread note) sent once, across crashes. */
  readonly deliveries: DeliveryStore;
}

/** What one reminder run did; every due item read is counted once. */
export interface ReminderSummary {
  readonly due: number;
  readonly reminded: number;
  readonly escalated: number;
  /** Followed up, snoozed, or superseded since it was scheduled: nothing to send. */
  readonly dropped: number;
  /** Held by another process, or moved to the next working hours. */
  readonly deferred: number;
  readonly failed: number;
}

type Result = keyof Omit<ReminderSummary, 'due'>;

/** Each run handles at most this many items; the rest are due still and come next run. */
const BATCH = 200;

/** True while the item belongs to the conversation's current clock (a later clock supersedes it). */
function isCurrent(item: ClaimedDueItem, conversation: Conversation, now: Date): boolean {
  if (!isAwaitingFollowUp(conversation) || conversation.sla === null) return false;
  if (item.kind === 'escalate') return item.at >= conversation.sla.escalateAt;
  const snoozed = conversation.snoozedUntil !== null && conversation.snoozedUntil > now;
  return !snoozed && item.at >= conversation.sla.remindAt;
}

/**
 * Sends one step of an item once: begun before the message is sent, finished after. A step begun by an
 * attempt that never finished (killed, or Slack's answer lost) is looked for by its delivery key in
 * Slack before it is sent again.
 */
async function deliverOnce(
  item: ClaimedDueItem,
  step: string,
  place: DeliveryPlace,
  send: (delivery: string) => Promise<void>,
  deps: ReminderDeps,
): Promise<void> {
  const delivery = `${item.conversationId}|${item.kind}|${item.at.toISOString()}|${step}`;
  const state = await deps.deliveries.begin(delivery, deps.clock());
  if (state === 'sent') return;
  // `at` is the scheduling process's clock: searched from as far before it as clocks can differ.
  const oldest = new Date(item.at.getTime() - MAX_CLOCK_SKEW_MS);
  if (state === 'unknown' && (await deps.slack.findDelivery(delivery, place, oldest))) {
    await deps.deliveries.finish(delivery);
    return;
  }
  await send(delivery);
  await deps.deliveries.finish(delivery);
}

async function send(item: ClaimedDueItem, conversation: Conversation, deps: ReminderDeps): Promise<Result> {
  const subject = { conversation, rootLead: await rootLeadOf(conversation, deps.leadTable) };
  if (item.kind === 'escalate') {
    const channel = (await deps.escalationChannel()) ?? conversation.channel;
    if (channel === null) return 'dropped';
    await deliverOnce(
      item,
      'escalation',
      { kind: 'channel', channel },
      (d) => deps.slack.escalate(channel, subject, d),
      deps,
    );
    return 'escalated';
  }
  if (conversation.channel === null) return 'dropped';
  const owner = conversation.owner?.userId ?? null;
  if (owner !== null)
    await deliverOnce(
      item,
      'owner',
      { kind: 'dm', userId: owner },
      (d) => deps.slack.remindOwner(subject, d),
      deps,
    );
  else
    await deliverOnce(
      item,
      'channel',
      { kind: 'channel', channel: conversation.channel },
      (d) => deps.slack.remindUnclaimed(subject, d),
      deps,
    );
  if (conversation.ts !== null)
    await deliverOnce(
      item,
      'thread',
      { kind: 'thread', channel: conversation.channel, threadTs: conversation.ts },
      (d) => deps.slack.noteReminderInThread(conversation, owner, d),
      deps,
    );
  return 'reminded';
}

async function handle(item: ClaimedDueItem, deps: ReminderDeps, now: Date): Promise<Result> {
  const conversation = await deps.conversations.getById(item.conversationId);
  if (conversation === null || !isCurrent(item, conversation, now)) return 'dropped';
  const hours = (await deps.slaPolicyFor(conversation.channel)).businessHours;
  if (!isWorkingTime(now, hours)) {
    // No reminders at night: the same item waits for the next working hours.
    await deps.due.schedule({
      conversationId: item.conversationId,
      kind: item.kind,
      at: nextWorkingTime(now, hours),
    });
    return 'deferred';
  }
  return send(item, conversation, deps);
}

/**
 * One reminder run: reads only the reminders and escalations due now, claims each before sending (a
 * conditional write, so two processes never both send it), and removes it once sent.
 */
export async function sendReminders(deps: ReminderDeps): Promise<ReminderSummary> {
  const now = deps.clock();
  const items = await deps.due.listDue(now, BATCH);
  const counts: Record<Result, number> = { reminded: 0, escalated: 0, dropped: 0, deferred: 0, failed: 0 };
  for (const item of items) {
    const claimed = await deps.due.claim(item, deps.processId, now, deps.claimTimeoutMs);
    if (claimed === null) {
      counts.deferred += 1;
      continue;
    }
    try {
      counts[await handle(claimed, deps, now)] += 1;
      await deps.due.complete(claimed);
    } catch (error) {
      // Left claimed: retried once the claim times out, so a Slack outage delays a reminder, never loses it.
      if (!(error instanceof SlackCallError)) throw error;
      deps.log.warn('could not send a reminder', {
        error: error.code,
        conversationId: item.conversationId,
        kind: item.kind,
      });
      counts.failed += 1;
    }
  }
  return { due: items.length, ...counts };
}
