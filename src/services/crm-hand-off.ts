import {
  CHANGE_RECORD_GRACE_MS,
  type CrmChange,
  crmUpdateOf,
  leadKeyOfChange,
  recordingOf,
} from '../domain/crm-change.ts';
import type { CrmFieldMap } from '../domain/crm-fields.ts';
import { crmLeadOf, crmRetryAt } from '../domain/crm-lead.ts';
import { type Lead, type LeadId, leadIdText, parseLeadRow } from '../domain/lead.ts';
import type { Logger } from '../logger.ts';
import type { ConversationStore } from '../stores/conversation-store.ts';
import type { CrmOutbox, CrmWrite } from '../stores/crm-outbox.ts';
import type { LeadTable } from '../stores/lead-table.ts';
import type { OwnershipLog } from '../stores/ownership-log.ts';
import { CrmCallError, type CrmPort, type CrmRecord } from './crm-port.ts';
import { SlackCallError, type SlackPort } from './slack-port.ts';

export interface CrmHandOffDeps {
  readonly crm: CrmPort;
  readonly outbox: CrmOutbox;
  readonly leadTable: Pick<LeadTable, 'get'>;
  /** A change is written only once its conversation shows it recorded (it is queued first). */
  readonly conversations: Pick<ConversationStore, 'getById'>;
  readonly ownershipLog: Pick<OwnershipLog, 'list'>;
  /** The admin's `crm.fieldMap`, read once a run. */
  readonly fieldMap: () => Promise<CrmFieldMap>;
  /** Whose e-mail a Slack user has: owners are matched to CRM users by it. */
  readonly slack: Pick<SlackPort, 'userProfile'>;
  readonly clock: () => Date;
  readonly log: Logger;
  /** Writes under way at once; the adapter spaces its calls to the CRM's own rate limit. */
  readonly concurrency: number;
  /** A write taken by a process is not taken by another for this long (its CRM calls must end sooner). */
  readonly takeMs: number;
  /**
   * Looks the lead's customer up unless that was done before its post (crmLookup.settle): before the
   * lead's own write, which would make the customer known. Absent: no lookup.
   */
  readonly settleLookup?: (lead: Lead) => Promise<unknown>;
  /** Told when a lead's own record was written (its card then links to it); its failures are its own. */
  readonly afterLeadWritten?: (leadId: LeadId) => Promise<void>;
}

/** What one run of the hand-off did. */
export interface CrmHandOffSummary {
  readonly written: number;
  readonly postponed: number;
  readonly setAside: number;
  /** Queued leads with nothing to write: their row is gone, or they are not for the CRM. */
  readonly dropped: number;
  /** The CRM refused the bot's credentials: the run stopped, everything waits for an admin. */
  readonly unauthorized: string | null;
  /** The CRM asked the bot to slow down: the run stopped, the rest wait their turn. */
  readonly rateLimited: boolean;
  /** Writes still queued after the run (due or waiting for a retry). */
  readonly backlog: number;
}

/** Writes taken in one run at most: a larger backlog continues in the next run. */
export const CRM_RUN_LIMIT = 200;

type Outcome = 'written' | 'postponed' | 'setAside' | 'dropped';

/** A change not yet recorded in Slack is looked at again this soon (its recording is under way). */
const RECORDING_RECHECK_MS = 5_000;

/** Tells the hand-off that a change's recording in Slack has not happened yet: it is looked at again. */
class RecordingPending extends Error {}

/**
 * Writes the queued leads to the CRM: each taken (so one process writes it), written (idempotently,
 * by its key), and its outcome recorded. A CRM that is down or rate-limited postpones the write with
 * backoff; one that refuses a lead sets it aside for `/leads failed`. Slack never waits for any of it:
 * the leads were queued by the post, and this runs on its own schedule.
 */
