import type { LeadId } from '../domain/lead.ts';

/**
 * The bot's memory of one lead, keyed by the lead's identity: what makes "post once" hold across
 * restarts and processes. `posting` is written before Slack is called; `posted` after Slack answered.
 */
export interface LeadRecord {
  readonly id: LeadId;
  /** `quarantined`: set aside after repeated failures; posted again only when an admin asks. */
  readonly status: 'posting' | 'posted' | 'failed' | 'quarantined';
  /** Which process holds the posting claim, and since when: a claim older than the timeout may be taken over. */
  readonly claimedBy: string;
  readonly claimedAt: Date;
  readonly receivedAt: Date;
  /** Where the message was (or is about to be) posted; set before calling Slack, so a crash can be recovered. */
  readonly channel: string | null;
  readonly threadTs: string | null;
  readonly ts: string | null;
  readonly conversationKey: string | null;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly etag: string;
}

export type ClaimResult =
  | { readonly kind: 'claimed'; readonly record: LeadRecord }
  /** Someone (this or another process, now or before) already has a record for this lead. */
  | { readonly kind: 'exists'; readonly record: LeadRecord };

export type TakeOverResult =
  | { readonly kind: 'claimed'; readonly record: LeadRecord }
  | { readonly kind: 'lost' };

export interface Claim {
  readonly by: string;
  readonly at: Date;
}

export interface LeadRecordStore {
  /** Inserts a `posting` record if none exists (a conditional insert: exactly one caller wins). */
  claim(id: LeadId, claim: Claim & { readonly receivedAt: Date }): Promise<ClaimResult>;
  /** Takes over a stale or failed record; `lost` when it changed since it was read (another process won). */
  takeOver(record: LeadRecord, claim: Claim): Promise<TakeOverResult>;
  /** Records where the message is about to be posted. Throws StaleRecordError if the claim was taken over. */
  setDestination(
    record: LeadRecord,
    destination: { channel: string; threadTs: string | null; conversationKey: string | null },
  ): Promise<LeadRecord>;
  /** Records the posted message. Throws StaleRecordError if the claim was taken over meanwhile. */
  markPosted(record: LeadRecord, ts: string): Promise<LeadRecord>;
  /** Records a failed attempt and releases the claim, so the next poll retries at once. */
  markFailed(record: LeadRecord, error: string): Promise<LeadRecord>;
  get(id: LeadId): Promise<LeadRecord | null>;
  /**
   * Sets a lead aside (ETag-guarded on the record as read): its poll no longer retries it, and it is
   * listed for admins. Throws StaleRecordError if the record changed meanwhile.
   */
  quarantine(record: LeadRecord, reason: string, at: Date): Promise<LeadRecord>;
  /** Quarantined leads, newest first; each with whether an admin asked for a retry. Reads only those. */
  listQuarantined(): Promise<readonly QuarantinedLead[]>;
  /** An admin's Retry: the next poll posts the lead again (as a new first attempt). False if not quarantined. */
  requestRetry(id: LeadId): Promise<boolean>;
  /** Clears a quarantined lead for one more attempt (status `failed`, attempts reset), before it is posted. */
  release(id: LeadId): Promise<LeadRecord | null>;
}

export interface QuarantinedLead {
  readonly id: LeadId;
  readonly reason: string;
  readonly attempts: number;
  readonly at: Date;
  readonly retryRequested: boolean;
}

/** The record changed under us: another process took the claim over. */
export class StaleRecordError extends Error {
  constructor(id: LeadId) {
    super(`lead ${id.partitionKey}/${id.rowKey} was taken over by another process`);
    this.name = 'StaleRecordError';
  }
}
