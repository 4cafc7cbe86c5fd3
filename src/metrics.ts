import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * What an operator graphs and alerts on, served at GET /metrics in Prometheus' text format. Each bot
 * has a registry of its own (several bots in one test process do not mix), with Node's process metrics
 * (memory, CPU, event-loop lag) beside the bot's. Names and meanings: docs/operations.md → Metrics.
 */
export interface Metrics {
  /** A lead reached Slack: a new message, a reply in its conversation's thread, or a lost answer found. */
  leadDelivered(outcome: 'posted' | 'threaded' | 'recovered', createdAt: Date, now: Date): void;
  /** A job run finished (or failed), and how long it took. */
  jobRun(job: JobName, seconds: number, ok: boolean): void;
  /** A lead that could not be posted this time (it is retried), or another failure of a kind. */
  failure(kind: FailureKind, count?: number): void;
  reminderSent(kind: 'reminder' | 'escalation', count: number): void;
  setQuarantinedLeads(count: number): void;
  setLeader(leader: boolean): void;
  /** Slack answered 429 (the call is retried after Retry-After, or given up past its budget). */
  slackRateLimited(method: string): void;
  /** The Slack client tried an idempotent call again after a failure. */
  slackRetry(): void;
  /** What a CRM hand-off run did with each write, and the queue left after it. */
  crmHandOff(outcomes: Readonly<Record<CrmOutcome, number>>, backlog: number): void;
  /** The text exposition and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
}

const JOB_NAMES = ['poll', 'sweep', 'reminders', 'roster', 'digest', 'weekly', 'crm'] as const;
const CRM_OUTCOMES = ['written', 'postponed', 'setAside', 'dropped'] as const;
export type CrmOutcome = (typeof CRM_OUTCOMES)[number];
export type JobName = (typeof JOB_NAMES)[number];
const FAILURE_KINDS = ['post_lead', 'reminder', ...JOB_NAMES] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'leadbot_' });
  const leads = new Counter({
    name: 'leadbot_leads_delivered_total',
    help: 'Leads that reached Slack, by how: posted (a new message), threaded (a returning customer), recovered (Slack had stored a post whose answer was lost).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const timeToNotify = new Histogram({
    name: 'leadbot_time_to_notify_seconds',
    help: 'From the lead being created at Microsoft to its message in Slack.',
    buckets: [5, 15, 30, 60, 120, 300, 900, 1800, 3600, 4 * 3600, 24 * 3600],
    registers: [registry],
  });
  const jobDuration = new Histogram({
    name: 'leadbot_job_duration_seconds',
    help: 'How long each job run took (poll, sweep, reminders, digest), by result.',
    labelNames: ['job', 'result'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [registry],
  });
  const failures = new Counter({
    name: 'leadbot_failures_total',
    help: 'Failures by kind: post_lead (a lead not posted this time, retried next poll), reminder, or a whole job run.',
    labelNames: ['kind'],
    registers: [registry],
  });
  const reminders = new Counter({
    name: 'leadbot_reminders_sent_total',
    help: 'Follow-up reminders to owners and escalations to managers that were sent.',
    labelNames: ['kind'],
    registers: [registry],
  });
  const quarantined = new Gauge({
    name: 'leadbot_quarantined_leads',
    help: 'Leads set aside after repeated failures, waiting for an admin (/leads failed → Retry).',
    registers: [registry],
  });
  const leader = new Gauge({
    name: 'leadbot_jobs_lease_held',
    help: '1 while this process holds the jobs lease (it polls and reminds), 0 on standby.',
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: 'leadbot_slack_rate_limited_total',
    help: 'Slack answers of 429 (rate limited), by Web API method.',
    labelNames: ['method'],
    registers: [registry],
  });
  const retries = new Counter({
    name: 'leadbot_slack_retries_total',
    help: 'Idempotent Slack calls tried again after a failure (posts are never blindly repeated).',
    registers: [registry],
  });
  const crmWrites = new Counter({
    name: 'leadbot_crm_writes_total',
    help: 'Leads handed to the CRM, by outcome: written, postponed (tried again with backoff), setAside (refused: /leads failed), dropped (nothing to write).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const crmBacklog = new Gauge({
    name: 'leadbot_crm_backlog',
    help: 'Leads queued for the CRM and not written yet (due now or waiting for a retry).',
    registers: [registry],
  });
  // Every series exists from the start at 0, so `increase(…) > 0` sees the first one after a restart.
  for (const outcome of ['posted', 'threaded', 'recovered']) leads.inc({ outcome }, 0);
  for (const kind of FAILURE_KINDS) failures.inc({ kind }, 0);
  for (const kind of ['reminder', 'escalation']) reminders.inc({ kind }, 0);
  for (const outcome of CRM_OUTCOMES) crmWrites.inc({ outcome }, 0);
  return {
    leadDelivered(outcome, createdAt, now) {
      leads.inc({ outcome });
      if (outcome !== 'recovered')
        timeToNotify.observe(Math.max(0, (now.getTime() - createdAt.getTime()) / 1000));
    },
    jobRun: (job, seconds, ok) => jobDuration.observe({ job, result: ok ? 'ok' : 'failed' }, seconds),
    failure: (kind, count = 1) => failures.inc({ kind }, count),
    reminderSent: (kind, count) => reminders.inc({ kind }, count),
    setQuarantinedLeads: (count) => quarantined.set(count),
    setLeader: (held) => leader.set(held ? 1 : 0),
    slackRateLimited: (method) => rateLimited.inc({ method }),
    slackRetry: () => retries.inc(),
    crmHandOff(outcomes, backlog) {
      for (const outcome of CRM_OUTCOMES) crmWrites.inc({ outcome }, outcomes[outcome]);
      crmBacklog.set(backlog);
    },
    render: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}

/** Runs a job, recording its duration and whether it failed. */
export function timed<T>(metrics: Metrics, job: JobName, run: () => Promise<T>): () => Promise<T> {
  return async () => {
    const started = performance.now();
    try {
      const result = await run();
      metrics.jobRun(job, (performance.now() - started) / 1000, true);
      return result;
    } catch (error) {
      metrics.jobRun(job, (performance.now() - started) / 1000, false);
      metrics.failure(job);
      throw error;
    }
  };
}
