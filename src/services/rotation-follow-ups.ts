import type { Conversation } from '../domain/conversation.ts';
import { type AcceptOutcome, acceptanceEvent, type PassReason } from '../domain/ownership.ts';
import type { DueItem } from '../stores/due-store.ts';
import { type AssignDeps, giveTurn, reportAssignmentProblem, takeTurn } from './assign-from-rotation.ts';
import { changeOwner, type OwnershipDeps } from './change-owner.ts';
import { noteInThread, refreshConversationMessage, subjectOf } from './conversation-message.ts';
import { deliverOnce } from './deliver-once.ts';

export type RotationFollowUpResult = 'passed' | 'escalated' | 'reminded' | 'dropped';

/**
 * Moves a lead on from an owner it no longer suits (`reason`): to the next available rep of its
 * channel's rotation who has not had it, or, when it was passed on for not being accepted `maxHops`
 * times already (null: no limit) or nobody can take it, back to the channel unassigned with the
 * escalation channel told (told first, so a crash between the two repeats the move, never loses the
 * notice). The move is conditional on `from` still owning it.
 */
async function passOn(
  conversation: Conversation,
  from: string,
  reason: PassReason,
  maxHops: number | null,
  delivery: string,
  deps: AssignDeps,
): Promise<RotationFollowUpResult> {
  const channel = conversation.channel;
  if (channel === null) return 'dropped';
  const history = await deps.ownershipLog.list(conversation.id);
  const hadIt = new Set([
    from,
    ...history.flatMap((event) => (event.kind === 'pass' && event.from ? [event.from] : [])),
  ]);
  const hops = history.filter(
    (event) => event.kind === 'pass' && event.reason?.kind === 'notAccepted',
  ).length;
  if (maxHops === null || hops < maxHops) {
    const turn = await takeTurn(channel, conversation.id, deps, hadIt);
    if (turn.kind === 'taken')
      return (await giveTurn(conversation.id, channel, turn, { kind: 'pass', from, reason }, deps))
        ? 'passed'
        : 'dropped';
  }
  await reportAssignmentProblem(
    conversation,
    reason.kind === 'deactivated'
      ? { kind: 'deactivated', from }
      : { kind: 'notAccepted', from, hops, minutes: reason.minutes },
    delivery,
    conversation.owner?.since ?? deps.clock(),
    deps,
  );
  const outcome = await changeOwner(conversation.id, { kind: 'pass', from, to: null, reason }, deps);
  return outcome.kind === 'changed' ? 'escalated' : 'dropped';
}

/**
 * An assignee's time to accept ran out: unless they accepted (Accept, a follow-up, a thread reply) or
 * the lead changed hands since, it moves on to the next rep, at most the channel's number of hops,
 * then goes back to the channel and the escalation channel is told.
 */
export async function passOnUnaccepted(item: DueItem, deps: AssignDeps): Promise<RotationFollowUpResult> {
  const conversation = await deps.conversations.getById(item.conversationId);
  const owner = conversation?.owner;
  // An owner since the item's moment got the lead after it was scheduled: the item was for someone else.
  if (!conversation || conversation.closed || !owner || owner.accepted || owner.since >= item.at)
    return 'dropped';
  if (conversation.channel === null) return 'dropped';
  const acceptance = (await deps.rules.rotation(conversation.channel)).acceptance;
  if (!acceptance) return 'dropped';
  return passOn(
    conversation,
    owner.userId,
    { kind: 'notAccepted', minutes: acceptance.minutes },
    acceptance.maxHops,
    `${conversation.id}|not-accepted|${item.at.toISOString()}`,
    deps,
  );
}

/**
 * A lead nobody claimed, or whose assignee from a rotation without an acceptance time has not accepted
 * it: announced again in its channel (kind `unclaimed`), then the escalation channel is told
 * (`unclaimedEscalate`). Nothing is sent once someone claimed, accepted or closed it; DNC leads are
 * shown, never chased.
 */
