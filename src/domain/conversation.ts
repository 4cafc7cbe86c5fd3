import { explainLead } from './explain.ts';
import { customerLabel, type Lead, type LeadId } from './lead.ts';
import type { LeadAction, LeadChannel } from './lead-source.ts';

export interface Stage {
  readonly leadId: LeadId;
  readonly action: LeadAction;
  readonly channel: LeadChannel;
  readonly at: Date;
}

export interface Owner {
  readonly userId: string;
  readonly since: Date;
  /**
   * False while a lead the rotation gave them waits to be acknowledged (Accept, a follow-up, a thread
   * reply); a rep who claimed it or was handed it by a person has accepted it.
   */
  readonly accepted: boolean;
}

export type FollowUpKind = 'call' | 'email' | 'meeting' | 'other' | 'thread reply';

export interface FollowUp {
  readonly by: string;
  readonly at: Date;
  readonly kind: FollowUpKind;
  readonly note: string | null;
  /** The next step the rep planned, if any: a day (YYYY-MM-DD) … */
  readonly nextStepOn: string | null;
  /** … and optionally a time of that day (HH:mm, in the rep's time zone). */
  readonly nextStepTime?: string | null;
}

/** Who qualified a lead, and when (the stage between Contacted and an outcome). */
export interface Qualification {
  readonly by: string;
  readonly at: Date;
}

/** The follow-up clock of the conversation's latest active lead. */
export interface SlaState {
  readonly action: string;
  /** The SLA in force when the clock started (null for clocks started before it was recorded). */
  readonly minutes: number | null;
  /** The claim SLA in force when the clock started (null: none, or a clock started before it was recorded). */
  readonly claimMinutes?: number | null;
  readonly startedAt: Date;
  readonly remindAt: Date;
  readonly escalateAt: Date;
}

/** One customer's conversation about one offer: the first lead's message, every step since, its owner. */
export interface Conversation {
  /** Opaque and short: safe in button values and table keys (the key holds an e-mail). */
  readonly id: string;
  readonly key: string;
  readonly rootLeadId: LeadId;
  /** Null until the first lead's message is posted. */
  readonly channel: string | null;
  readonly ts: string | null;
  /** Oldest first; the first is the root lead's. At most MAX_STAGES: see `boundStages`. */
  readonly stages: readonly Stage[];
  /** Stages left out between the first and the latest ones, so the list fits one table entity. */
  readonly omittedStages: number;
  /** Null while nobody owns it. */
  readonly owner: Owner | null;
  /** Null when no active lead arrived. */
  readonly sla: SlaState | null;
  /** The latest follow-up, and when the first one was logged (speed to lead). */
  readonly followUp: FollowUp | null;
  readonly firstFollowUpAt: Date | null;
  /** Reminders wait until then. */
  readonly snoozedUntil: Date | null;
  /** When the owner is reminded of the next step they planned; null when none is pending. */
  readonly nextStepDueAt: Date | null;
  readonly qualified: Qualification | null;
  /** Set when the owner closed it (won, lost, not a fit); a later active lead reopens it. */
  readonly closed: Closure | null;
  readonly etag: string;
}

/**
 * A conversation keeps this many stages: its first (where it began) and the latest ones. One customer
 * can arrive without bound (pushed leads, a flow in a loop); an entity's property cannot grow without
 * bound (64 KiB), and a conversation that can no longer be written loses its SLA clock and reopening.
 */
export const MAX_STAGES = 30;

/** `stages` with `added` in time order, bounded to MAX_STAGES; `omitted` counts what is left out. */
export function boundStages(
  stages: readonly Stage[],
  omitted: number,
  added: Stage,
): { readonly stages: readonly Stage[]; readonly omitted: number } {
  const all = [...stages, added].sort((a, b) => a.at.getTime() - b.at.getTime());
  if (all.length <= MAX_STAGES) return { stages: all, omitted };
  const [first, ...rest] = all;
  const kept = rest.slice(rest.length - (MAX_STAGES - 1));
  return { stages: first ? [first, ...kept] : kept, omitted: omitted + rest.length - kept.length };
}

