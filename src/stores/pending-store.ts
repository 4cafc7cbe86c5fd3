/** Actions waiting for a confirm button (e.g. a rules import), shared by every process. */
export interface PendingStore {
  /** Keeps `payload` for `by`; returns the id the confirm button carries. */
  put(payload: string, by: string, at: Date): Promise<string>;
  /**
   * Takes the payload out (once: of two simultaneous confirms exactly one gets it). Null when it is
   * unknown, already taken, or older than `maxAgeMs`.
   */
  take(id: string, now: Date, maxAgeMs: number): Promise<{ payload: string; by: string } | null>;
}
