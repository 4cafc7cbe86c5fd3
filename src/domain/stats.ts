import { differenceInMinutes } from 'date-fns/differenceInMinutes';
import { lastActivity } from './conversation.ts';
import { staleness } from './follow-through.ts';
import type { LeadAction, LeadChannel } from './lead-source.ts';
import type { OwnershipEvent } from './ownership.ts';
import type { SkipReason } from './rotation.ts';

/** What the figures need of a conversation (a subset of the stored one). */
export interface ConversationFacts {
  readonly owner: string | null;
  readonly stages: readonly {
    readonly action: LeadAction;
    readonly channel: LeadChannel;
    readonly at: Date;
  }[];
  readonly firstFollowUpAt: Date | null;
  readonly followUp: { readonly at: Date } | null;
  readonly sla: { readonly startedAt: Date; readonly remindAt: Date } | null;
}

export interface SlaCounts {
  readonly hit: number;
  readonly missed: number;
  /** Deadline not reached yet and no follow-up. */
  readonly pending: number;
  /** hit / (hit + missed); null when nothing was decided yet. */
  readonly rate: number | null;
}

export interface SpeedToLead {
  readonly count: number;
  readonly medianMinutes: number | null;
  readonly p90Minutes: number | null;
}

export interface RepFigures {
  readonly rep: string;
  readonly conversations: number;
  readonly speed: SpeedToLead;
  readonly sla: SlaCounts;
}

export interface TeamFigures {
  readonly since: Date;
  readonly leads: number;
  readonly bySource: Readonly<Record<string, number>>;
  readonly byAction: Readonly<Record<string, number>>;
  readonly speed: SpeedToLead;
  readonly sla: SlaCounts;
  readonly perRep: readonly RepFigures[];
  /** How the rotations treated each rep (empty where the history was not read). */
  readonly fairness?: readonly RepFairness[];
  /** What the leads became (absent where the figures were made from part of a conversation). */
  readonly pipeline?: PipelineFigures;
  /** The shares of leads that made each speed tier (absent where the ownership history was not read). */
  readonly speedShares?: SpeedShares;
}

/** Nearest-rank percentile of sorted values: the smallest value with at least p% of values at or below. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? null;
}

function speedOf(conversations: readonly ConversationFacts[]): SpeedToLead {
  const minutes = conversations
    .flatMap((c) =>
      c.firstFollowUpAt && c.stages[0] ? [differenceInMinutes(c.firstFollowUpAt, c.stages[0].at)] : [],
    )
    .map((value) => Math.max(0, value))
    .sort((a, b) => a - b);
  return {
    count: minutes.length,
    medianMinutes: percentile(minutes, 50),
    p90Minutes: percentile(minutes, 90),
  };
}

/** Whether an active lead was followed up in time: judged by the follow-up that answered its clock. */
export function slaOutcome(facts: ConversationFacts, now: Date): 'hit' | 'missed' | 'pending' | null {
  const { sla, followUp } = facts;
  if (sla === null) return null;
  const answered = followUp !== null && followUp.at >= sla.startedAt ? followUp.at : null;
  if (answered !== null) return answered <= sla.remindAt ? 'hit' : 'missed';
  return now > sla.remindAt ? 'missed' : 'pending';
}