export const CLOSE_OUTCOMES = ['won', 'lost', 'not a fit'] as const;
export type CloseOutcome = (typeof CLOSE_OUTCOMES)[number];

export interface Closure {
  readonly by: string;
  readonly at: Date;
  readonly outcome: CloseOutcome;
  readonly reason: string | null;
}

/** Where a lead stands in the sales process. */
export type PipelineStage = 'New' | 'Contacted' | 'Qualified' | 'Won' | 'Lost' | 'Not a fit';

/** Every pipeline stage, in the order a lead moves through them. */
export const PIPELINE_STAGES: readonly PipelineStage[] = [
  'New',
  'Contacted',
  'Qualified',
  'Won',
  'Lost',
  'Not a fit',
];

const OUTCOME_STAGES: Readonly<Record<CloseOutcome, PipelineStage>> = {
  won: 'Won',
  lost: 'Lost',
  'not a fit': 'Not a fit',
};

/** New until the first follow-up (Contacted), then Qualified when the owner says so, then its outcome. */
export function pipelineStage(
  conversation: Pick<Conversation, 'closed' | 'qualified' | 'firstFollowUpAt'>,
): PipelineStage {
  if (conversation.closed) return OUTCOME_STAGES[conversation.closed.outcome];
  if (conversation.qualified) return 'Qualified';
  return conversation.firstFollowUpAt ? 'Contacted' : 'New';
}

/** The last thing that happened to a lead: a lead arriving, a change of owner, a follow-up, qualification. */
export function lastActivity(conversation: {
  readonly stages: readonly { readonly at: Date }[];
  readonly owner: { readonly since: Date } | null;
  readonly followUp: { readonly at: Date } | null;
  readonly qualified: { readonly at: Date } | null;
}): Date {
  const moments = [
    conversation.stages.at(-1)?.at,
    conversation.owner?.since,
    conversation.followUp?.at,
    conversation.qualified?.at,
  ].filter((moment): moment is Date => moment !== undefined);
  return new Date(Math.max(0, ...moments.map((moment) => moment.getTime())));
}

/** True while an active lead waits for a follow-up logged after it arrived. */
export function isAwaitingFollowUp(conversation: Conversation): boolean {
  const { sla, followUp, closed } = conversation;
  return sla !== null && closed === null && (followUp === null || followUp.at < sla.startedAt);
}

/** Why a closed lead's controls change nothing: every action on it is refused with its closure. */
export type ClosedRefusal = { readonly kind: 'closed'; readonly closure: Closure };

export type FollowUpOutcome =
  | { readonly kind: 'logged'; readonly conversation: Conversation; readonly stoppedClock: boolean }
  /** Only the owner (or a manager) logs follow-ups; an unowned lead must be claimed first. */
  | { readonly kind: 'notAllowed'; readonly owner: string | null }
  | ClosedRefusal
  | { readonly kind: 'notFound' };

export type QualifyOutcome =
  | { readonly kind: 'qualified'; readonly conversation: Conversation }
  | { readonly kind: 'alreadyQualified' }
  | Exclude<FollowUpOutcome, { kind: 'logged' }>;

export type SnoozeOutcome =
  | { readonly kind: 'snoozed'; readonly until: Date }
  | Exclude<FollowUpOutcome, { kind: 'logged' }>;

/** How a conversation is named wherever it is listed or chased: who, and at which stage. */
export interface ConversationSummary {
  readonly customer: string;
  readonly stage: string;
}

/** `rootLead` is the conversation's first lead, null when Microsoft's row is gone. */
export function summarizeConversation(
  conversation: Conversation,
  rootLead: Lead | null,
): ConversationSummary {
  const latest = conversation.stages.at(-1);
  return {
    customer: rootLead ? customerLabel(rootLead.customer) : 'Unknown customer',
    stage: latest ? explainLead(latest).stage : 'lead',
  };
}
