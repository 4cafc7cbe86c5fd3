/** Where the poller stands in one lead table. */
export interface PollCursor {
  /** The Timestamp up to which every lead is done (each poll re-reads an overlap before it). */
  readonly position: Date;
  /** The start of the first-start window: leads older than this are never posted, overlap or not. */
  readonly floor: Date;
}

/** Where the poller is in Microsoft's lead table, shared by every bot process. */
export interface CursorStore {
  /** The cursor of `table`; null when no poll ever ran against it (the very first start). */
  get(table: string): Promise<PollCursor | null>;
  /** Creates the cursor at `at` (position and floor) if absent: `created` for the one caller that did. */
  create(table: string, at: Date): Promise<'created' | 'exists'>;
  /** Moves the position to `to` unless it already stands later; a concurrent change is re-read, not lost. */
  advance(table: string, to: Date): Promise<void>;
}