function slaOf(conversations: readonly ConversationFacts[], now: Date): SlaCounts {
  const outcomes = conversations.map((c) => slaOutcome(c, now));
  const hit = outcomes.filter((o) => o === 'hit').length;
  const missed = outcomes.filter((o) => o === 'missed').length;
  const pending = outcomes.filter((o) => o === 'pending').length;
  return { hit, missed, pending, rate: hit + missed === 0 ? null : hit / (hit + missed) };
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

/**
 * The team's figures for conversations opened since `since`: leads by source and action (every stage
 * that arrived in the window), speed to lead (arrival of the first lead to the first follow-up: median
 * and 90th percentile), SLA hit rate, and the same per rep.
 */
export function teamFigures(
  conversations: readonly ConversationFacts[],
  since: Date,
  now: Date,
): TeamFigures {
  const stages = conversations.flatMap((c) => c.stages.filter((stage) => stage.at >= since));
  const reps = [...new Set(conversations.flatMap((c) => (c.owner ? [c.owner] : [])))].sort();
  return {
    since,
    leads: stages.length,
    bySource: countBy(stages.map((stage) => stage.channel)),
    byAction: countBy(stages.map((stage) => stage.action)),
    speed: speedOf(conversations),
    sla: slaOf(conversations, now),
    perRep: reps.map((rep) => {
      const own = conversations.filter((c) => c.owner === rep);
      return { rep, conversations: own.length, speed: speedOf(own), sla: slaOf(own, now) };
    }),
  };
}

/** How the rotation treated one rep over a period: the fairness figures of `/leads stats`. */
export interface RepFairness {
  readonly rep: string;
  /** Leads the rotation gave them (first assignments and passes to them). */
  readonly assigned: number;
  /** Of those, the ones they accepted (Accept, or their own follow-up). */
  readonly accepted: number;
  /** Leads that moved on from them (not accepted in time, or their account was deactivated). */
  readonly passedOn: number;
  /** Turns that passed them over, by reason. */
  readonly skipped: Readonly<Partial<Record<SkipReason['kind'], number>>>;
}

/** Per rep, from the ownership history of a period: assigned, accepted, passed on, skipped and why. */
export function rotationFairness(events: readonly OwnershipEvent[]): RepFairness[] {
  const reps = new Map<
    string,
    {
      assigned: number;
      accepted: number;
      passedOn: number;
      skipped: Partial<Record<SkipReason['kind'], number>>;
    }
  >();
  const rep = (userId: string) => {
    let figures = reps.get(userId);
    if (figures === undefined) {
      figures = { assigned: 0, accepted: 0, passedOn: 0, skipped: {} };
      reps.set(userId, figures);
    }
    return figures;
  };
  for (const event of events) {
    // A lead given to its customer's CRM owner was not the rotation's turn: it is left out of fairness.
    const byRotation = (event.kind === 'assign' && event.by !== 'crm') || event.kind === 'pass';
    if (byRotation && event.to !== null) rep(event.to).assigned += 1;
    if (event.kind === 'pass' && event.from !== null) rep(event.from).passedOn += 1;
    if (event.kind === 'accept') rep(event.by).accepted += 1;
    for (const { userId, reason } of byRotation ? (event.skipped ?? []) : []) {
      const skipped = rep(userId).skipped;
      skipped[reason.kind] = (skipped[reason.kind] ?? 0) + 1;
    }
  }
  return [...reps.entries()]
    .map(([userId, figures]) => ({ rep: userId, ...figures }))
    .sort((a, b) => b.assigned - a.assigned || a.rep.localeCompare(b.rep));
}

/** What the pipeline figures need of a conversation. */
export interface PipelineFacts extends ConversationFacts {
  readonly channel: string | null;
  /** The offer the customer asked about (see offerOfConversationKey); null when unknown. */
  readonly offer: string | null;
  readonly ownerSince: Date | null;
  readonly closed: { readonly at: Date; readonly outcome: 'won' | 'lost' | 'not a fit' } | null;
  readonly qualified: { readonly at: Date } | null;
  readonly nextStepDueAt: Date | null;
}

export interface Conversion {
  readonly leads: number;
  readonly closed: number;
  readonly won: number;
  /** won ÷ closed; null when none closed. */
  readonly wonOfClosed: number | null;
  /** won ÷ all the group's leads; null when none. */
  readonly wonOfAll: number | null;
}

/** Time from a lead's arrival to its first follow-up, in the bands a sales manager reads. */
export const RESPONSE_BANDS = ['under 5 min', '5–15 min', '15–60 min', '1–24 h', 'over 24 h'] as const;
export type ResponseBand = (typeof RESPONSE_BANDS)[number];

function responseBand(minutes: number): ResponseBand {
  if (minutes < 5) return 'under 5 min';
  if (minutes < 15) return '5–15 min';
  if (minutes < 60) return '15–60 min';
  if (minutes < 24 * 60) return '1–24 h';
  return 'over 24 h';
}

export interface PipelineFigures {
  readonly conversion: {
    readonly all: Conversion;
    readonly bySource: Readonly<Record<string, Conversion>>;
    readonly byAction: Readonly<Record<string, Conversion>>;
    readonly byOffer: Readonly<Record<string, Conversion>>;
    readonly byRep: Readonly<Record<string, Conversion>>;
  };
  readonly firstFollowUp: SpeedToLead & { readonly bands: Readonly<Record<ResponseBand, number>> };
  /** From the first lead's arrival to its closure, for the leads closed. */
  readonly timeToClose: SpeedToLead;
  /** Open, owned leads that are stale now (no activity for the stale time of their channel). */
  readonly stale: number;
}

function conversionOf(group: readonly PipelineFacts[]): Conversion {
  const closed = group.filter((c) => c.closed !== null);
  const won = closed.filter((c) => c.closed?.outcome === 'won').length;
  return {
    leads: group.length,
    closed: closed.length,
    won,
    wonOfClosed: closed.length === 0 ? null : won / closed.length,
    wonOfAll: group.length === 0 ? null : won / group.length,
  };
}

function conversionBy(
  conversations: readonly PipelineFacts[],
  keyOf: (c: PipelineFacts) => string,
): Record<string, Conversion> {
  const groups = new Map<string, PipelineFacts[]>();
  for (const conversation of conversations) {
    const key = keyOf(conversation);
    const group = groups.get(key);
    if (group) group.push(conversation);
    else groups.set(key, [conversation]);
  }
  return Object.fromEntries([...groups].map(([key, group]) => [key, conversionOf(group)]));
}

function spread(minutes: readonly number[]): SpeedToLead {
  const sorted = [...minutes].sort((a, b) => a - b);
  return { count: sorted.length, medianMinutes: percentile(sorted, 50), p90Minutes: percentile(sorted, 90) };
}

/**
 * What the leads opened in the period became: conversion by source, action, offer and rep; how soon
 * they were first followed up (percentiles and bands); how long closing took; how many are stale now.
 */
export function pipelineFigures(
  conversations: readonly PipelineFacts[],
  now: Date,
  staleMinutesOf: (channel: string | null) => number | null,
): PipelineFigures {
  const firstFollowUps = conversations.flatMap((c) =>
    c.firstFollowUpAt && c.stages[0]
      ? [Math.max(0, differenceInMinutes(c.firstFollowUpAt, c.stages[0].at))]
      : [],
  );
  const bands = Object.fromEntries(RESPONSE_BANDS.map((band) => [band, 0])) as Record<ResponseBand, number>;
  for (const minutes of firstFollowUps) bands[responseBand(minutes)] += 1;
  const closeTimes = conversations.flatMap((c) =>
    c.closed && c.stages[0] ? [Math.max(0, differenceInMinutes(c.closed.at, c.stages[0].at))] : [],
  );
  const stale = conversations.filter((c) => {
    const minutes = staleMinutesOf(c.channel);
    if (minutes === null || c.closed !== null || c.owner === null) return false;
    const last = lastActivity({ ...c, owner: c.ownerSince ? { since: c.ownerSince } : null });
    return (
      staleness({ lastActivity: last, pendingNextStepAt: c.nextStepDueAt, minutes, now }).level !== 'fresh'
    );
  }).length;
  return {
    conversion: {
      all: conversionOf(conversations),
      bySource: conversionBy(conversations, (c) => c.stages[0]?.channel ?? 'unknown'),
      byAction: conversionBy(conversations, (c) => c.stages[0]?.action ?? 'unknown'),
      byOffer: conversionBy(conversations, (c) => c.offer ?? 'unknown offer'),
      byRep: conversionBy(conversations, (c) => c.owner ?? 'unassigned'),
    },
    firstFollowUp: { ...spread(firstFollowUps), bands },
    timeToClose: spread(closeTimes),
    stale,
  };
}

/** The speed-to-lead tiers the figures report against: the evidence sales teams quote (HBR 2011). */
export const SPEED_TIERS = [
  { key: 'claimed', label: 'claimed within 5 min', minutes: 5 },
  { key: 'touchedIn1h', label: 'first touch within 1 h', minutes: 60 },
  { key: 'touchedIn24h', label: 'first touch within 24 h', minutes: 24 * 60 },
] as const;
export type SpeedTier = (typeof SPEED_TIERS)[number]['key'];

/** How many leads made a tier: in time, late (or not yet done past it), and still inside it. */
export interface TierShare {
  readonly met: number;
  readonly missed: number;
  readonly pending: number;
  /** met / (met + missed); null while nothing was decided. */
  readonly share: number | null;
}

export type TierShares = Readonly<Record<SpeedTier, TierShare>>;

/** The shares of leads that made each tier: the whole team, by rep (the owner now) and by action. */
export interface SpeedShares {
  readonly all: TierShares;
  readonly byRep: Readonly<Record<string, TierShares>>;
  readonly byAction: Readonly<Record<string, TierShares>>;
}

/** What the tiers need of a conversation: when it began, when someone first owned it, its first touch. */
export interface SpeedFacts extends ConversationFacts {
  /** When a rep first claimed it or was given it; null when nobody was yet. */
  readonly firstOwnedAt: Date | null;
}

function tierOutcome(
  start: Date,
  done: Date | null,
  minutes: number,
  now: Date,
): keyof Omit<TierShare, 'share'> {
  const deadline = start.getTime() + minutes * 60_000;
  if (done !== null) return done.getTime() <= deadline ? 'met' : 'missed';
  return now.getTime() > deadline ? 'missed' : 'pending';
}

function sharesOf(conversations: readonly SpeedFacts[], now: Date): TierShares {
  const entries = SPEED_TIERS.map((tier) => {
    const counts = { met: 0, missed: 0, pending: 0 };
    for (const c of conversations) {
      const start = c.stages[0]?.at;
      if (start === undefined) continue;
      const done = tier.key === 'claimed' ? c.firstOwnedAt : c.firstFollowUpAt;
      counts[tierOutcome(start, done, tier.minutes, now)] += 1;
    }
    const decided = counts.met + counts.missed;
    return [tier.key, { ...counts, share: decided === 0 ? null : counts.met / decided }] as const;
  });
  return Object.fromEntries(entries) as Record<SpeedTier, TierShare>;
}

/**
 * The shares of leads claimed within 5 minutes and first touched within an hour and within a day
 * (wall-clock time from the first lead's arrival), for the team, each rep and each action. DNC leads
 * are left out: nobody is meant to contact those customers.
 */
export function speedShares(conversations: readonly SpeedFacts[], now: Date): SpeedShares {
  const chased = conversations.filter((c) => c.stages[0] !== undefined && c.stages[0].action !== 'DNC');
  const group = (keyOf: (c: SpeedFacts) => string | null) => {
    const groups = new Map<string, SpeedFacts[]>();
    for (const c of chased) {
      const key = keyOf(c);
      if (key !== null) groups.set(key, [...(groups.get(key) ?? []), c]);
    }
    return Object.fromEntries([...groups].map(([key, members]) => [key, sharesOf(members, now)]));
  };
  return {
    all: sharesOf(chased, now),
    byRep: group((c) => c.owner),
    byAction: group((c) => c.stages[0]?.action ?? null),
  };
}