export async function chaseUnclaimed(item: DueItem, deps: AssignDeps): Promise<RotationFollowUpResult> {
  const conversation = await deps.conversations.getById(item.conversationId);
  if (!conversation || conversation.closed || conversation.owner?.accepted || conversation.channel === null)
    return 'dropped';
  if (conversation.stages.at(-1)?.action === 'DNC') return 'dropped';
  const minutes = await deps.unclaimedMinutes();
  if (minutes === null) return 'dropped';
  const delivery = `${conversation.id}|${item.kind}|${item.at.toISOString()}`;
  if (item.kind === 'unclaimedEscalate') {
    await reportAssignmentProblem(
      conversation,
      { kind: 'unclaimed', minutes: minutes * 2 },
      delivery,
      item.at,
      deps,
    );
    return 'escalated';
  }
  const subject = await subjectOf(conversation, deps.leadTable);
  await deliverOnce(
    delivery,
    item.at,
    { kind: 'channel', channel: conversation.channel },
    (key) => deps.slack.announceUnclaimed(subject, minutes, key),
    deps,
  );
  return 'reminded';
}

/** What returning deactivated reps' leads did. */
export interface DeactivatedSummary {
  readonly checkedReps: number;
  readonly deactivatedReps: number;
  readonly passed: number;
  readonly unassigned: number;
}

/**
 * Gives the open leads of reps whose Slack account was deactivated back to their channel's rotation
 * (or to the channel, unassigned, with the escalation channel told), each with a note in its thread.
 * Each owner's profile is read once a run (`deps.availability` should be the run's own, so the
 * rotation sees today's statuses too).
 */
export async function returnLeadsOfDeactivatedReps(deps: AssignDeps): Promise<DeactivatedSummary> {
  const open = (await deps.conversations.listOwned()).filter((c) => c.closed === null && c.owner !== null);
  const owners = [...new Set(open.map((c) => c.owner?.userId ?? ''))];
  const deactivated = new Set<string>();
  for (const userId of owners) {
    const profile = await deps.slack.userProfile(userId).catch(() => null);
    if (profile?.deactivated) deactivated.add(userId);
  }
  let passed = 0;
  let unassigned = 0;
  for (const conversation of open) {
    const owner = conversation.owner;
    if (owner === null || !deactivated.has(owner.userId)) continue;
    const result = await passOn(
      conversation,
      owner.userId,
      { kind: 'deactivated' },
      null,
      `${conversation.id}|deactivated|${owner.userId}|${owner.since.toISOString()}`,
      deps,
    );
    if (result === 'passed') passed += 1;
    if (result === 'escalated') unassigned += 1;
  }
  return { checkedReps: owners.length, deactivatedReps: deactivated.size, passed, unassigned };
}

/** The assignee presses Accept: the lead stays theirs, and the rotation stops waiting on them. */
export async function acceptAssignment(
  conversationId: string,
  actor: string,
  deps: OwnershipDeps,
): Promise<AcceptOutcome> {
  const current = await deps.conversations.getById(conversationId);
  if (current === null) return { kind: 'notFound' };
  if (current.closed !== null) return { kind: 'closed' };
  if (current.owner?.userId !== actor) return { kind: 'notYours', owner: current.owner?.userId ?? null };
  const result = await deps.conversations.accept(conversationId, actor);
  if (result === null) return { kind: 'notFound' };
  if (!result.acceptedNow)
    return result.conversation.owner?.userId === actor
      ? { kind: 'alreadyAccepted' }
      : { kind: 'notYours', owner: result.conversation.owner?.userId ?? null };
  await recordAcceptance(result.conversation, actor, deps);
  return { kind: 'accepted' };
}

/** Logs and shows an acceptance by the Accept button (a follow-up's shows as the follow-up). */
async function recordAcceptance(
  conversation: Conversation,
  userId: string,
  deps: OwnershipDeps,
): Promise<void> {
  const event = acceptanceEvent(conversation.id, userId, deps.clock());
  await deps.ownershipLog.record(event);
  await refreshConversationMessage(conversation, deps);
  await noteInThread(conversation, { kind: 'ownership', event }, deps);
  await deps.afterChange?.([userId]);
}
