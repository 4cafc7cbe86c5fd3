/**
 * A lease that lets exactly one of several bot processes run the scheduled jobs (poll, reminders,
 * digest). It expires, so a holder that dies is replaced within one lease period.
 */
export interface LeaseStore {
  /**
   * Takes the lease for `holder` until `now + ttlMs`, or renews it if `holder` has it. False when
   * another holder's lease has not expired (or another process took it in the same instant: the writes
   * are conditional, so two can never both win).
   */
  acquire(holder: string, now: Date, ttlMs: number): Promise<boolean>;
  /** Gives the lease up if `holder` has it (graceful shutdown), so another process takes over at once. */
  release(holder: string): Promise<void>;
  /** Who holds an unexpired lease at `now`; null when nobody does. */
  holder(now: Date): Promise<string | null>;
}
