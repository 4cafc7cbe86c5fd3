/**
 * Each step of a multi-message job (a reminder's DM, then its thread note) done once across crashes and
 * processes: a step is begun (a conditional insert) before its message is sent and finished after.
 */
export interface DeliveryStore {
  /**
   * `begun`: nobody began this step; it is ours to send. `sent`: it was sent. `unknown`: an attempt
   * began it and never finished (its process died, or Slack's answer was lost): look for its message
   * before sending it again.
   */
  begin(key: string, at: Date): Promise<'begun' | 'sent' | 'unknown'>;
  /** Records that the step's message is in Slack. */
  finish(key: string): Promise<void>;
}
