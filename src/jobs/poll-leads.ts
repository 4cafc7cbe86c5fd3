import { subDays } from 'date-fns/subDays';
import { conversationKeyOf, type Lead, leadIdText, parseLeadRow } from '../domain/lead.ts';
import { isInExpectedPartition, partitionsToRead } from '../domain/lead-partitions.ts';
import type { BlockedChannel, QuarantineNotice } from '../domain/poll-report.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { PostOutcome } from '../services/post-lead.ts';
import { SlackCallError, type SlackPort } from '../services/slack-port.ts';
import type { ConversationStore } from '../stores/conversation-store.ts';
import type { CursorStore, PollCursor } from '../stores/cursor-store.ts';
import { describeFailure, failureField } from '../stores/failure.ts';
import type { LeadRecordStore, QuarantinedLead } from '../stores/lead-record-store.ts';
import type { LeadTable } from '../stores/lead-table.ts';

/** What a poll reads and writes itself; posting each lead is the post-lead service's, handed in as `post`. */
export interface PollDeps {
  /** Posts one lead once (the post-lead service with this run's routing); may throw on a storage failure. */
  readonly post: (lead: Lead) => Promise<PostOutcome>;
  /** The routing rules' pick for a lead without a conversation: it decides the lead's lane. */
  readonly channelFor: (lead: Lead) => Promise<string>;
  readonly leadTable: LeadTable;
  readonly leadRecords: Pick<LeadRecordStore, 'get' | 'release' | 'quarantine' | 'listQuarantined'>;
  readonly conversations: Pick<ConversationStore, 'get'>;
  readonly slack: Pick<SlackPort, 'announceFirstStart'>;
  readonly cursors: CursorStore;
  /** Where the first-start notice goes. */
  readonly leadsChannel: string;
  /** On the very first start, leads older than this many days are counted, not posted. */
  readonly backfillDays: number;
  /** Each poll re-reads this far behind the cursor, for rows the service made visible late. */
  readonly overlapMs: number;
  /** Told about channels Slack refuses permanently, so an admin hears of it; the leads are retried every poll. */
  readonly reportBlocked?: (blocked: readonly BlockedChannel[]) => Promise<void>;
  /**
   * Read with the Timestamp-only query every poll (a full scan on the real service) instead of asking
   * the window's date partitions: set once the sweep found Microsoft's PartitionKey format drifted.
   */
  readonly scanEveryPoll?: boolean;
  /** Told about leads this poll set aside after repeated failures, so an admin hears of each once. */
  readonly reportQuarantined?: (leads: readonly QuarantineNotice[]) => Promise<void>;
  readonly metrics?: Pick<Metrics, 'leadDelivered' | 'failure'>;
  readonly clock: () => Date;
  readonly log: Logger;
}

export interface FirstStart {
  readonly since: Date;
  /** Leads already in the table before the backfill window: counted and reported, not posted. */
  readonly olderLeads: number;
}

/** What one poll did. Every row read is counted in exactly one of the outcome counts. */
export interface PollSummary {
  readonly tableFound: boolean;
  /** Set on the one poll that initialised the cursor. */
  readonly firstStart: FirstStart | null;
  readonly read: number;
  readonly posted: number;
  readonly threaded: number;
  readonly recovered: number;
  readonly alreadyPosted: number;
  /** The same lead, already posted after arriving by the other destination (table or HTTPS endpoint). */
  readonly duplicate: number;
  /** Held by another process right now. */
  readonly busy: number;
  /** Waiting for their conversation's first message. */
  readonly waiting: number;
  readonly failed: number;
  /** Rows with something malformed (they are posted all the same, with what could be read). */
  readonly malformed: number;
  /** Leads an admin asked to retry (`/leads failed` → Retry), posted again by this poll. */
  readonly retried: number;
  /** Leads set aside in all (after this poll): each waits for an admin's Retry. */
  readonly setAside: number;
  /** How the table was read: its window's date partitions, or one Timestamp-only scan. */
  readonly readBy: 'partitions' | 'scan';
  readonly cursor: Date;
  /** Slack errors that will not go away by themselves (an admin must act), with the leads they hold back. */
  readonly blocked: readonly BlockedChannel[];
}

type OutcomeCounts = Record<PostOutcome['kind'], number>;

const emptyCounts = (): OutcomeCounts => ({
  posted: 0,
  threaded: 0,
  recovered: 0,
  alreadyPosted: 0,
  duplicate: 0,
  busy: 0,
  waiting: 0,
  failed: 0,
  quarantined: 0,
});

/**
 * The backfill window reaches this much further back than BACKFILL_DAYS: the clock is the table
 * service's to within about a second at the first start, and a lead written just as the bot first
 * starts must be posted, not counted as older.
 */
export const FIRST_START_MARGIN_MS = 5_000;

