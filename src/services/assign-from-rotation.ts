import { setTimeout } from 'node:timers/promises';
import { type AwayStatuses, type UserProfile, unavailableBy } from '../domain/availability.ts';
import type { Conversation } from '../domain/conversation.ts';
import type { PassReason } from '../domain/ownership.ts';
import {
  type Acceptance,
  type AssignmentProblem,
  candidatesInTurn,
  type Rotation,
  type RotationMember,
  type Skip,
  type SkipReason,
  skipReason,
  slotAfter,
  type Unavailable,
} from '../domain/rotation.ts';
import { addWorkingTime } from '../domain/sla.ts';
import type { SlaPolicy } from '../domain/sla-policy.ts';
import type { CapacityStore } from '../stores/capacity-store.ts';
import type { ConversationStore } from '../stores/conversation-store.ts';
import type { DueStore } from '../stores/due-store.ts';
import type { RulesStore } from '../stores/rules-store.ts';
import { changeOwner, type OwnershipDeps } from './change-owner.ts';
import { subjectOf } from './conversation-message.ts';
import { type DeliverOnceDeps, deliverOnce } from './deliver-once.ts';
import { SlackCallError, type SlackPort } from './slack-port.ts';

/** What taking a turn reads and writes: the rotation, reps' held places and their open leads. */
export interface TurnDeps {
  readonly rules: Pick<RulesStore, 'readTurn' | 'advanceTurn'>;
  readonly capacity: CapacityStore;
  readonly conversations: Pick<ConversationStore, 'listOwnedBy'>;
  /** The reps of a rotation whose Slack profile keeps them out now (see rotationAvailability). */
  readonly availability: RotationAvailability;
  readonly clock: () => Date;
}

export interface AssignDeps extends OwnershipDeps, TurnDeps, DeliverOnceDeps {
  readonly rules: RulesStore;
  readonly conversations: ConversationStore;
  readonly due: DueStore;
  readonly slaPolicyFor: (channel: string | null) => Promise<SlaPolicy>;
  /** Where assignment problems are told; null: the lead's own channel. */
  readonly escalationChannel: () => Promise<string | null>;
  /** After this many minutes an unclaimed lead is announced again (and escalated at twice it); null: never. */
  readonly unclaimedMinutes: () => Promise<number | null>;
  /** Whether a new lead goes to its customer's CRM owner first (`/leads route crm-owner`); absent: no. */
  readonly routeToCrmOwner?: () => Promise<boolean>;
}

export type RotationAvailability = (rotation: Rotation, now: Date) => Promise<Unavailable>;

/**
 * A place in a rep's cap is held this long for a lead being assigned: far longer than an assignment
 * takes, so the lead is owned (and counted as open) before its place lapses.
 */
const CAP_HOLD_MS = 10 * 60_000;

/**
 * Tells which reps of a rotation their Slack profile keeps out now: an away status (AWAY_STATUSES), a
 * deactivated account. Each rep's profile is read at most once for the life of the returned function
 * (one poll: a backlog of a thousand leads does not ask Slack a thousand times per rep, and a status
 * change shows at the next poll). A profile Slack cannot give counts as available: a lead is better
 * assigned to a rep who may be away than not at all.
 */
export function rotationAvailability(deps: {
  readonly slack: Pick<SlackPort, 'userProfile'>;
  readonly awayStatuses: AwayStatuses;
}): RotationAvailability {
  const profiles = new Map<string, Promise<UserProfile | null>>();
  const profileOf = (userId: string) => {
    let profile = profiles.get(userId);
    if (profile === undefined) {
      profile = deps.slack.userProfile(userId).catch(() => null);
      profiles.set(userId, profile);
    }
    return profile;
  };
  return async (rotation, now) => {
    const candidates = rotation.members.filter((member) => skipReason(member, now) === null);
    const verdicts = await Promise.all(
      candidates.map(async ({ userId }) => {
        const profile = await profileOf(userId);
        return [userId, profile && unavailableBy(profile, deps.awayStatuses)] as const;
      }),
    );
    return new Map(
      verdicts.filter((verdict): verdict is readonly [string, SkipReason] => verdict[1] !== null),
    );
  };
}

