import type { ArrivalNote } from '../domain/arrival.ts';
import type { UserProfile } from '../domain/availability.ts';
import type { Closure, Conversation, FollowUp, Qualification } from '../domain/conversation.ts';
import type { CrmCard } from '../domain/crm-customer.ts';
import type { Lead, LeadId } from '../domain/lead.ts';
import type { OwnershipEvent } from '../domain/ownership.ts';
import type { BlockedChannel, FirstStartReport, QuarantineNotice } from '../domain/poll-report.ts';
import type { AssignmentProblem } from '../domain/rotation.ts';
import type { TeamFigures } from '../domain/stats.ts';
import type { DigestContent, HomeContent } from '../domain/team-views.ts';

export interface PostedMessage {
  readonly channel: string;
  readonly ts: string;
}

/** A conversation with its first lead, read back from Microsoft's table (null when the row is gone). */
export interface ConversationSubject {
  readonly conversation: Conversation;
  readonly rootLead: Lead | null;
}

/** Where a lead's message goes, and the conversation it heads (null: a lead that stands alone or a reply). */
export interface LeadPlacement {
  readonly channel: string;
  /** Posts as a reply in this thread (a returning customer). */
  readonly threadTs: string | null;
  readonly conversation: Conversation | null;
  /** What the CRM knew of the customer, for a new card; null when there is nothing to show. */
  readonly crm?: CrmCard | null;
}

/** Where a delivery went: a person's direct messages, a channel, or a lead's thread. */
export type DeliveryPlace =
  | { readonly kind: 'dm'; readonly userId: string }
  | { readonly kind: 'channel'; readonly channel: string }
  | { readonly kind: 'thread'; readonly channel: string; readonly threadTs: string };

/** What the bot says in a lead's thread, so every change stays visible where the team works. */
export type ThreadNote =
  | { readonly kind: 'ownership'; readonly event: OwnershipEvent }
  | { readonly kind: 'followUp'; readonly followUp: FollowUp }
  | { readonly kind: 'snooze'; readonly by: string; readonly until: Date }
  | { readonly kind: 'closed'; readonly closure: Closure }
  | { readonly kind: 'qualified'; readonly qualification: Qualification };

/**
 * Everything services and jobs say to Slack, in the domain's words. The Slack adapter renders each call
 * and sends it; every failure is thrown as a SlackCallError (never swallowed), so the caller decides
 * whether it is worth a retry.
 */
