import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App, CustomRoute } from '@slack/bolt';
import type { Config } from '../config.ts';
import { listen, SLOW_CLIENT_LIMITS, serveRoutes } from '../http/routes.ts';
import type { Health } from '../jobs/health.ts';
import type { JobRuns } from '../jobs/job-runs.ts';
import type { Logger } from '../logger.ts';
import { type ScheduledJob, type Scheduler, startScheduler } from '../scheduler.ts';
import { failureField } from '../stores/failure.ts';
import type { LeaderJobs } from './jobs.ts';
import type { Playground } from './playground.ts';

/** What a composed bot starts and stops, in order. */
export interface BotParts {
  readonly config: Config;
  readonly app: App;
  readonly playground: Playground | null;
  readonly probeRoutes: CustomRoute[];
  readonly runs: JobRuns;
  readonly jobs: LeaderJobs;
  readonly checks: { readonly auth: ScheduledJob; readonly channels: ScheduledJob };
  /** Run the jobs on their cron schedules; tests turn this off and call the jobs directly. */
  readonly schedule: boolean;
  readonly health: Health;
  /** Waits for App Home refreshes under way. */
  readonly homeRefreshes: () => Promise<void>;
  readonly closeStores: () => Promise<void>;
  readonly log: Logger;
}

/**
 * Starts the bot's listeners (HTTP or Socket Mode, the probes), its schedule and its first checks;
 * stops them in the order that lets a standby take over at once and loses no write under way.
 */
export function botLifecycle(parts: BotParts): {
  start(): Promise<{ port: number; probePort: number }>;
  stop(): Promise<void>;
} {
  const { config, app, playground, checks, health, log } = parts;
  let scheduler: Scheduler | null = null;
  let probeServer: Server | null = null;
  let started = false;
  return {
    async start() {
      let port = config.port;
      if (config.slack.mode === 'socket')
        await app.start(); // its routes are served on installerOptions.port
      else {
        // The playground (local mode) is for this machine only: it listens on 127.0.0.1.
        const where = { port: config.port, ...(playground ? { host: '127.0.0.1' } : {}) };
        const server = (await app.start(where, SLOW_CLIENT_LIMITS)) as Server;
        port = (server.address() as AddressInfo).port;
        playground?.attach(port, parts.runs);
      }
      if (config.metricsPort !== null) {
        probeServer = serveRoutes(parts.probeRoutes);
        await listen(probeServer, config.metricsPort);
      }
      if (parts.schedule)
        scheduler = startScheduler([...parts.jobs.schedule, checks.auth, checks.channels], log);
      started = true;
      await checks.auth.run();
      // Which routed channels lack the bot, without holding up the start (storage may still be down).
      void checks.channels
        .run()
        .catch((error: unknown) =>
          log.warn('could not check channel membership', { error: failureField(error) }),
        );
      health.markReady();
      return { port, probePort: probeServer ? (probeServer.address() as AddressInfo).port : port };
    },
    async stop() {
      await scheduler?.stop();
      // Let a standby process take over at its next tick instead of after the lease expires.
      await parts.jobs.stop();
      await playground?.close();
      if (started) await app.stop();
      await parts.homeRefreshes();
      await new Promise<void>((resolve) => (probeServer ? probeServer.close(() => resolve()) : resolve()));
      await parts.closeStores();
    },
  };
}