/** The open leads a rep owns, by conversation id (what their cap counts). */
async function openLeadsOf(userId: string, deps: Pick<TurnDeps, 'conversations'>): Promise<string[]> {
  const owned = await deps.conversations.listOwnedBy(userId);
  return owned.filter((c) => c.closed === null && c.owner?.userId === userId).map((c) => c.id);
}

export type TurnOutcome =
  | { readonly kind: 'noRotation' }
  | {
      readonly kind: 'taken';
      readonly userId: string;
      readonly skipped: readonly Skip[];
      readonly acceptance: Acceptance | null;
    }
  /** Everyone is paused, away, full or passed it on: the turn stays where it was. */
  | { readonly kind: 'nobodyAvailable'; readonly skipped: readonly Skip[] };

/**
 * Holds a place in the rep's cap for the lead, or says why they are full; `held` counts places held
 * for leads still being assigned (by this or another process), which may be let go in a moment.
 */
async function capSkip(
  member: RotationMember,
  conversationId: string,
  now: Date,
  deps: TurnDeps,
): Promise<{ skip: SkipReason | null; held: number }> {
  if (member.cap === undefined) return { skip: null, held: 0 };
  const held = await deps.capacity.reserve({
    userId: member.userId,
    conversationId,
    cap: member.cap,
    openLeads: await openLeadsOf(member.userId, deps),
    now,
    holdMs: CAP_HOLD_MS,
  });
  return held.ok
    ? { skip: null, held: 0 }
    : { skip: { kind: 'full', open: held.load, cap: member.cap }, held: held.held };
}

/** How often a turn that found everyone full is decided again while places are held for other leads. */
const FULL_RETRIES = 5;

/**
 * Takes the next turn of a channel's rotation for a lead: the first rep from the rotation's place on
 * who is not paused, away (by `/leads away` or their Slack status), deactivated, at their cap, or among
 * `passed` (reps who had this lead and did not accept it). The turn moves with a write conditional on
 * the rotation's version, and a place in the rep's cap is held first, so simultaneous leads (in any
 * number of processes) never get one turn twice or take a rep past their cap.
 */
export async function takeTurn(
  channel: string,
  conversationId: string,
  deps: TurnDeps,
  passed: ReadonlySet<string> = new Set(),
): Promise<TurnOutcome> {
  for (let attempt = 0; ; attempt++) {
    const now = deps.clock();
    const turn = await deps.rules.readTurn(channel);
    if (turn === null) return { kind: 'noRotation' };
    const unavailable = new Map(await deps.availability(turn.rotation, now));
    for (const userId of passed) unavailable.set(userId, { kind: 'passed' });
    const skipped: Skip[] = [];
    let heldElsewhere = 0;
    let taker: { member: RotationMember; slot: number } | null = null;
    for (const candidate of candidatesInTurn(turn.rotation, now, unavailable)) {
      const cap =
        candidate.skip === null
          ? await capSkip(candidate.member, conversationId, now, deps)
          : { skip: candidate.skip, held: 0 };
      if (cap.skip === null) {
        taker = candidate;
        break;
      }
      heldElsewhere += cap.held;
      skipped.push({ userId: candidate.member.userId, reason: cap.skip });
    }
    if (taker === null) {
      // A place held by a simultaneous assignment that loses its turn is let go at once: look again.
      if (heldElsewhere > 0 && attempt < FULL_RETRIES) {
        await setTimeout(20 + Math.random() * 80);
        continue;
      }
      return { kind: 'nobodyAvailable', skipped };
    }
    const next = slotAfter(turn.rotation, taker.slot);
    if (await deps.rules.advanceTurn(channel, turn.version, next))
      return {
        kind: 'taken',
        userId: taker.member.userId,
        skipped,
        acceptance: turn.rotation.acceptance ?? null,
      };
    // Another lead took a turn of this rotation meanwhile: let the place go and decide again.
    if (taker.member.cap !== undefined) await deps.capacity.release(taker.member.userId, conversationId);
  }
}

