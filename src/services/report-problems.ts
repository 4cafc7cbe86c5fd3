// What admins must hear of, each said once: a channel Slack refuses, a lead set aside, a drifted
// PartitionKey format. Told in the escalation channel (else the leads channel); a failure to tell is logged.
import { leadIdText } from '../domain/lead.ts';
import type { BlockedChannel, QuarantineNotice } from '../domain/poll-report.ts';
import type { Logger } from '../logger.ts';
import type { OnceStore } from '../stores/once-store.ts';
import { SlackCallError, type SlackPort } from './slack-port.ts';

export interface ProblemReportDeps {
  readonly slack: SlackPort;
  readonly once: OnceStore;
  /** Where admins hear of it: the escalation channel, else null (then the leads channel). */
  readonly escalationChannel: () => Promise<string | null>;
  readonly leadsChannel: string;
  readonly clock: () => Date;
  readonly log: Logger;
}

/**
 * Tells admins about channels Slack refuses for good, once a day per channel and error, in the
 * escalation channel (or the leads channel); never in the refused channel itself. The leads wait and
 * are retried every poll, so a failure to tell is logged, not thrown.
 */
export async function reportBlockedChannels(
  blocked: readonly BlockedChannel[],
  deps: ProblemReportDeps,
): Promise<void> {
  const target = (await deps.escalationChannel()) ?? deps.leadsChannel;
  for (const problem of blocked) {
    deps.log.error('Slack refuses a channel; its leads wait until an admin fixes it', { ...problem });
    const day = deps.clock().toISOString().slice(0, 10);
    if (target === problem.channel) continue;
    if (!(await deps.once.claim(`blocked-${problem.channel}-${problem.error}-${day}`, deps.clock())))
      continue;
    await deps.slack.reportBlockedChannel(target, problem).catch((error: unknown) => {
      if (!(error instanceof SlackCallError)) throw error;
      deps.log.error('could not tell admins about a blocked channel', { error: error.code });
    });
  }
}

/** Tells admins about each lead set aside, once per lead, in the escalation channel (or the leads channel). */
export async function reportQuarantinedLeads(
  notices: readonly QuarantineNotice[],
  deps: ProblemReportDeps,
): Promise<void> {
  const target = (await deps.escalationChannel()) ?? deps.leadsChannel;
  for (const notice of notices) {
    if (
      !(await deps.once.claim(`quarantined-${leadIdText(notice.leadId).replaceAll('/', '|')}`, deps.clock()))
    )
      continue;
    await deps.slack.reportQuarantinedLead(target, notice).catch((error: unknown) => {
      if (!(error instanceof SlackCallError)) throw error;
      deps.log.error('could not tell admins about a lead set aside', { error: error.code });
    });
  }
}

/** Tells admins, once ever, that the PartitionKey format drifted and polls now scan the table. */
export async function reportPartitionDrift(table: string, deps: ProblemReportDeps): Promise<void> {
  deps.log.error('leads found outside their date partitions: polls now scan the whole table', { table });
  if (!(await deps.once.claim(`partition-drift-${table}`, deps.clock()))) return;
  const target = (await deps.escalationChannel()) ?? deps.leadsChannel;
  await deps.slack.reportPartitionDrift(target, table).catch((error: unknown) => {
    if (!(error instanceof SlackCallError)) throw error;
    deps.log.error('could not tell admins about the partition drift', { error: error.code });
  });
}
