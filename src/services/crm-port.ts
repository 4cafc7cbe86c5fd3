import type { CrmUpdate } from '../domain/crm-change.ts';
import type { CrmCustomer, CrmCustomerQuery } from '../domain/crm-customer.ts';
import type { CrmLead } from '../domain/crm-lead.ts';

/** The record a lead became in the CRM. */
export interface CrmRecord {
  /** The CRM's id of the lead's record (HubSpot: the deal). */
  readonly id: string;
  /** The CRM's id of the customer's contact, when the CRM keeps one apart. */
  readonly contactId: string | null;
  /** Where a person opens the record; null when the CRM has no page for it (the local file). */
  readonly url: string | null;
}

/**
 * What the bot asks of the team's CRM (HubSpot, or the local file in local mode). The adapter maps
 * the CRM's answers onto CrmCallError; services never see a CRM's own error shapes.
 */
export interface CrmPort {
  /** The CRM's name as people know it, for messages and logs ("HubSpot"). */
  readonly name: string;
  /**
   * Writes the lead: the customer's contact found or made by e-mail, and one record for the lead,
   * made or updated by `lead.key`. Idempotent: writing the same lead again changes no count.
   */
  writeLead(lead: CrmLead): Promise<CrmRecord>;
  /**
   * Tells the lead's record what happened in Slack: its stage and owner set (idempotent), and the
   * update's activity added once by its key (looked up first when `maybeWritten`). An owner e-mail no
   * CRM user has leaves the owner as it is.
   */
  updateRecord(record: CrmRecordRef, update: CrmUpdate): Promise<void>;
  /**
   * What the CRM knows of a customer, read only: the contact with the e-mail (the oldest, when the CRM
   * holds several), else the company with the domain (when the query has one); null when neither.
   */
  lookUpCustomer(query: CrmCustomerQuery): Promise<CrmCustomer | null>;
}

/** The record a lead's own write made, as the outbox keeps it. */
export type CrmRecordRef = Pick<CrmRecord, 'id' | 'contactId'>;

export type CrmFailureKind =
  /** Too many calls: `retryAfterMs` says when to call again. */
  | 'rateLimited'
  /** The CRM did not answer, answered 5xx, or the answer was lost: the write may or may not have happened. */
  | 'unavailable'
  /** The CRM refused our credentials: nothing will work until an admin fixes them. */
  | 'unauthorized'
  /** The CRM refused this lead (a field it rejects, a property that does not exist): retrying cannot help. */
  | 'refused';

export class CrmCallError extends Error {
  readonly kind: CrmFailureKind;
  /** The CRM's own words, for admins: which field, which limit. */
  readonly detail: string;
  readonly retryAfterMs: number | null;
  constructor(kind: CrmFailureKind, detail: string, retryAfterMs: number | null = null) {
    super(`${kind}: ${detail}`);
    this.name = 'CrmCallError';
    this.kind = kind;
    this.detail = detail;
    this.retryAfterMs = retryAfterMs;
  }

  /** Only a refusal of the lead itself is permanent; everything else is tried again with backoff. */
  get permanent(): boolean {
    return this.kind === 'refused';
  }
}
