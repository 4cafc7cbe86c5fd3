import { coalesce } from '../coalesce.ts';
import type { Lead } from '../domain/lead.ts';
import type { Logger } from '../logger.ts';
import { type Metrics, timed } from '../metrics.ts';
import type { AssignDeps } from '../services/assign-from-rotation.ts';
import { type CrmHandOffDeps, type CrmHandOffSummary, handOffToCrm } from '../services/crm-hand-off.ts';
import { sweepStaleChecks } from '../services/follow-through.ts';
import { type PostLeadDeps, postLead } from '../services/post-lead.ts';
import { type DeactivatedSummary, returnLeadsOfDeactivatedReps } from '../services/rotation-follow-ups.ts';
import { describeFailure } from '../stores/failure.ts';
import type { Health } from './health.ts';
import {
  type PollDeps,
  type PollSummary,
  pollNewLeads,
  type SweepSummary,
  sweepLeads,
} from './poll-leads.ts';
import {
  type DigestDeps,
  type DigestSummary,
  sendDigest,
  sendWeeklySummary,
  type WeeklySummaryResult,
} from './send-digest.ts';
import { type ReminderSummary, sendReminders } from './send-reminders.ts';

type RoutingSnapshot = Pick<PostLeadDeps, 'channelFor' | 'slaPolicyFor' | 'availability'>;

export interface JobRunDeps {
  /** What a poll reads and writes itself, besides the routing read once a run and its logger. */
  readonly poll: Omit<PollDeps, 'post' | 'channelFor' | 'log' | 'scanEveryPoll'>;
  /** What posting a lead needs besides the routing read once a run and its logger. */
  readonly posting: Omit<PostLeadDeps, keyof RoutingSnapshot | 'log'>;
  /** Rules, settings and reps' statuses, read once a poll or sweep. */
  readonly routingSnapshot: () => Promise<RoutingSnapshot>;
  /** Assignment's dependencies with reps' Slack statuses read afresh: once a run. */
  readonly assignmentRun: () => AssignDeps;
  readonly digest: Omit<DigestDeps, 'log'>;
  /** The CRM hand-off's dependencies; null when no CRM is connected. */
  readonly crm: Omit<CrmHandOffDeps, 'log'> | null;
  /** Creates the bot's tables unless they exist: every job tries it first while the service is down. */
  readonly ensureTables: () => Promise<void>;
  /** Tells the managers' channel once that Microsoft's PartitionKey format drifted. */
  readonly reportPartitionDrift: () => Promise<void>;
  readonly processId: string;
  readonly claimTimeoutMs: number;
  readonly health: Health;
  readonly metrics: Metrics;
  readonly clock: () => Date;
  readonly log: Logger;
}

export interface JobRuns {
  readonly poll: () => Promise<PollSummary>;
  readonly sweep: () => Promise<SweepSummary>;
  readonly reminders: () => Promise<ReminderSummary>;
  /** Moves the open leads of deactivated Slack users on; schedules every open lead's stale check. */
  readonly roster: () => Promise<DeactivatedSummary & { staleChecks: number }>;
  readonly digest: () => Promise<DigestSummary>;
  readonly weekly: () => Promise<WeeklySummaryResult>;
  /** Writes the queued leads to the CRM; null when none is connected. */
  readonly crm: (() => Promise<CrmHandOffSummary>) | null;
}