/** Reads the cursor, creating it on the very first start (then only the backfill window is posted). */
async function cursorOf(deps: PollDeps): Promise<{ cursor: PollCursor; firstStartSince: Date | null }> {
  const table = deps.leadTable.name;
  const existing = await deps.cursors.get(table);
  if (existing !== null) return { cursor: existing, firstStartSince: null };
  const since = new Date(subDays(deps.clock(), deps.backfillDays).getTime() - FIRST_START_MARGIN_MS);
  if ((await deps.cursors.create(table, since)) === 'exists') {
    return {
      cursor: (await deps.cursors.get(table)) ?? { position: since, floor: since },
      firstStartSince: null,
    };
  }
  deps.log.info('first start: posting the leads of the backfill window', { since: since.toISOString() });
  return { cursor: { position: since, floor: since }, firstStartSince: since };
}

/**
 * After the first start's leads are posted: counts the older leads (a full scan, run once, so it never
 * delays the first posts) and tells the channel what was and was not posted.
 */
async function announceFirstStart(since: Date, deps: PollDeps): Promise<FirstStart> {
  const olderLeads = await deps.leadTable.countBefore(since);
  try {
    await deps.slack.announceFirstStart(deps.leadsChannel, {
      table: deps.leadTable.name,
      windowDays: deps.backfillDays,
      since,
      olderLeads,
    });
  } catch (error) {
    if (!(error instanceof SlackCallError)) throw error;
    deps.log.warn('could not post the first-start notice', { error: error.code });
  }
  return { since, olderLeads };
}

async function postOne(lead: Lead, deps: PollDeps): Promise<PostOutcome> {
  const outcome = await deps.post(lead).catch((error: unknown): PostOutcome => {
    // A failure of the state tables must not stop the other leads; this one is retried on the next poll.
    deps.log.error('could not post lead', { leadId: leadIdText(lead.id), error: failureField(error) });
    return { kind: 'failed', error: describeFailure(error), permanent: false, channel: null };
  });
  if (outcome.kind === 'posted' || outcome.kind === 'threaded' || outcome.kind === 'recovered')
    deps.metrics?.leadDelivered(outcome.kind, lead.createdAt ?? lead.receivedAt, deps.clock());
  else if (outcome.kind === 'failed') deps.metrics?.failure('post_lead');
  return outcome;
}

/**
 * Splits the leads into lanes, one per destination channel (a conversation's channel, else the routing
 * rules' pick; leads of one customer stay in one lane). A lane is posted in order; lanes run side by
 * side, so a backlog drains at every channel's pace at once rather than one channel at a time.
 */
async function lanesOf(leads: readonly Lead[], deps: PollDeps): Promise<Lead[][]> {
  const lanes = new Map<string, Lead[]>();
  const laneOfConversation = new Map<string, string>();
  for (const lead of leads) {
    const key = conversationKeyOf(lead);
    let lane = key === null ? undefined : laneOfConversation.get(key);
    if (lane === undefined) {
      const conversation = key === null ? null : await deps.conversations.get(key);
      lane = conversation?.channel ?? (await deps.channelFor(lead));
      if (key !== null) laneOfConversation.set(key, lane);
    }
    lanes.set(lane, [...(lanes.get(lane) ?? []), lead]);
  }
  return [...lanes.values()];
}

/**
 * Posts again the set-aside leads an admin asked to retry, wherever they are in the table (they are
 * usually behind the cursor): each is cleared for one more first attempt, then posted as usual.
 */
async function retryRequested(setAside: readonly QuarantinedLead[], deps: PollDeps): Promise<number> {
  const requested = setAside.filter((lead) => lead.retryRequested);
  let retried = 0;
  for (const { id } of requested) {
    if ((await deps.leadRecords.release(id)) === null) continue; // released by another process
    const row = await deps.leadTable.get(id);
    if (row === null) continue; // Microsoft's row is gone: nothing to post
    const outcome = await postOne(parseLeadRow(row), deps);
    retried += 1;
    if (outcome.kind === 'failed' || outcome.kind === 'busy' || outcome.kind === 'waiting') {
      // Behind the cursor, no poll would try it again: it goes back to the admins' list at once.
      const record = await deps.leadRecords.get(id);
      if (record !== null && record.status !== 'posted')
        await deps.leadRecords.quarantine(
          record,
          `the retry failed too: ${record.lastError ?? outcome.kind}`,
          deps.clock(),
        );
    }
  }
  return retried;
}

/**
 * One poll: reads the rows written since the cursor (minus the overlap), posts each new lead once, and
 * moves the cursor up to the oldest lead that is not done yet, so nothing unfinished is ever skipped.
 */
