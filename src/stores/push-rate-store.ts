/** How many leads each customer pushed to the HTTPS endpoint, per window, across every bot process. */
export interface PushRateStore {
  /**
   * Counts one push for `customer` in the window starting at `windowStart` and says whether it is
   * within `limit`. Counted with conditional writes: of any number of simultaneous pushes, at most
   * `limit` are admitted in one window.
   */
  admit(customer: string, windowStart: Date, limit: number): Promise<boolean>;
}
