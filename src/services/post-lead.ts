import { arrivalKeyOf, arrivalOf, differencesBetween, isSameLeadByOtherPath } from '../domain/arrival.ts';
import type { Conversation, Stage } from '../domain/conversation.ts';
import type { CrmLookup } from '../domain/crm-customer.ts';
import { crmExclusionOf, crmKeyOf } from '../domain/crm-lead.ts';
import { conversationKeyOf, type Lead, type LeadId, leadIdText, parseLeadRow } from '../domain/lead.ts';
import type { Logger } from '../logger.ts';
import type { ArrivalIndex } from '../stores/arrival-index.ts';
import type { CrmOutbox } from '../stores/crm-outbox.ts';
import type { LeadRecord, LeadRecordStore } from '../stores/lead-record-store.ts';
import { type AssignDeps, assignNewConversation } from './assign-from-rotation.ts';
import { refreshConversationMessage } from './conversation-message.ts';
import type { CrmLookupService, LookupWithinBudget } from './crm-lookup.ts';
import { deliverOnce } from './deliver-once.ts';
import { isChannelProblem, MAX_CLOCK_SKEW_MS, SlackCallError } from './slack-port.ts';
import { type FollowUpClockDeps, startFollowUpClock } from './start-follow-up-clock.ts';

export interface PostLeadDeps extends AssignDeps, FollowUpClockDeps {
  readonly leadRecords: LeadRecordStore;
  /** Where a lead arriving by both destinations (table and HTTPS endpoint) is recognised as one. */
  readonly arrivals: ArrivalIndex;
  /** The channel a new conversation (or a lead that stands alone) is posted to: the routing rules' pick. */
  readonly channelFor: (lead: Lead) => Promise<string>;
  /** Identifies this process in posting claims. */
  readonly processId: string;
  /** A posting claim older than this is presumed dead (its process crashed) and may be taken over. */
  readonly claimTimeoutMs: number;
  readonly log: Logger;
  /** Where a lead is queued for the CRM before it is posted; absent when no CRM is connected. */
  readonly crmOutbox?: Pick<CrmOutbox, 'enqueue'>;
  /** Looks a new card's customer up in the CRM first (within its budget); absent when no CRM is connected. */
  readonly crmLookup?: Pick<CrmLookupService, 'crmName' | 'lookUp'>;
  /** Redraws a lead's card once a late CRM answer is kept (refreshCardOfLead). */
  readonly redrawCard?: (leadId: LeadId) => Promise<void>;
}

export type PostOutcome =
  /** Posted as the first message of a conversation, or as a lead that stands alone. */
  | { readonly kind: 'posted'; readonly channel: string; readonly ts: string }
  /** Posted as a reply in the customer's conversation; the first message now shows the latest stage. */
  | { readonly kind: 'threaded'; readonly channel: string; readonly ts: string; readonly threadTs: string }
  /** A crash had left it posted but unrecorded: found by its metadata, recorded, not posted again. */
  | { readonly kind: 'recovered'; readonly channel: string; readonly ts: string }
  | { readonly kind: 'alreadyPosted' }
  /** The same lead had arrived by the other destination and was posted: recorded with that message. */
  | { readonly kind: 'duplicate'; readonly of: LeadId }
  /**
   * Set aside after repeated failures (`reason` when it was set aside by this attempt): not retried by
   * the polls, listed for admins with `/leads failed`, posted again when an admin presses Retry.
   */
  | { readonly kind: 'quarantined'; readonly newly: { readonly reason: string } | null }
  /** Another process is posting it right now. */
  | { readonly kind: 'busy' }
  /** A later step of a conversation whose first message is not posted yet: retried on the next poll. */
  | { readonly kind: 'waiting' }
  /** Slack refused; recorded and retried on the next poll. */
  | {
      readonly kind: 'failed';
      readonly error: string;
      readonly permanent: boolean;
      readonly channel: string | null;
    };

function stageOf(lead: Lead): Stage {
  return { leadId: lead.id, action: lead.action, channel: lead.channel, at: lead.receivedAt };
}

/** A lead is set aside after this many attempts… */
export const QUARANTINE_AFTER_ATTEMPTS = 10;
/** …spread over at least this long since it arrived, so a Slack or storage outage does not set it aside. */
export const QUARANTINE_AFTER_MS = 60 * 60_000;

/**
 * Why a lead that keeps failing is set aside now, or null. A channel Slack refuses is not the lead's
 * fault: those leads wait (and admins are told) until the channel is fixed.
 */
