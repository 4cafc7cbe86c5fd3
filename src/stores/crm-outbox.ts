import { type CrmChange, leadKeyOfChange } from '../domain/crm-change.ts';
import type { LeadId } from '../domain/lead.ts';

/** One CRM write waiting in the outbox: a lead's record, or a change of it made in Slack. */
export interface CrmWrite {
  /**
   * The lead's CRM key (crmKeyOf) for the lead's own write; for a change, that key, a dot and the
   * change's hash (crmChangeKeyOf). One write per key, whoever queues it and however often.
   */
  readonly key: string;
  readonly leadId: LeadId;
  /** Null for the lead's own write. */
  readonly change: CrmChange | null;
  readonly queuedAt: Date;
  /** Not tried before this time: a backoff, a CRM's Retry-After, or another process's attempt under way. */
  readonly notBefore: Date;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly etag: string;
}

/** A write set aside after the CRM refused it: listed for admins, tried again only when one asks. */
export interface SetAsideCrmWrite {
  readonly key: string;
  readonly leadId: LeadId;
  readonly reason: string;
  readonly attempts: number;
  readonly at: Date;
}

/** Where a lead was written: the CRM's ids, kept for links and later write-backs. */
export interface CrmWritten {
  readonly key: string;
  readonly leadId: LeadId;
  readonly recordId: string;
  readonly contactId: string | null;
  readonly url: string | null;
  readonly at: Date;
}

/**
 * The queue of leads to write to the CRM, shared by every process. A lead is queued before it is
 * posted to Slack, and leaves the queue only with its outcome recorded in the same transaction, so a
 * crash anywhere leaves it queued (and the CRM write is idempotent by its key).
 */
export interface CrmOutbox {
  /** Queues the lead unless it is queued or written already (a conditional insert: calling twice queues one). */
  enqueue(key: string, leadId: LeadId, at: Date): Promise<void>;
  /**
   * Queues a change of a lead (its key from crmChangeKeyOf), once however often it is queued, unless
   * the lead itself never was queued (not for the CRM): false then.
   */
  enqueueChange(key: string, leadId: LeadId, change: CrmChange): Promise<boolean>;
  /**
   * Queued writes due at `now`, those waiting longest first; at most `limit`. Only the first queued
   * write of each lead is listed (its own write, then its changes in the order they happened), and only
   * when it is due: a lead's writes are made one at a time, in order, by whichever process takes them.
   */
  listDue(now: Date, limit: number): Promise<readonly CrmWrite[]>;
  /** Queued writes, due or not: the backlog's size. */
  countQueued(): Promise<number>;
  /**
   * Takes a due write until `until` (ETag-guarded on the write as read), counting an attempt; null
   * when another process took or finished it meanwhile.
   */
  take(write: CrmWrite, until: Date): Promise<CrmWrite | null>;
  /**
   * Records where the lead was written, and removes it from the queue, in one transaction; also from a
   * process whose take expired (its CRM call happened). Does nothing once the write left the queue.
   */
  complete(write: CrmWrite, written: Omit<CrmWritten, 'key' | 'leadId'>): Promise<void>;
  /** Records a failed attempt: tried again at `notBefore`. */
  postpone(write: CrmWrite, error: string, notBefore: Date): Promise<void>;
  /** Removes a write that has nothing to write (its lead is gone, or not for the CRM). */
  drop(write: CrmWrite): Promise<void>;
  /** Moves the write from the queue to the set-aside list, in one transaction. */
  setAside(write: CrmWrite, reason: string, at: Date): Promise<void>;
  /** Set-aside writes, newest first. */
  listSetAside(): Promise<readonly SetAsideCrmWrite[]>;
  /** An admin's Retry: queued again as a first attempt. False when it is not set aside (any more). */
  retry(key: string, at: Date): Promise<boolean>;
  /** Where the lead was written; null while it is not (yet). */
  writtenOf(key: string): Promise<CrmWritten | null>;
}

/**
 * The writes `listDue` lists, from every queued write: the first of each lead (its own write, else its
 * earliest change), when due, those waiting longest first. Shared by the adapters, so both order alike.
 */
export function dueInLeadOrder(queued: readonly CrmWrite[], now: Date, limit: number): CrmWrite[] {
  const firstOfLead = new Map<string, CrmWrite>();
  for (const write of queued) {
    const leadKey = leadKeyOfChange(write.key);
    const first = firstOfLead.get(leadKey);
    if (first === undefined || comesBefore(write, first)) firstOfLead.set(leadKey, write);
  }
  return [...firstOfLead.values()]
    .filter((write) => write.notBefore.getTime() <= now.getTime())
    .sort((a, b) => a.queuedAt.getTime() - b.queuedAt.getTime() || a.key.localeCompare(b.key))
    .slice(0, limit);
}

/** A lead's own write comes before its changes, whatever the clocks said; changes come in time order. */
function comesBefore(a: CrmWrite, b: CrmWrite): boolean {
  if ((a.change === null) !== (b.change === null)) return a.change === null;
  return (
    a.queuedAt.getTime() - b.queuedAt.getTime() < 0 ||
    (a.queuedAt.getTime() === b.queuedAt.getTime() && a.key < b.key)
  );
}
