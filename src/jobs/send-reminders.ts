import { type Conversation, isAwaitingFollowUp } from '../domain/conversation.ts';
import { isWorkingTime, nextWorkingTime } from '../domain/sla.ts';
import type { AssignDeps } from '../services/assign-from-rotation.ts';
import { subjectOf } from '../services/conversation-message.ts';
import { deliverOnce } from '../services/deliver-once.ts';
import { chaseStale, remindNextStep } from '../services/follow-through.ts';
import { chaseUnclaimed, passOnUnaccepted } from '../services/rotation-follow-ups.ts';
import { type DeliveryPlace, SlackCallError } from '../services/slack-port.ts';
import type { ClaimedDueItem } from '../stores/due-store.ts';

/** Besides SLA reminders, the run handles the rotation's due work: accept-or-pass and unclaimed leads. */
export interface ReminderDeps extends AssignDeps {
  readonly processId: string;
  /** A claim on a due item older than this belongs to a process presumed dead. */
  readonly claimTimeoutMs: number;
}

/** What one reminder run did; every due item read is counted once. */
export interface ReminderSummary {
  readonly due: number;
  readonly reminded: number;
  readonly escalated: number;
  /** Leads moved on to the next rep of their rotation (not accepted in time). */
  readonly passed: number;
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

/** Sends one step of an item once (see deliverOnce): its key names the item and the step. */
function deliverStep(
  item: ClaimedDueItem,
  step: string,
  place: DeliveryPlace,
  send: (delivery: string) => Promise<void>,
  deps: ReminderDeps,
): Promise<void> {
  const delivery = `${item.conversationId}|${item.kind}|${item.at.toISOString()}|${step}`;
  // `at` is the scheduling process's clock: deliverOnce searches from as far before it as clocks differ.
  return deliverOnce(delivery, item.at, place, send, deps);
}

async function send(item: ClaimedDueItem, conversation: Conversation, deps: ReminderDeps): Promise<Result> {
  const subject = await subjectOf(conversation, deps.leadTable);
  if (item.kind === 'escalate') {
    const channel = (await deps.escalationChannel()) ?? conversation.channel;
    if (channel === null) return 'dropped';
    await deliverStep(
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
    await deliverStep(
      item,
      'owner',
      { kind: 'dm', userId: owner },
      (d) => deps.slack.remindOwner(subject, d),
      deps,
    );
  else
    await deliverStep(
      item,
      'channel',
      { kind: 'channel', channel: conversation.channel },
      (d) => deps.slack.remindUnclaimed(subject, d),
      deps,
    );
  if (conversation.ts !== null)
    await deliverStep(
      item,
      'thread',
      { kind: 'thread', channel: conversation.channel, threadTs: conversation.ts },
      (d) => deps.slack.noteReminderInThread(conversation, owner, d),
      deps,
    );
  return 'reminded';
}

async function handle(item: ClaimedDueItem, deps: ReminderDeps, now: Date): Promise<Result> {
  // Each of these decides its own timing: scheduled in working time (accept, unclaimed, a next step
  // without a time), as the rep chose (a next step at a time), or deferred by the check (stale).
  switch (item.kind) {
    case 'accept':
      return passOnUnaccepted(item, deps);
    case 'unclaimed':
    case 'unclaimedEscalate':
      return chaseUnclaimed(item, deps);
    case 'nextStep':
      return remindNextStep(item, deps);
    case 'stale':
      return chaseStale(item, deps);
  }
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
  const counts: Record<Result, number> = {
    reminded: 0,
    escalated: 0,
    passed: 0,
    dropped: 0,
    deferred: 0,
    failed: 0,
  };
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