function quarantineReason(record: LeadRecord, lead: Lead, now: Date): string | null {
  if (record.status === 'posting' || record.status === 'failed') {
    if (record.attempts < QUARANTINE_AFTER_ATTEMPTS) return null;
    if (now.getTime() - lead.receivedAt.getTime() < QUARANTINE_AFTER_MS) return null;
    if (record.lastError !== null && isChannelProblem(record.lastError)) return null;
    return `${record.attempts} attempts failed; the last: ${record.lastError ?? 'the attempt did not finish (its process stopped or the storage failed)'}`;
  }
  return null;
}

const sameLead = (a: LeadId, b: LeadId) => a.partitionKey === b.partitionKey && a.rowKey === b.rowKey;

/** Where a lead's message goes: a new top-level message, or a reply in its customer's conversation. */
type Destination =
  | { readonly kind: 'top'; readonly channel: string; readonly conversation: Conversation | null }
  | {
      readonly kind: 'reply';
      readonly channel: string;
      readonly threadTs: string;
      readonly conversationKey: string;
    }
  | { readonly kind: 'waiting' };

/**
 * Posts one lead to Slack exactly once, however many processes try and wherever one of them crashes.
 * A conditional insert claims the lead before Slack is called; the message's `ts` is recorded after.
 */
export async function postLead(lead: Lead, deps: PostLeadDeps): Promise<PostOutcome> {
  const log = deps.log.child({ leadId: leadIdText(lead.id) });
  const claim = { by: deps.processId, at: deps.clock() };
  const claimed = await deps.leadRecords.claim(lead.id, { ...claim, receivedAt: lead.receivedAt });
  let record = claimed.record;
  if (claimed.kind === 'exists') {
    if (record.status === 'posted') return { kind: 'alreadyPosted' };
    if (record.status === 'quarantined') return { kind: 'quarantined', newly: null };
    const reason = quarantineReason(record, lead, claim.at);
    if (reason !== null) {
      await deps.leadRecords.quarantine(record, reason, claim.at);
      log.error('set a lead aside after repeated failures; an admin can retry it with /leads failed', {
        reason,
      });
      return { kind: 'quarantined', newly: { reason } };
    }
    const claimAge = claim.at.getTime() - record.claimedAt.getTime();
    if (record.status === 'posting' && claimAge < deps.claimTimeoutMs) return { kind: 'busy' };
    const previous = record;
    const taken = await deps.leadRecords.takeOver(previous, claim);
    if (taken.kind === 'lost') return { kind: 'busy' };
    record = taken.record;
    const recovered = await findPosted(lead, previous, deps);
    if (recovered) {
      record = await deps.leadRecords.markPosted(record, recovered.ts);
      // The crashed process's lookup may be kept (or is asked now): routed as a new post would be.
      const lookup =
        record.threadTs === null && deps.crmLookup ? await deps.crmLookup.lookUp(lead, claim.at) : null;
      await recordInConversation(lead, record, recovered.ts, deps, crmOwnerEmailOf(lookup));
      showLookupOnCard(lookup, lead.id, deps);
      log.info('found a message posted before a crash; recorded it instead of posting again', {
        ts: recovered.ts,
      });
      return { kind: 'recovered', channel: recovered.channel, ts: recovered.ts };
    }
  }

  const original = await sameLeadByOtherPath(lead, deps);
  if (original !== null) {
    const posted = await deps.leadRecords.get(original);
    if (posted?.status !== 'posted' || posted.ts === null) {
      await deps.leadRecords.markFailed(
        record,
        'waiting for the same lead, arrived by the other destination',
      );
      return { kind: 'waiting' };
    }
    try {
      await reconcileArrivals(lead, original, posted, deps);
    } catch (error) {
      if (!(error instanceof SlackCallError)) throw error;
      await deps.leadRecords.markFailed(record, error.code);
      return { kind: 'failed', error: error.code, permanent: error.permanent, channel: posted.channel };
    }
    await deps.leadRecords.markPosted(record, posted.ts);
    log.info('the same lead arrived by the other destination: recorded with its message, not posted again', {
      original: leadIdText(original),
    });
    return { kind: 'duplicate', of: original };
  }

  const destination = await destinationOf(lead, deps);
  if (destination.kind === 'waiting') {
    await deps.leadRecords.markFailed(record, 'waiting for the first message of the conversation');
    return { kind: 'waiting' };
  }
  // Queued for the CRM before Slack is called, so a crash after the post cannot lose the CRM record.
  if (deps.crmOutbox !== undefined && crmExclusionOf(lead) === null)
    await deps.crmOutbox.enqueue(crmKeyOf(lead.id), lead.id, claim.at);
  const threadTs = destination.kind === 'reply' ? destination.threadTs : null;
  const conversationKey =
    destination.kind === 'reply' ? destination.conversationKey : (destination.conversation?.key ?? null);
  record = await deps.leadRecords.setDestination(record, {
    channel: destination.channel,
    threadTs,
    conversationKey,
  });

  // Only a new card shows the CRM's answer: a reply belongs to a card that shows its first lead's.
  const lookup =
    destination.kind === 'top' && deps.crmLookup ? await deps.crmLookup.lookUp(lead, claim.at) : null;
  let ts: string;
  try {
    const posted = await deps.slack.postLead(lead, {
      channel: destination.channel,
      threadTs,
      conversation: destination.kind === 'top' ? destination.conversation : null,
      crm:
        deps.crmLookup && lookup?.inTime
          ? { crmName: deps.crmLookup.crmName, lookup: lookup.inTime, record: null }
          : null,
    });
    ts = posted.ts;
  } catch (error) {
    if (!(error instanceof SlackCallError)) throw error;
    if (error.outcomeUnknown) {
      // Slack may have stored it and lost the answer: look before anyone posts it again.
      const found = await findPosted(lead, record, deps).catch(() => null);
      if (found) {
        record = await deps.leadRecords.markPosted(record, found.ts);
        await recordInConversation(lead, record, found.ts, deps, crmOwnerEmailOf(lookup));
        if (lookup?.late) showLateLookup(lookup.late, lead.id, deps);
        log.info('Slack took the lead but its answer was lost; found it by its metadata', { ts: found.ts });
        return { kind: 'recovered', channel: found.channel, ts: found.ts };
      }
    }
    await deps.leadRecords.markFailed(record, error.code);
    log.warn('Slack refused the lead; it will be retried on the next poll', {
      error: error.code,
      channel: destination.channel,
    });
    return { kind: 'failed', error: error.code, permanent: error.permanent, channel: destination.channel };
  }
  record = await deps.leadRecords.markPosted(record, ts);
  await recordInConversation(lead, record, ts, deps, crmOwnerEmailOf(lookup));
  if (lookup?.late) showLateLookup(lookup.late, lead.id, deps);
  return threadTs === null
    ? { kind: 'posted', channel: destination.channel, ts }
    : { kind: 'threaded', channel: destination.channel, ts, threadTs };
}

