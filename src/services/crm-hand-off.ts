import { crmLeadOf, crmRetryAt } from '../domain/crm-lead.ts';
import { leadIdText, parseLeadRow } from '../domain/lead.ts';
import type { Logger } from '../logger.ts';
import type { CrmOutbox, CrmWrite } from '../stores/crm-outbox.ts';
import type { LeadTable } from '../stores/lead-table.ts';
import { CrmCallError, type CrmPort } from './crm-port.ts';

export interface CrmHandOffDeps {
  readonly crm: CrmPort;
  readonly outbox: CrmOutbox;
  readonly leadTable: Pick<LeadTable, 'get'>;
  readonly clock: () => Date;
  readonly log: Logger;
  /** Writes under way at once; the adapter spaces its calls to the CRM's own rate limit. */
  readonly concurrency: number;
  /** A write taken by a process is not taken by another for this long (its CRM calls must end sooner). */
  readonly takeMs: number;
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

/**
 * Writes the queued leads to the CRM: each taken (so one process writes it), written (idempotently,
 * by its key), and its outcome recorded. A CRM that is down or rate-limited postpones the write with
 * backoff; one that refuses a lead sets it aside for `/leads failed`. Slack never waits for any of it:
 * the leads were queued by the post, and this runs on its own schedule.
 */
export async function handOffToCrm(deps: CrmHandOffDeps): Promise<CrmHandOffSummary> {
  const due = await deps.outbox.listDue(deps.clock(), CRM_RUN_LIMIT);
  const counts: Record<Outcome, number> = { written: 0, postponed: 0, setAside: 0, dropped: 0 };
  let unauthorized: string | null = null;
  let rateLimited = false;
  let next = 0;

  async function handOne(write: CrmWrite): Promise<Outcome | null> {
    const taken = await deps.outbox.take(write, new Date(deps.clock().getTime() + deps.takeMs));
    if (taken === null) return null; // another process has it
    const row = await deps.leadTable.get(taken.leadId);
    const lead = row === null ? null : crmLeadOf(parseLeadRow(row));
    if (lead === null) {
      await deps.outbox.drop(taken);
      return 'dropped';
    }
    const log = deps.log.child({ leadId: leadIdText(taken.leadId) });
    try {
      const record = await deps.crm.writeLead(lead);
      await deps.outbox.complete(taken, {
        recordId: record.id,
        contactId: record.contactId,
        url: record.url,
        at: deps.clock(),
      });
      return 'written';
    } catch (error) {
      if (!(error instanceof CrmCallError)) throw error;
      if (error.permanent) {
        await deps.outbox.setAside(taken, error.detail, deps.clock());
        log.error(`${deps.crm.name} refused a lead; it is set aside for /leads failed`, {
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
      log.warn(`could not write a lead to ${deps.crm.name}; it will be tried again`, {
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
