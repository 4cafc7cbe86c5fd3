/** A channel Slack refuses for good (an admin must act), with the number of leads it holds back. */
export interface BlockedChannel {
  readonly channel: string;
  readonly error: string;
  readonly leads: number;
}

/** What the very first poll posted and left, for the notice in the leads channel. */
export interface FirstStartReport {
  readonly table: string;
  readonly windowDays: number;
  readonly since: Date;
  readonly olderLeads: number;
}