/** Tells the escalation channel (or the lead's channel) about an assignment problem, once. */
export async function reportAssignmentProblem(
  conversation: Conversation,
  problem: AssignmentProblem,
  delivery: string,
  decidedAt: Date,
  deps: AssignDeps,
): Promise<void> {
  const channel = (await deps.escalationChannel()) ?? conversation.channel;
  if (channel === null) return;
  const subject = await subjectOf(conversation, deps.leadTable);
  await deliverOnce(
    delivery,
    decidedAt,
    { kind: 'channel', channel },
    (key) => deps.slack.reportAssignmentProblem(channel, subject, problem, key),
    deps,
  );
}

/** A turn a lead's new owner was found by. */
export type TakenTurn = Extract<TurnOutcome, { kind: 'taken' }>;

/**
 * Gives the lead to the rep whose turn was taken, as a first assignment or as a pass from `from`
 * (conditional on the owner the turn was taken for). With acceptance on, their time to accept starts,
 * counted in the channel's working hours. When the lead changed hands meanwhile, the rep's held place
 * is let go. True when the lead is theirs.
 */
export async function giveTurn(
  conversationId: string,
  channel: string,
  turn: TakenTurn,
  as:
    | { readonly kind: 'assign' }
    | { readonly kind: 'pass'; readonly from: string; readonly reason: PassReason },
  deps: AssignDeps,
): Promise<boolean> {
  const outcome = await changeOwner(
    conversationId,
    {
      ...as,
      to: turn.userId,
      skipped: turn.skipped,
      ...(turn.acceptance ? { acceptWithinMinutes: turn.acceptance.minutes } : {}),
    },
    deps,
  );
  if (outcome.kind !== 'changed') {
    await deps.capacity.release(turn.userId, conversationId);
    return false;
  }
  // Without an acceptance time of the channel's own, the claim SLA chases the assignee: the channel
  // is told they have not accepted, then the managers (the lead stays theirs: passing it on is the
  // admin's choice, `/leads rotation accept`).
  if (!turn.acceptance) await scheduleUnclaimedChase({ id: conversationId, channel }, deps);
  else {
    const hours = (await deps.slaPolicyFor(channel)).businessHours;
    await deps.due.schedule({
      conversationId,
      kind: 'accept',
      at: addWorkingTime(outcome.event.at, turn.acceptance.minutes, hours),
    });
  }
  return true;
}

export type AssignOutcome =
  | { readonly kind: 'assigned'; readonly to: string }
  /** No rotation, nobody available, or someone owns it already: it waits in the channel to be claimed. */
  | { readonly kind: 'unassigned' };

/**
 * Gives a new, unowned conversation to the next available rep of its channel's rotation (see takeTurn).
 * With acceptance on, the assignee has a time to accept before the lead moves on (passOnUnaccepted);
 * with it off, the claim SLA chases them (chaseUnclaimed). Without a rotation, or with nobody available (the escalation channel is told), the lead waits in its
 * channel to be claimed, and is announced again if nobody claims it (chaseUnclaimed).
 */
