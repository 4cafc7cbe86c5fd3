import type { LeadId } from './lead.ts';

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

/** A lead set aside after repeated failures, and why: admins are told once, and can retry it. */
export interface QuarantineNotice {
  readonly leadId: LeadId;
  readonly reason: string;
}