/** The CRM owner's e-mail, known only from an answer within the budget: a late one cannot wait the rotation. */
const crmOwnerEmailOf = (lookup: LookupWithinBudget | null) => lookup?.inTime?.found?.owner?.email ?? null;

/**
 * A recovered post's card was drawn by the process that crashed, perhaps without the CRM's answer:
 * redrawn with it, now or when it comes.
 */
function showLookupOnCard(lookup: LookupWithinBudget | null, leadId: LeadId, deps: PostLeadDeps): void {
  if (lookup?.inTime) showLateLookup(Promise.resolve(lookup.inTime), leadId, deps);
  if (lookup?.late) showLateLookup(lookup.late, leadId, deps);
}

/**
 * Redraws the card when the CRM's late answer is kept. Not awaited: the poll goes on posting. A
 * process that stops first leaves the card without it (the answer is kept, so the card's next
 * redraw, on a claim or any change, shows it).
 */
function showLateLookup(late: Promise<CrmLookup | null>, leadId: LeadId, deps: PostLeadDeps): void {
  void late
    .then((answer) => (answer === null ? undefined : deps.redrawCard?.(leadId)))
    .catch((error: unknown) => {
      deps.log.warn("could not show the CRM's late answer on the lead's card", {
        leadId: leadIdText(leadId),
        error: error instanceof Error ? error.message : String(error),
      });
    });
}

/** The lead this one repeats by the other destination (docs/operations.md → "Both destinations at once"), or null. */
async function sameLeadByOtherPath(lead: Lead, deps: PostLeadDeps): Promise<LeadId | null> {
  const key = arrivalKeyOf(lead);
  if (key === null) return null;
  const arrival = arrivalOf(lead);
  const outcome = await deps.arrivals.record(key, arrival, (existing) =>
    isSameLeadByOtherPath(existing, arrival),
  );
  return outcome.kind === 'same' ? outcome.existing.leadId : null;
}

