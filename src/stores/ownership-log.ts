import type { OwnershipEvent } from '../domain/ownership.ts';

/** Every ownership change, kept for the record (who, when, why). */
export interface OwnershipLog {
  record(event: OwnershipEvent): Promise<void>;
  /** A conversation's changes, oldest first. */
  list(conversationId: string): Promise<readonly OwnershipEvent[]>;
  /** Every conversation's changes at or after `since`, oldest first (a filter over the table: for reports). */
  listSince(since: Date): Promise<readonly OwnershipEvent[]>;
}
