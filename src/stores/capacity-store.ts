/**
 * Places in reps' caps, held for leads the rotation is giving them. A rep's load is their open leads
 * plus these places, so two processes assigning at the same moment never both take a rep's last place.
 */
export interface CapacityStore {
  /**
   * Holds a place for `conversationId` in the rep's cap (ETag-guarded) unless the rep's open leads and
   * held places already reach `cap`. Holding the same conversation again succeeds (a retry). A place
   * is let go by `release`, or lapses after `holdMs` (by then the lead is owned and counted as open).
   */
  reserve(request: {
    readonly userId: string;
    readonly conversationId: string;
    readonly cap: number;
    /** The rep's open leads, as read just before. */
    readonly openLeads: readonly string[];
    readonly now: Date;
    readonly holdMs: number;
  }): Promise<
    | { readonly ok: true }
    /** `load`: open leads and held places; `held`: places held for leads not (yet) among the open ones. */
    | { readonly ok: false; readonly load: number; readonly held: number }
  >;
  /** Lets a held place go (the turn was lost to another process, or the lead was not assigned). */
  release(userId: string, conversationId: string): Promise<void>;
}