export interface SlackPort {
  /** Posts a lead's message, marked so that `findPostedLead` finds it again after a crash. */
  postLead(lead: Lead, placement: LeadPlacement): Promise<PostedMessage>;
  /** The lead's message posted in that channel (or thread) since `oldest`; null when there is none. */
  findPostedLead(
    leadId: LeadId,
    where: { readonly channel: string; readonly threadTs: string | null; readonly oldest: Date },
  ): Promise<PostedMessage | null>;
  /** Redraws a conversation's first message (owner, deadline, outcome, journey). */
  showConversation(conversation: Conversation, rootLead: Lead, crm?: CrmCard | null): Promise<void>;
  /** A note in the conversation's thread. */
  noteInThread(conversation: Conversation, note: ThreadNote): Promise<void>;
  /** A direct message to a rep who was given a lead by someone else (or by the rotation). */
  tellNewOwner(event: OwnershipEvent, subject: ConversationSubject): Promise<void>;
  /** The owner's direct message when the follow-up SLA passes, marked with its delivery key. */
  remindOwner(subject: ConversationSubject, delivery: string): Promise<void>;
  /** In the lead's channel, when nobody owns a lead whose SLA passed; marked with its delivery key. */
  remindUnclaimed(subject: ConversationSubject, delivery: string): Promise<void>;
  /** The owner's direct message when the next step they planned falls due; marked with its key. */
  remindNextStep(subject: ConversationSubject, delivery: string): Promise<void>;
  /** The owner's direct message when their lead went quiet for `minutes`; marked with its key. */
  nudgeStale(subject: ConversationSubject, minutes: number, delivery: string): Promise<void>;
  /** In the lead's channel when nobody claimed it for `minutes`; marked with its delivery key. */
  announceUnclaimed(subject: ConversationSubject, minutes: number, delivery: string): Promise<void>;
  /** To the managers, when assignment needs a person; marked with its delivery key. */
  reportAssignmentProblem(
    channel: string,
    subject: ConversationSubject,
    problem: AssignmentProblem,
    delivery: string,
  ): Promise<void>;
  /** To the managers, at twice the SLA; marked with its delivery key. */
  escalate(channel: string, subject: ConversationSubject, delivery: string): Promise<void>;
  /** The note in the lead's thread that the SLA passed; marked with its delivery key. */
  noteReminderInThread(conversation: Conversation, owner: string | null, delivery: string): Promise<void>;
  /** In the lead's thread when one lead came by both destinations; marked with its delivery key. */
  noteArrivals(conversation: Conversation, note: ArrivalNote, delivery: string): Promise<void>;
  /** Whether a message marked with this delivery key is in that place since `oldest`. */
  findDelivery(delivery: string, place: DeliveryPlace, oldest: Date): Promise<boolean>;
  /** The one-off notice of the very first poll. */
  announceFirstStart(channel: string, report: FirstStartReport): Promise<void>;
  /** Tells admins that Slack refuses a channel and how to fix it. */
  reportBlockedChannel(channel: string, blocked: BlockedChannel): Promise<void>;
  /** Tells admins that Microsoft's PartitionKey format drifted, so polls now scan the whole table. */
  reportPartitionDrift(channel: string, table: string): Promise<void>;
  /** Tells admins that a lead was set aside after repeated failures, and how to retry it. */
  reportQuarantinedLead(channel: string, notice: QuarantineNotice): Promise<void>;
  postDigest(channel: string, digest: DigestContent): Promise<void>;
  /** The weekly summary: the last seven days' figures, with conversion and response bands. */
  postWeeklySummary(channel: string, figures: TeamFigures): Promise<void>;
  publishHome(userId: string, home: HomeContent): Promise<void>;
  /** A link to a message; null when Slack has none (the message is gone). */
  linkTo(channel: string, ts: string): Promise<string | null>;
  /** From the user's Slack profile (users.info): time zone, workspace admin, status, deactivated. */
  userProfile(userId: string): Promise<UserProfile>;
  /** The active Slack user with this e-mail; null when the workspace has none. */
  userIdByEmail(email: string): Promise<string | null>;
  /** Whether the bot is a member of the channel (false for one Slack does not show it). */
  isBotInChannel(channel: string): Promise<boolean>;
  /** The channels the user is a member of (among those the bot can see). */
  memberChannels(userId: string): Promise<ReadonlySet<string>>;
}

// Errors about where the bot posts (a channel, the token, a scope): an admin must act, and every lead
// bound there waits until they do.
// Slack's answers that the bot's token no longer works: every later call fails the same way.
const TOKEN_REFUSALS = new Set(['invalid_auth', 'account_inactive', 'token_revoked', 'not_authed']);
const CHANNEL_PROBLEMS = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'missing_scope',
  ...TOKEN_REFUSALS,
]);

// Errors that will not go away by retrying the same call.
const PERMANENT = new Set([...CHANNEL_PROBLEMS, 'invalid_blocks', 'msg_too_long']);

/** True for a Slack error code that an admin fixes in Slack (a channel, the token, a scope). */
export function isChannelProblem(code: string): boolean {
  return CHANNEL_PROBLEMS.has(code);
}

/** True for a Slack error code saying the bot's token is refused (revoked, invalid, its account gone). */
export function isTokenRefused(code: string): boolean {
  return TOKEN_REFUSALS.has(code);
}

/** A failed Slack call, with Slack's error code (`channel_not_found`, `ratelimited`, `http_503`, …). */
export class SlackCallError extends Error {
  readonly permanent: boolean;
  /**
   * True when Slack may have done it anyway: the call timed out, the connection failed, or Slack
   * answered 5xx. A post with an unknown outcome is looked for before it is ever made again.
   */
  readonly outcomeUnknown: boolean;
  readonly method: string;
  readonly code: string;
  constructor(method: string, code: string) {
    super(`Slack ${method} failed: ${code}`);
    this.name = 'SlackCallError';
    this.method = method;
    this.code = code;
    this.permanent = PERMANENT.has(code);
    this.outcomeUnknown = code === 'request_failed' || /^http_5\d\d$/.test(code);
  }
}

/**
 * How far apart the clocks of the bot's processes and Slack may be. Azure's table service refuses
 * requests from a clock more than 15 minutes off, so no process that can write a claim is further off:
 * a search for a message posted before a crash starts this long before the claim that guarded it.
 */
export const MAX_CLOCK_SKEW_MS = 15 * 60_000;
