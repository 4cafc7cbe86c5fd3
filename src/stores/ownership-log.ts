/** Why a conversation's owner changed. */
export type OwnershipChangeKind = 'claim' | 'assign' | 'handover' | 'release' | 'reassign';

export interface OwnershipEvent {
  readonly conversationId: string;
  readonly kind: OwnershipChangeKind;
  /** Who did it: a Slack user id, or `rotation` for automatic assignment. */
  readonly by: string;
  readonly from: string | null;
  readonly to: string | null;
  readonly at: Date;
}

/** Every ownership change, kept for the record (who, when, why). */
export interface OwnershipLog {
  record(event: OwnershipEvent): Promise<void>;
  /** A conversation's changes, oldest first. */
  list(conversationId: string): Promise<readonly OwnershipEvent[]>;
}
