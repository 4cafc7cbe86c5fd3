import { type Conversation, type FollowUp, lastActivity } from '../domain/conversation.ts';
import { nextStepDueAt, parseTimeOfDay, type Staleness, staleness } from '../domain/follow-through.ts';
import { nextWorkingTime } from '../domain/sla.ts';
import type { SlaPolicy } from '../domain/sla-policy.ts';
import type { ConversationStore } from '../stores/conversation-store.ts';
import type { DeliveryStore } from '../stores/delivery-store.ts';
import type { DueItem, DueStore } from '../stores/due-store.ts';
import { type ConversationMessageDeps, subjectOf } from './conversation-message.ts';
import { deliverOnce } from './deliver-once.ts';

/** What following a lead through after its first follow-up needs: scheduling, and the team's rules. */
export interface FollowThroughDeps extends ConversationMessageDeps {
  readonly conversations: ConversationStore;
  readonly due: DueStore;
  readonly slaPolicyFor: (channel: string | null) => Promise<SlaPolicy>;
  /** After this many minutes without activity an owned lead is stale (null: never), per channel. */
  readonly staleMinutesFor: (channel: string | null) => Promise<number | null>;
}

/** When a follow-up's next step falls due for its owner (null: it planned none). */
export async function nextStepDue(
  conversation: Conversation,
  followUp: FollowUp,
  deps: FollowThroughDeps,
): Promise<Date | null> {
  if (followUp.nextStepOn === null) return null;
  const owner = conversation.owner?.userId ?? followUp.by;
  const profile = await deps.slack.userProfile(owner).catch(() => null);
  return nextStepDueAt({
    date: followUp.nextStepOn,
    timeOfDay: followUp.nextStepTime ? parseTimeOfDay(followUp.nextStepTime) : null,
    ownerTimeZone: profile?.timeZone ?? null,
    hours: (await deps.slaPolicyFor(conversation.channel)).businessHours,
    now: deps.clock(),
  });
}

/**
 * After anything happens to a lead (a new owner, a follow-up, a stage), schedules the check that it
 * has not gone quiet. Scheduling is idempotent: the same moment is one due item.
 */
export async function scheduleStaleCheck(conversation: Conversation, deps: FollowThroughDeps): Promise<void> {
  const stale = await stalenessNow(conversation, deps);
  if (stale === null) return;
  await deps.due.schedule({
    conversationId: conversation.id,
    kind: 'stale',
    at: stale.state.level === 'fresh' ? stale.state.staleAt : stale.now,
  });
}

/** How quiet an open, owned lead is now, by its channel's stale time; null when it is not checked. */
async function stalenessNow(
  conversation: Conversation,
  deps: FollowThroughDeps,
): Promise<{ state: Staleness; minutes: number; now: Date } | null> {
  if (conversation.closed !== null || conversation.owner === null) return null;
  const minutes = await deps.staleMinutesFor(conversation.channel);
  if (minutes === null) return null;
  const now = deps.clock();
  const state = staleness({
    lastActivity: lastActivity(conversation),
    pendingNextStepAt: conversation.nextStepDueAt,
    minutes,
    now,
  });
  return { state, minutes, now };
}

export interface FollowThroughRunDeps extends FollowThroughDeps {
  readonly deliveries: DeliveryStore;
  readonly escalationChannel: () => Promise<string | null>;
}

export type FollowThroughResult = 'reminded' | 'escalated' | 'dropped' | 'deferred';

/** The owner's reminder of the next step they planned, once, with the buttons to act on it. */
export async function remindNextStep(
  item: DueItem,
  deps: FollowThroughRunDeps,
): Promise<FollowThroughResult> {
  const conversation = await deps.conversations.getById(item.conversationId);
  const owner = conversation?.owner?.userId;
  // A later follow-up replaced the step (or a snooze moved it): this item is not the current one.
  if (
    !conversation ||
    conversation.closed ||
    !owner ||
    conversation.nextStepDueAt?.getTime() !== item.at.getTime()
  )
    return 'dropped';
  const subject = await subjectOf(conversation, deps.leadTable);
  await deliverOnce(
    `${conversation.id}|next-step|${item.at.toISOString()}`,
    item.at,
    { kind: 'dm', userId: owner },
    (key) => deps.slack.remindNextStep(subject, key),
    deps,
  );
  return 'reminded';
}

/**
 * An owned lead that went quiet: its owner is nudged once per quiet period (the period is named by its
 * last activity, so a new activity starts a new one), and at twice the time the managers are told.
 * Nothing is sent at night: the check waits for the team's working hours.
 */
export async function chaseStale(item: DueItem, deps: FollowThroughRunDeps): Promise<FollowThroughResult> {
  const conversation = await deps.conversations.getById(item.conversationId);
  const owner = conversation?.owner?.userId;
  const stale = conversation ? await stalenessNow(conversation, deps) : null;
  if (!conversation || !owner || stale === null) return 'dropped';
  const { state, minutes, now } = stale;
  if (state.level === 'fresh') {
    // Something happened since, or the setting changed: check again when it could be stale.
    await deps.due.schedule({ conversationId: conversation.id, kind: 'stale', at: state.staleAt });
    return 'dropped';
  }
  const hours = (await deps.slaPolicyFor(conversation.channel)).businessHours;
  const working = nextWorkingTime(now, hours);
  if (working > now) {
    await deps.due.schedule({ conversationId: conversation.id, kind: 'stale', at: working });
    return 'deferred';
  }
  const subject = await subjectOf(conversation, deps.leadTable);
  const period = `${conversation.id}|stale|${state.since.toISOString()}`;
  if (state.level === 'nudge') {
    await deliverOnce(
      `${period}|nudge`,
      item.at,
      { kind: 'dm', userId: owner },
      (key) => deps.slack.nudgeStale(subject, minutes, key),
      deps,
    );
    await deps.due.schedule({ conversationId: conversation.id, kind: 'stale', at: state.escalateAt });
    return 'reminded';
  }
  const channel = (await deps.escalationChannel()) ?? conversation.channel;
  if (channel === null) return 'dropped';
  await deliverOnce(
    `${period}|escalate`,
    item.at,
    { kind: 'channel', channel },
    (key) =>
      deps.slack.reportAssignmentProblem(channel, subject, { kind: 'stale', minutes: minutes * 2 }, key),
    deps,
  );
  return 'escalated';
}

/**
 * Schedules the stale check of every open, owned lead (hourly, with the roster): leads that were
 * quiet before `/leads stale` was set are checked too. Scheduling an existing check changes nothing.
 */
export async function sweepStaleChecks(deps: FollowThroughDeps): Promise<number> {
  const settingsOff = (await deps.staleMinutesFor(null)) === null;
  const open = (await deps.conversations.listOwned()).filter((c) => c.closed === null && c.owner !== null);
  let scheduled = 0;
  for (const conversation of open) {
    if (settingsOff && (await deps.staleMinutesFor(conversation.channel)) === null) continue;
    await scheduleStaleCheck(conversation, deps);
    scheduled += 1;
  }
  return scheduled;
}
