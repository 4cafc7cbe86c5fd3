/**
 * SLA reminder and escalation; an assignee's time to accept; an unclaimed lead's announcement and
 * escalation; a planned next step; the check that an owned lead has not gone quiet.
 */
export type DueKind =
  | 'remind'
  | 'escalate'
  | 'accept'
  | 'unclaimed'
  | 'unclaimedEscalate'
  | 'nextStep'
  | 'stale';

/** A reminder or escalation that falls due at `at`. */
export interface DueItem {
  readonly conversationId: string;
  readonly kind: DueKind;
  readonly at: Date;
}

export interface ClaimedDueItem extends DueItem {
  readonly etag: string;
}

/**
 * Work that falls due later, ordered by time, so a reminder run reads only what is due now: its cost
 * follows the due work, not the history of leads.
 */
export interface DueStore {
  /** Schedules an item; scheduling the same item twice keeps one. */
  schedule(item: DueItem): Promise<void>;
  /** Items due at or before `now`, oldest first, at most `limit`. */
  listDue(now: Date, limit: number): Promise<readonly DueItem[]>;
  /**
   * Claims an item before acting on it (ETag-guarded): null when another process holds a claim younger
   * than `timeoutMs`, or the item is gone. A claim outlives a crash only until the timeout.
   */
  claim(item: DueItem, by: string, at: Date, timeoutMs: number): Promise<ClaimedDueItem | null>;
  /** Removes a claimed item once done; an item claimed since by another process is left alone. */
  complete(item: ClaimedDueItem): Promise<void>;
}
