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

/** Where admins hear of problems: the escalation channel, else the leads channel. */
const adminChannel = async (deps: ProblemReportDeps) => (await deps.escalationChannel()) ?? deps.leadsChannel;

/** Says it once per key; a Slack failure to say it is logged, not thrown (what it is about goes on). */
async function tellOnce(
  key: string,
  about: string,
  say: () => Promise<void>,
  deps: ProblemReportDeps,
): Promise<void> {
  if (!(await deps.once.claim(key, deps.clock()))) return;
  await say().catch((error: unknown) => {
    if (!(error instanceof SlackCallError)) throw error;
    deps.log.error(`could not tell admins about ${about}`, { error: error.code });
  });
}

/**
 * Tells admins about channels Slack refuses for good, once a day per channel and error; never in the
 * refused channel itself. The leads wait and are retried every poll.
 */
export async function reportBlockedChannels(
  blocked: readonly BlockedChannel[],
  deps: ProblemReportDeps,
): Promise<void> {
  const target = await adminChannel(deps);
  const day = deps.clock().toISOString().slice(0, 10);
  for (const problem of blocked) {
    deps.log.error('Slack refuses a channel; its leads wait until an admin fixes it', { ...problem });
    if (target === problem.channel) continue;
    await tellOnce(
      `blocked-${problem.channel}-${problem.error}-${day}`,
      'a blocked channel',
      () => deps.slack.reportBlockedChannel(target, problem),
      deps,
    );
  }
}

/** Tells admins about each lead set aside, once per lead. */
export async function reportQuarantinedLeads(
  notices: readonly QuarantineNotice[],
  deps: ProblemReportDeps,
): Promise<void> {
  const target = await adminChannel(deps);
  for (const notice of notices) {
    await tellOnce(
      `quarantined-${leadIdText(notice.leadId).replaceAll('/', '|')}`,
      'a lead set aside',
      () => deps.slack.reportQuarantinedLead(target, notice),
      deps,
    );
  }
}

/** Tells admins, once ever, that the PartitionKey format drifted and polls now scan the table. */
export async function reportPartitionDrift(table: string, deps: ProblemReportDeps): Promise<void> {
  deps.log.error('leads found outside their date partitions: polls now scan the whole table', { table });
  await tellOnce(
    `partition-drift-${table}`,
    'the partition drift',
    async () => deps.slack.reportPartitionDrift(await adminChannel(deps), table),
    deps,
  );
}
