import { randomUUID } from 'node:crypto';
import { openCrm } from './compose/crm.ts';
import { composeJobs } from './compose/jobs.ts';
import { botLifecycle } from './compose/lifecycle.ts';
import { openPlayground } from './compose/playground.ts';
import { composeRoutes } from './compose/routes.ts';
import { composeServices } from './compose/services.ts';
import { connectSlack, listenToSlack, slackChecks } from './compose/slack.ts';
import { openStores } from './compose/storage.ts';
import type { Config } from './config.ts';
import { createHealth, type Health } from './jobs/health.ts';
import type { JobRuns } from './jobs/job-runs.ts';
import type { Logger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { createSlackAdapter } from './slack/slack-adapter.ts';
import { createServiceClock } from './stores/azure/service-clock.ts';
import type { StorageAccess } from './stores/azure/tables.ts';

export interface BotOptions {
  readonly log: Logger;
  readonly clock?: () => Date;
  /** Local mode prints messages here. */
  readonly writeOutput?: (text: string) => void;
  /** Run the jobs on their cron schedules (default); tests turn this off and call the jobs directly. */
  readonly schedule?: boolean;
  /** Retries of a failed Slack call; tests use 0. */
  readonly slackRetries?: number;
}

export interface Bot {
  /** The storage account in use (the embedded Azurite's when none was configured). */
  readonly storage: StorageAccess;
  readonly health: Health;
  readonly jobs: JobRuns;
  /**
   * Starts listening (HTTP or Socket Mode, plus /healthz) and the schedule; resolves to the HTTP port,
   * and the port of /healthz, /livez and /metrics (the same unless METRICS_PORT is set).
   */
  start(): Promise<{ port: number; probePort: number }>;
  /** Polls now if this process holds (or can take) the jobs lease; the same as the HTTPS endpoint's nudge. */
  pollNow(): void;
  /** Asks Slack again whether it accepts the bot's token and which routed channels lack it (as the schedule does). */
  recheckSlack(): Promise<void>;
  /** Stops the schedule, waits for running jobs, closes the server and the embedded Azurite. */
  stop(): Promise<void>;
}

/** The composition root: config → stores → Slack → services → listeners → jobs. Only wiring. */
export async function createBot(settings: Config, options: BotOptions): Promise<Bot> {
  const { log } = options;
  // Every process judges claims, leases, SLAs and search windows by the table service's time, whatever
  // its host's clock says (docs/guarantees.md, clock skew).
  const serviceClock = createServiceClock();
  // Local mode: the playground stands in for Slack, and its visitor can move the bot's clock ahead.
  const playground =
    settings.slack.mode === 'local'
      ? await openPlayground(settings, options.clock ?? serviceClock.now, options.writeOutput ?? (() => {}))
      : null;
  const config = playground?.config ?? settings;
  const clock = playground?.clock ?? options.clock ?? serviceClock.now;
  const processId = randomUUID();
  const stores = await openStores(config, serviceClock, log);

  const crm = await openCrm(config.crm, config.crmTimeoutSeconds * 1000, clock);
  const health = createHealth(config.slack.mode, config.leadsTable, serviceClock.offsetMs, crm?.name ?? null);
  const metrics = createMetrics();
  const { publicRoutes: routes, probeRoutes } = composeRoutes(config, {
    stores,
    health,
    metrics,
    clock,
    log,
    nudge: () => jobs.nudge(),
  });
  const { app, gateway } = connectSlack(config, routes, { ...options, metrics, health, clock }, playground);
  const slack = createSlackAdapter(gateway, clock);
  const services = composeServices(config, stores, slack, clock, log, { refreshesHome: true, crm });
  listenToSlack(app, { services, stores, gateway, log });
  const { runs, jobs } = composeJobs(config, {
    stores,
    services,
    slack,
    crm,
    processId,
    clock,
    health,
    metrics,
    log,
  });

  const checks = slackChecks(app, health, { config, stores, slack });
  return {
    storage: stores.access,
    health,
    jobs: runs,
    pollNow: jobs.nudge,
    recheckSlack: async () => {
      await checks.auth.run();
      await checks.channels.run();
    },
    ...botLifecycle({
      config,
      app,
      playground,
      probeRoutes,
      runs,
      jobs,
      checks,
      schedule: options.schedule ?? true,
      health,
      homeRefreshes: services.homeRefreshes,
      closeStores: stores.close,
      log,
    }),
  };
}