export async function assignFromRotation(
  conversation: Conversation,
  deps: AssignDeps,
): Promise<AssignOutcome> {
  if (conversation.owner !== null || conversation.channel === null) return { kind: 'unassigned' };
  const channel = conversation.channel;
  const turn = await takeTurn(channel, conversation.id, deps);
  if (turn.kind === 'taken')
    return (await giveTurn(conversation.id, channel, turn, { kind: 'assign' }, deps))
      ? { kind: 'assigned', to: turn.userId }
      : { kind: 'unassigned' };
  if (turn.kind === 'nobodyAvailable')
    await reportAssignmentProblem(
      conversation,
      { kind: 'nobodyAvailable', skipped: turn.skipped },
      `${conversation.id}|nobody-available|${conversation.stages[0]?.at.toISOString() ?? ''}`,
      deps.clock(),
      deps,
    );
  await scheduleUnclaimedChase(conversation, deps);
  return { kind: 'unassigned' };
}

/**
 * Gives a new conversation to its customer's owner in the CRM (`/leads route crm-owner on`): the Slack
 * user with the owner's e-mail, unless their Slack status or a deactivated account keeps them out.
 * Otherwise, or when routing to the CRM owner is off, the channel's rotation gives it out.
 */
export async function assignNewConversation(
  conversation: Conversation,
  crmOwnerEmail: string | null,
  deps: AssignDeps,
): Promise<AssignOutcome> {
  const ownerId =
    crmOwnerEmail !== null && conversation.owner === null && (await deps.routeToCrmOwner?.()) === true
      ? await crmOwnerInSlack(crmOwnerEmail, conversation, deps)
      : null;
  if (ownerId !== null) {
    const outcome = await changeOwner(conversation.id, { kind: 'assign', to: ownerId, by: 'crm' }, deps);
    if (outcome.kind === 'changed') return { kind: 'assigned', to: ownerId };
  }
  return assignFromRotation(conversation, deps);
}

/** The Slack user owning the customer in the CRM, when Slack knows them and they are not away. */
async function crmOwnerInSlack(
  email: string,
  conversation: Conversation,
  deps: AssignDeps,
): Promise<string | null> {
  let userId: string | null;
  try {
    userId = await deps.slack.userIdByEmail(email);
  } catch (error) {
    if (!(error instanceof SlackCallError)) throw error;
    deps.log.warn('could not find the CRM owner in Slack; the rotation gives the lead out', {
      error: error.code,
    });
    return null;
  }
  if (userId === null) return null;
  const alone: Rotation = {
    channel: conversation.channel ?? '',
    members: [{ userId, paused: false }],
    next: 0,
  };
  const unavailable = await deps.availability(alone, deps.clock());
  return unavailable.has(userId) ? null : userId;
}

/**
 * Schedules the announcement of a lead nobody claimed (or its assignee did not accept), and its
 * escalation at twice the time.
 */
async function scheduleUnclaimedChase(
  conversation: Pick<Conversation, 'id' | 'channel'>,
  deps: AssignDeps,
): Promise<void> {
  const minutes = await deps.unclaimedMinutes();
  if (minutes === null || conversation.channel === null) return;
  const from = deps.clock();
  const hours = (await deps.slaPolicyFor(conversation.channel)).businessHours;
  await deps.due.schedule({
    conversationId: conversation.id,
    kind: 'unclaimed',
    at: addWorkingTime(from, minutes, hours),
  });
  await deps.due.schedule({
    conversationId: conversation.id,
    kind: 'unclaimedEscalate',
    at: addWorkingTime(from, minutes * 2, hours),
  });
}

/**
 * For dry runs (`/leads route test`): the reps Slack keeps out, plus the reps at their cap now, read
 * without holding a place.
 */
export function previewAvailability(
  availability: RotationAvailability,
  deps: Pick<TurnDeps, 'conversations'>,
): RotationAvailability {
  return async (rotation, now) => {
    const unavailable = new Map(await availability(rotation, now));
    for (const member of rotation.members) {
      if (member.cap === undefined || unavailable.has(member.userId)) continue;
      const open = (await openLeadsOf(member.userId, deps)).length;
      if (open >= member.cap) unavailable.set(member.userId, { kind: 'full', open, cap: member.cap });
    }
    return unavailable;
  };
}