export async function pollNewLeads(deps: PollDeps): Promise<PollSummary> {
  const { cursor: stored, firstStartSince } = await cursorOf(deps);
  const cursor = stored.position;
  const readFrom = Math.max(cursor.getTime() - deps.overlapMs, stored.floor.getTime());
  // Normally the window's date partitions, each asked separately (the service reads only those); one
  // Timestamp-only scan when the window spans too many dates, or once the partition format drifted.
  const partitions = deps.scanEveryPoll ? null : partitionsToRead(new Date(readFrom), deps.clock());
  const result =
    partitions === null
      ? await deps.leadTable.listSince(new Date(readFrom))
      : await deps.leadTable.listSinceInPartitions(new Date(readFrom), partitions);
  const counts = emptyCounts();
  if (result.kind === 'missing') {
    return {
      tableFound: false,
      firstStart: firstStartSince && (await announceFirstStart(firstStartSince, deps)),
      read: 0,
      malformed: 0,
      retried: 0,
      setAside: 0,
      readBy: partitions === null ? 'scan' : 'partitions',
      cursor,
      blocked: [],
      ...counts,
    };
  }
  const leads = result.rows.map(parseLeadRow);
  const malformed = leads.filter((lead) => lead.problems.length > 0);
  const newlyQuarantined: QuarantineNotice[] = [];
  let latestDone = cursor;
  let oldestUnfinished: Date | null = null;
  const blocked = new Map<string, BlockedChannel>();
  const lanes = await lanesOf(leads, deps);
  await Promise.all(
    lanes.map(async (lane) => {
      for (const lead of lane) {
        const outcome = await postOne(lead, deps);
        counts[outcome.kind] += 1;
        // Said once, when the lead is posted: not again each poll it stays in the overlap window.
        if (lead.problems.length > 0 && outcome.kind !== 'alreadyPosted')
          deps.log.warn('malformed lead row: posted what could be read', {
            leadId: leadIdText(lead.id),
            problems: lead.problems,
            outcome: outcome.kind,
          });
        if (outcome.kind === 'quarantined' && outcome.newly)
          newlyQuarantined.push({ leadId: lead.id, reason: outcome.newly.reason });
        if (outcome.kind === 'failed' && outcome.permanent && outcome.channel !== null) {
          const key = `${outcome.channel} ${outcome.error}`;
          const known = blocked.get(key);
          blocked.set(key, {
            channel: outcome.channel,
            error: outcome.error,
            leads: (known?.leads ?? 0) + 1,
          });
        }
        const unfinished = outcome.kind === 'busy' || outcome.kind === 'waiting' || outcome.kind === 'failed';
        if (unfinished && (oldestUnfinished === null || lead.receivedAt < oldestUnfinished))
          oldestUnfinished = lead.receivedAt;
        if (!unfinished && lead.receivedAt > latestDone) latestDone = lead.receivedAt;
      }
    }),
  );
  // The cursor only moves forward; an unfinished lead behind it is still inside the overlap it re-reads.
  const next = new Date(Math.max((oldestUnfinished ?? latestDone).getTime(), cursor.getTime()));
  if (next > cursor) await deps.cursors.advance(deps.leadTable.name, next);
  if (blocked.size > 0) await deps.reportBlocked?.([...blocked.values()]);
  if (newlyQuarantined.length > 0) await deps.reportQuarantined?.(newlyQuarantined);
  // One read of the set-aside list a poll; read again only when retries changed it.
  const setAside = await deps.leadRecords.listQuarantined();
  const retried = await retryRequested(setAside, deps);
  return {
    tableFound: true,
    firstStart: firstStartSince && (await announceFirstStart(firstStartSince, deps)),
    read: result.rows.length,
    malformed: malformed.length,
    retried,
    setAside: retried > 0 ? (await deps.leadRecords.listQuarantined()).length : setAside.length,
    readBy: partitions === null ? 'scan' : 'partitions',
    cursor: next,
    blocked: [...blocked.values()],
    ...counts,
  };
}

/** What one safety-net sweep did. */
export interface SweepSummary {
  readonly read: number;
  /** Rows outside the partitions a poll asks for them: Microsoft's PartitionKey format drifted. */
  readonly drifted: number;
  /** Leads the polls had not posted, posted by the sweep. */
  readonly posted: number;
}

/** How far back the hourly sweep reads: its own period, with room for a late or skipped run. */
export const SWEEP_WINDOW_MS = 3 * 60 * 60 * 1000;

/**
 * The safety net under the partition polls: the Timestamp-only query (a full scan on the real service)
 * over the last SWEEP_WINDOW_MS, on a slow schedule. Any lead not posted yet is posted; rows outside
 * the partitions a poll asks for them mean the PartitionKey format drifted, and are reported, so the
 * bot can fall back to scanning every poll. Nothing depends on the date format being right.
 */
export async function sweepLeads(
  deps: PollDeps & { readonly onDrift: (rows: number) => Promise<void> },
): Promise<SweepSummary> {
  const stored = await deps.cursors.get(deps.leadTable.name);
  if (stored === null) return { read: 0, drifted: 0, posted: 0 }; // the first poll has not run yet
  const since = new Date(Math.max(deps.clock().getTime() - SWEEP_WINDOW_MS, stored.floor.getTime()));
  const result = await deps.leadTable.listSince(since);
  if (result.kind === 'missing') return { read: 0, drifted: 0, posted: 0 };
  const drifted = result.rows.filter((row) => !isInExpectedPartition(row));
  if (drifted.length > 0) await deps.onDrift(drifted.length);
  let posted = 0;
  for (const row of result.rows) {
    const outcome = await postOne(parseLeadRow(row), deps);
    if (outcome.kind === 'posted' || outcome.kind === 'threaded' || outcome.kind === 'recovered') posted += 1;
  }
  return { read: result.rows.length, drifted: drifted.length, posted };
}
