import { createHash } from 'node:crypto';
import { PUSHED_ROW_KEY_PREFIX } from '../domain/arrival.ts';
import type { LeadId, LeadRow } from '../domain/lead.ts';

export type LeadRowsResult =
  | { readonly kind: 'rows'; readonly rows: readonly LeadRow[] }
  /** The table does not exist: Microsoft creates it with the first lead, so this means "no leads yet". */
  | { readonly kind: 'missing' };

/** Microsoft's lead table (read-only for the poller). Failures of the table service are thrown. */
export interface LeadTable {
  readonly name: string;
  /**
   * Rows whose Timestamp is at or after `since`, oldest first. On the real service this scans the whole
   * table (Timestamp is not indexed): the safety-net sweep, and a first start's backfill.
   */
  listSince(since: Date): Promise<LeadRowsResult>;
  /**
   * The same, but only in these partitions, each asked separately (`PartitionKey eq … and Timestamp
   * ge …`): the service reads only those partitions. Merged without duplicates, oldest first.
   */
  listSinceInPartitions(since: Date, partitionKeys: readonly string[]): Promise<LeadRowsResult>;
  /** How many rows are older than `before` (0 when the table is missing). Used once, on first start. */
  countBefore(before: Date): Promise<number>;
  /** One row by identity; null when it (or the table) does not exist. */
  get(id: LeadId): Promise<LeadRow | null>;
}

/** Writes leads into Microsoft's table the way Microsoft's table writer does (for pushed leads). */
export interface LeadTableWriter {
  /**
   * Stores one lead durably (creating the table if needed) and returns its identity, which comes from
   * its content and date: the same lead pushed twice on one day is one row (`created: false` the second
   * time). Throws LeadNotStoredError on failure.
   */
  insert(columns: Readonly<Record<string, string>>, now: Date): Promise<{ id: LeadId; created: boolean }>;
}

/** A pushed lead the table service did not store; `retryable` when it failed or could not be reached. */
export class LeadNotStoredError extends Error {
  readonly retryable: boolean;
  constructor(retryable: boolean, options: { cause: unknown }) {
    super(retryable ? 'the table service is unavailable' : 'the table service refused the lead', options);
    this.name = 'LeadNotStoredError';
    this.retryable = retryable;
  }
}

/** What identifies a pushed lead: everything Microsoft sent (CreatedTime is ours, taken at arrival). */
const IDENTITY_COLUMNS = ['LeadSource', 'ActionCode', 'CustomerInfo', 'Description', 'OfferDisplayName'];

/** A pushed lead's row key: the same lead pushed twice on one day is one row. */
export function pushedLeadRowKey(columns: Readonly<Record<string, string>>): string {
  const content = JSON.stringify(IDENTITY_COLUMNS.map((name) => columns[name] ?? ''));
  return `${PUSHED_ROW_KEY_PREFIX}${createHash('sha256').update(content).digest('hex').slice(0, 40)}`;
}