/**
 * One lead by both destinations: Microsoft's table row is the record. When it came second, after a pushed
 * copy that heads a conversation, the card switches to it; whatever the two disagree on is noted in the
 * thread once (docs/operations.md → "Both destinations at once"). Safe to run again after a crash: the switch is
 * conditional on the old root, the note a delivery done once.
 */
async function reconcileArrivals(
  lead: Lead,
  original: LeadId,
  originalRecord: LeadRecord,
  deps: PostLeadDeps,
): Promise<void> {
  const key = originalRecord.conversationKey;
  const originalRow = key === null ? null : await deps.leadTable.get(original);
  if (key === null || originalRow === null) return;
  const later = arrivalOf(lead).path;
  const earlier = parseLeadRow(originalRow);
  const differences =
    later === 'table' ? differencesBetween(lead, earlier) : differencesBetween(earlier, lead);
  let conversation = await deps.conversations.get(key);
  if (conversation === null) return;
  if (later === 'table' && sameLead(conversation.rootLeadId, original)) {
    conversation = (await deps.conversations.replaceRoot(key, original, lead.id)) ?? conversation;
    await refreshConversationMessage(conversation, deps);
  }
  const { channel, ts } = conversation;
  if (differences.length === 0 || channel === null || ts === null) return;
  const note = { later, differences, cardShowsTable: sameLead(conversation.rootLeadId, lead.id) };
  const subject = conversation;
  await deliverOnce(
    `arrivals|${leadIdText(lead.id)}`,
    deps.clock(),
    { kind: 'thread', channel, threadTs: ts },
    (delivery) => deps.slack.noteArrivals(subject, note, delivery),
    deps,
  );
}

/**
 * Where a previous attempt (of this process or a dead one) may have posted the lead: its message,
 * found by the metadata every lead message carries; null when that attempt never reached Slack.
 */
async function findPosted(lead: Lead, previous: LeadRecord, deps: PostLeadDeps) {
  if (previous.channel === null) return null; // that attempt never got as far as Slack
  return deps.slack.findPostedLead(lead.id, {
    channel: previous.channel,
    threadTs: previous.threadTs,
    // The claim's time is the claiming process's clock: searched from as far before it as clocks can differ.
    oldest: new Date(previous.claimedAt.getTime() - MAX_CLOCK_SKEW_MS),
  });
}

async function destinationOf(lead: Lead, deps: PostLeadDeps): Promise<Destination> {
  const key = conversationKeyOf(lead);
  if (key === null) return { kind: 'top', channel: await deps.channelFor(lead), conversation: null };
  const opened = await deps.conversations.open(key, stageOf(lead));
  let conversation = opened.conversation;
  if (opened.kind === 'opened' || sameLead(conversation.rootLeadId, lead.id)) {
    const channel = conversation.channel ?? (await deps.channelFor(lead));
    // Started before the first post, so the message shows its deadline from the start.
    return {
      kind: 'top',
      channel,
      conversation: await startFollowUpClock(lead, conversation, channel, deps),
    };
  }
  if (conversation.ts === null) {
    // The first lead may have been posted by a process that died before noting it on the conversation.
    const root = await deps.leadRecords.get(conversation.rootLeadId);
    if (root?.status !== 'posted' || root.ts === null || root.channel === null) return { kind: 'waiting' };
    conversation = await deps.conversations.setMessage(key, root.channel, root.ts);
  }
  return {
    kind: 'reply',
    channel: conversation.channel ?? (await deps.channelFor(lead)),
    threadTs: conversation.ts ?? '',
    conversationKey: key,
  };
}

/**
 * After a lead's message exists: note it on the conversation. A new conversation goes to its channel's
 * rotation; a later step refreshes the first message to show the latest stage.
 */
async function recordInConversation(
  lead: Lead,
  record: LeadRecord,
  ts: string,
  deps: PostLeadDeps,
  crmOwnerEmail: string | null = null,
) {
  const key = record.conversationKey;
  if (key === null || record.channel === null) return;
  if (record.threadTs === null) {
    const conversation = await deps.conversations.setMessage(key, record.channel, ts);
    await assignNewConversation(conversation, crmOwnerEmail, deps);
    return;
  }
  const conversation = await deps.conversations.addStage(key, stageOf(lead));
  await refreshConversationMessage(await startFollowUpClock(lead, conversation, record.channel, deps), deps);
}