export async function handOffToCrm(deps: CrmHandOffDeps): Promise<CrmHandOffSummary> {
  const due = await deps.outbox.listDue(deps.clock(), CRM_RUN_LIMIT);
  const fieldMap = due.length === 0 ? {} : await deps.fieldMap();
  const counts: Record<Outcome, number> = { written: 0, postponed: 0, setAside: 0, dropped: 0 };
  let unauthorized: string | null = null;
  let rateLimited = false;
  let next = 0;
  /** Slack users' e-mails, asked once a run: a rep's many changes ask Slack once. */
  const emails = new Map<string, Promise<string | null>>();

  /** Writes the lead's record; null when there is nothing to write (its row is gone, or not for the CRM). */
  async function writeLead(write: CrmWrite): Promise<CrmRecord | null> {
    const row = await deps.leadTable.get(write.leadId);
    const parsed = row === null ? null : parseLeadRow(row);
    const lead = parsed === null ? null : crmLeadOf(parsed, fieldMap);
    if (parsed === null || lead === null) return null;
    await deps.settleLookup?.(parsed);
    return deps.crm.writeLead(lead);
  }

  /**
   * Tells the lead's record of a change; null when the lead has no record and never will (it was
   * dropped). A lead whose own write waits (set aside) makes its changes wait with it.
   */
  async function writeChange(write: CrmWrite, change: CrmChange): Promise<CrmRecord | null> {
    if (!(await isRecorded(change))) return null;
    const written = await deps.outbox.writtenOf(leadKeyOfChange(write.key));
    if (written === null) {
      const waiting = (await deps.outbox.listSetAside()).some(
        (aside) => aside.key === leadKeyOfChange(write.key),
      );
      if (!waiting) return null;
      throw new CrmCallError('unavailable', "waiting for the lead's own record (set aside in /leads failed)");
    }
    const by = await emailOf(change.by);
    const ownerEmail = change.kind === 'owner' ? await emailOf(change.ownerId) : null;
    const update = crmUpdateOf({
      key: write.key,
      change,
      ownerEmail,
      byName: by ?? `Slack user ${change.by}`,
      // A first attempt cannot have written anything; after a lost answer, the adapter looks first.
      maybeWritten: write.attempts > 1,
    });
    const record = { id: written.recordId, contactId: written.contactId, url: written.url };
    await deps.crm.updateRecord(record, update);
    return record;
  }

  /**
   * Whether the change was recorded in Slack; throws RecordingPending while it may still be. A change
   * is queued before it is recorded: one its process stopped before recording is never written.
   */
  async function isRecorded(change: CrmChange): Promise<boolean> {
    if (change.conversationId === undefined) return true; // queued after it was recorded
    const conversation = await deps.conversations.getById(change.conversationId);
    const events =
      change.kind === 'owner' && conversation !== null ? await deps.ownershipLog.list(conversation.id) : [];
    const recording = recordingOf(change, conversation, events);
    if (recording !== 'notRecorded') return true;
    if (deps.clock().getTime() - change.at.getTime() < CHANGE_RECORD_GRACE_MS) throw new RecordingPending();
    deps.log.warn(
      'a change queued for the CRM was never recorded in Slack (its process stopped, or a write failed); it is not written',
      {
        conversationId: change.conversationId,
        change: change.kind,
      },
    );
    return false;
  }

  /** A Slack user's e-mail; Slack not answering postpones the write (the owner would be left out). */
  function emailOf(userId: string): Promise<string | null> {
    const known = emails.get(userId);
    if (known !== undefined) return known;
    const asked = deps.slack.userProfile(userId).then(
      (profile) => profile.email,
      (error: unknown) => {
        emails.delete(userId); // a failure is asked again by the next write
        if (!(error instanceof SlackCallError)) throw error;
        if (error.code === 'user_not_found') return null;
        throw new CrmCallError('unavailable', `Slack did not give ${userId}'s e-mail: ${error.code}`);
      },
    );
    emails.set(userId, asked);
    return asked;
  }

  async function handOne(write: CrmWrite): Promise<Outcome | null> {
    const taken = await deps.outbox.take(write, new Date(deps.clock().getTime() + deps.takeMs));
    if (taken === null) return null; // another process has it
    const log = deps.log.child({
      leadId: leadIdText(taken.leadId),
      ...(taken.change ? { change: taken.change.kind } : {}),
    });
    try {
      const record = taken.change === null ? await writeLead(taken) : await writeChange(taken, taken.change);
      if (record === null) {
        await deps.outbox.drop(taken);
        return 'dropped';
      }
      await deps.outbox.complete(taken, {
        recordId: record.id,
        contactId: record.contactId,
        url: record.url,
        at: deps.clock(),
      });
      if (taken.change === null) await deps.afterLeadWritten?.(taken.leadId);
      return 'written';
    } catch (error) {
      if (error instanceof RecordingPending) {
        const recheckAt = new Date(deps.clock().getTime() + RECORDING_RECHECK_MS);
        await deps.outbox.postpone(taken, 'waiting for the change to be recorded in Slack', recheckAt);
        return 'postponed';
      }
      if (!(error instanceof CrmCallError)) throw error;
      if (error.permanent) {
        await deps.outbox.setAside(taken, error.detail, deps.clock());
        const what = taken.change === null ? 'a lead' : `a lead's ${taken.change.kind} change`;
        log.error(`${deps.crm.name} refused ${what}; it is set aside for /leads failed`, {
          reason: error.detail,
        });
        return 'setAside';
      }
      if (error.kind === 'unauthorized') unauthorized = error.detail;
      if (error.kind === 'rateLimited') rateLimited = true;
      await deps.outbox.postpone(
        taken,
        error.message,
        crmRetryAt(deps.clock(), taken.attempts, error.retryAfterMs),
      );
      log.warn(`could not write to ${deps.crm.name}; it will be tried again`, {
        error: error.message,
        attempts: taken.attempts,
      });
      return 'postponed';
    }
  }

  // Workers take the due writes in order; a refused token or a rate limit stops them all.
  const worker = async () => {
    while (unauthorized === null && !rateLimited) {
      const write = due[next];
      next += 1;
      if (write === undefined) return;
      const outcome = await handOne(write);
      if (outcome !== null) counts[outcome] += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, deps.concurrency) }, worker));
  return { ...counts, unauthorized, rateLimited, backlog: await deps.outbox.countQueued() };
}
