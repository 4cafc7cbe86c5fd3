import type { Config } from '../config.ts';
import type { Health } from '../jobs/health.ts';
import { createJobRuns, type JobRuns } from '../jobs/job-runs.ts';
import { createLeadership, createNudger } from '../jobs/leadership.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { type ScheduledJob, withBackoff } from '../scheduler.ts';
import type { CrmPort } from '../services/crm-port.ts';
import {
  reportBlockedChannels,
  reportPartitionDrift,
  reportQuarantinedLeads,
} from '../services/report-problems.ts';
import type { SlackPort } from '../services/slack-port.ts';
import { describeFailure } from '../stores/failure.ts';
import { composeCrmJobs } from './crm.ts';
import type { Services } from './services.ts';
import type { Stores } from './storage.ts';

export interface LeaderJobs {
  /** Polls now if this process holds (or can take) the jobs lease; coalesced with a poll in progress. */
  readonly nudge: () => void;
  /** The cron schedule of every job; each runs only while this process leads. */
  readonly schedule: readonly ScheduledJob[];
  /** Waits for a nudged poll, then lets a standby take the lease at its next tick. */
  stop(): Promise<void>;
}

export interface JobContext {
  readonly stores: Stores;
  readonly services: Services;
  readonly slack: SlackPort;
  /** The team's CRM, null when none is connected. */
  readonly crm: CrmPort | null;
  readonly processId: string;
  readonly clock: () => Date;
  readonly health: Health;
  readonly metrics: Metrics;
  readonly log: Logger;
}

/** The jobs' runs (for tests and the schedule) and the schedule that runs them while this process leads. */
export function composeJobs(config: Config, context: JobContext): { runs: JobRuns; jobs: LeaderJobs } {
  const { stores, services, slack, crm, processId, clock, health, metrics, log } = context;
  const problems = {
    slack,
    once: stores.once,
    escalationChannel: services.escalationChannel,
    leadsChannel: config.leadsChannel,
    clock,
    log: log.child({ job: 'poll' }),
  };
  const crmJobs = crm === null ? null : composeCrmJobs(config, crm, context);
  const runs = createJobRuns({
    poll: {
      leadTable: stores.leadTable,
      leadRecords: stores.leadRecords,
      conversations: stores.conversations,
      slack,
      cursors: stores.cursors,
      leadsChannel: config.leadsChannel,
      backfillDays: config.backfillDays,
      overlapMs: config.pollOverlapSeconds * 1000,
      clock,
      reportBlocked: (blocked) => reportBlockedChannels(blocked, problems),
      reportQuarantined: (notices) => reportQuarantinedLeads(notices, problems),
      metrics,
    },
    posting: {
      ...services.ownership,
      ...services.assignment,
      leadRecords: stores.leadRecords,
      arrivals: stores.arrivals,
      processId,
      claimTimeoutMs: config.claimTimeoutSeconds * 1000,
      ...crmJobs?.posting,
    },
    crm: crmJobs?.handOff ?? null,
    routingSnapshot: services.routingSnapshot,
    assignmentRun: () => ({
      ...services.ownership,
      ...services.assignment,
      availability: services.availability(),
    }),
    digest: {
      ...services.home,
      once: stores.once,
      ownershipLog: stores.ownershipLog,
      digestChannel: async () => (await services.escalationChannel()) ?? config.leadsChannel,
      timeZone: config.digestTimeZone,
    },
    ensureTables: stores.ensureTables,
    reportPartitionDrift: () => reportPartitionDrift(config.leadsTable, problems),
    processId,
    claimTimeoutMs: config.claimTimeoutSeconds * 1000,
    health,
    metrics,
    clock,
    log,
  });
  return { runs, jobs: leaderJobs(config, runs, context) };
}

/** The jobs as the schedule and the HTTPS endpoint run them: only the lease holder, failures backed off. */
function leaderJobs(config: Config, runs: JobRuns, context: JobContext): LeaderJobs {
  const { health, metrics, clock, log } = context;
  const leadership = createLeadership({
    lease: context.stores.lease,
    processId: context.processId,
    leaseMs: config.leaseSeconds * 1000,
    clock,
    onLeaderChange: (leader) => {
      health.setLeader(leader);
      metrics.setLeader(leader);
    },
    prepare: context.stores.ensureTables,
  });
  // A failure before the poll itself (the lease, the bot's tables) is shown in /healthz like a failed poll.
  const leaderPoll = async () => {
    try {
      return await leadership.asLeader(runs.poll)();
    } catch (error) {
      health.recordPoll(clock(), { error: describeFailure(error) });
      throw error;
    }
  };
  const pollLog = log.child({ job: 'poll' });
  const nudger = createNudger(leaderPoll, pollLog);
  const backedOff = (name: string, run: () => Promise<unknown>) => withBackoff(run, log.child({ job: name }));
  const schedule: ScheduledJob[] = [
    { name: 'poll', schedule: config.pollSchedule, run: withBackoff(leaderPoll, pollLog) },
    {
      name: 'sweep',
      schedule: config.sweepSchedule,
      run: backedOff('sweep', leadership.asLeader(runs.sweep)),
    },
    {
      name: 'reminders',
      schedule: config.reminderSchedule,
      run: backedOff('reminders', leadership.asLeader(runs.reminders)),
    },
    {
      name: 'roster',
      schedule: config.rosterSchedule,
      run: backedOff('roster', leadership.asLeader(runs.roster)),
    },
    {
      name: 'weekly',
      schedule: config.weeklyDigestSchedule,
      timeZone: config.digestTimeZone,
      run: leadership.asLeader(runs.weekly),
    },
    {
      name: 'digest',
      schedule: config.digestSchedule,
      timeZone: config.digestTimeZone,
      run: leadership.asLeader(runs.digest),
    },
    ...(runs.crm === null
      ? []
      : [
          { name: 'crm', schedule: config.crmSchedule, run: backedOff('crm', leadership.asLeader(runs.crm)) },
        ]),
  ];
  return {
    nudge: nudger.nudge,
    schedule,
    async stop() {
      await nudger.settled();
      await leadership.release();
    },
  };
}