/** Each job as one run: its tables first, then the job, timed, and reported in health, metrics and log. */
export function createJobRuns(deps: JobRunDeps): JobRuns {
  const { health, metrics, clock } = deps;
  const pollLog = deps.log.child({ job: 'poll' });
  // Set by the sweep when leads sit outside their date partitions; polls scan until the process restarts.
  let partitionFormatDrift = false;

  /** A poll's or sweep's dependencies, with the routing read once for the run. */
  const pollingRun = async (log: Logger) => {
    const routing = await deps.routingSnapshot();
    const posting: PostLeadDeps = { ...deps.posting, ...routing, log };
    return {
      ...deps.poll,
      channelFor: routing.channelFor,
      post: (lead: Lead) => postLead(lead, posting),
      log,
    };
  };

  const pollOnce = timed(metrics, 'poll', async (): Promise<PollSummary> => {
    try {
      await deps.ensureTables();
      const summary = await pollNewLeads({
        ...(await pollingRun(pollLog)),
        scanEveryPoll: partitionFormatDrift,
      });
      health.recordPoll(clock(), { summary });
      metrics.setQuarantinedLeads(summary.setAside);
      // A poll that changed nothing (re-reading the overlap window's posted leads) is quiet.
      const acted = summary.posted + summary.threaded + summary.recovered + summary.failed + summary.retried;
      if (acted > 0 || summary.firstStart) pollLog.info('poll done', { ...summary });
      else pollLog.debug('poll done', { ...summary });
      return summary;
    } catch (error) {
      health.recordPoll(clock(), { error: describeFailure(error) });
      throw error;
    }
  });

  // One poll at a time in this process, whatever asks for it (the schedule, a pushed lead's nudge, a
  // test); whoever asks during a poll shares one poll after it. (Across processes the lease does the same.)
  const poll = coalesce(pollOnce);

  const sweepLog = deps.log.child({ job: 'sweep' });
  const sweep = timed(metrics, 'sweep', async (): Promise<SweepSummary> => {
    await deps.ensureTables();
    const summary = await sweepLeads({
      ...(await pollingRun(sweepLog)),
      onDrift: async () => {
        partitionFormatDrift = true;
        health.setPartitionFormatDrift();
        await deps.reportPartitionDrift();
      },
    });
    if (summary.posted > 0 || summary.drifted > 0)
      sweepLog.warn('the sweep found leads the polls had not', { ...summary });
    return summary;
  });

  const remindersLog = deps.log.child({ job: 'reminders' });
  const reminders = timed(metrics, 'reminders', async () => {
    await deps.ensureTables();
    const summary = await sendReminders({
      ...deps.assignmentRun(),
      processId: deps.processId,
      claimTimeoutMs: deps.claimTimeoutMs,
      log: remindersLog,
    });
    metrics.reminderSent('reminder', summary.reminded);
    metrics.reminderSent('escalation', summary.escalated);
    metrics.failure('reminder', summary.failed);
    return summary;
  });

  const rosterLog = deps.log.child({ job: 'roster' });
  const roster = timed(metrics, 'roster', async () => {
    await deps.ensureTables();
    const run = deps.assignmentRun();
    const summary = await returnLeadsOfDeactivatedReps({ ...run, log: rosterLog });
    if (summary.deactivatedReps > 0) rosterLog.info('leads of deactivated reps moved on', { ...summary });
    const staleChecks = await sweepStaleChecks(run);
    return { ...summary, staleChecks };
  });

  const digestDeps = { ...deps.digest, log: deps.log.child({ job: 'digest' }) };
  const digest = timed(metrics, 'digest', () => sendDigest(digestDeps));
  const weekly = timed(metrics, 'weekly', () => sendWeeklySummary(digestDeps));

  const crmDeps = deps.crm && { ...deps.crm, log: deps.log.child({ job: 'crm' }) };
  const crm =
    crmDeps &&
    timed(metrics, 'crm', async () => {
      await deps.ensureTables();
      const summary = await handOffToCrm(crmDeps);
      const setAside = (await crmDeps.outbox.listSetAside()).length;
      metrics.crmHandOff(summary, summary.backlog);
      health.recordCrm({
        backlog: summary.backlog,
        setAside,
        problem: summary.unauthorized && `the CRM refused the bot's credentials: ${summary.unauthorized}`,
      });
      if (summary.written + summary.postponed + summary.setAside + summary.dropped > 0)
        crmDeps.log.info('CRM hand-off done', { ...summary });
      return summary;
    });

  return { poll, sweep, reminders, roster, digest, weekly, crm };
}
