import { createTask, type ScheduledTask } from 'node-cron';
import type { Logger } from './logger.ts';
import { failureField } from './stores/failure.ts';

export interface ScheduledJob {
  readonly name: string;
  /** A node-cron expression (seconds allowed), validated by loadConfig. */
  readonly schedule: string;
  /** IANA zone the schedule is read in (default: the process's). */
  readonly timeZone?: string;
  /** Resolves to a summary of what the job did (logged at debug); rejections are logged, never thrown. */
  readonly run: () => Promise<unknown>;
}

/** After the nth failure in a row, this many runs are skipped: 1, 2, 4 … up to 16. */
export function runsToSkip(consecutiveFailures: number): number {
  return consecutiveFailures === 0 ? 0 : Math.min(16, 2 ** (consecutiveFailures - 1));
}

/**
 * Backs off a failing job (the table service down, throttling, a wrong connection string): after each
 * failure in a row it skips twice as many runs, up to 16, and goes back to every run after a success.
 * A job that resumes reads from its own persisted state (the poll cursor), so nothing is lost meanwhile.
 */
export function withBackoff(run: () => Promise<unknown>, log: Logger): () => Promise<unknown> {
  let failures = 0;
  let skip = 0;
  return async () => {
    if (skip > 0) {
      skip -= 1;
      return { skipped: 'backing off after failures', failures };
    }
    try {
      const summary = await run();
      if (failures > 0) log.info('job recovered', { after: failures });
      failures = 0;
      return summary;
    } catch (error) {
      failures += 1;
      skip = runsToSkip(failures);
      log.warn('job failed; backing off', { failures, skippingRuns: skip });
      throw error;
    }
  };
}

/** node-cron's line for a tick skipped because the previous run is still going (`noOverlap`). */
const OVERLAP_NOTICE = /still running/i;

export interface Scheduler {
  /** Stops starting runs and waits for the ones in progress. */
  stop(): Promise<void>;
}

/** The only place that knows about cron. A run never overlaps the previous run of the same job. */
export function startScheduler(jobs: readonly ScheduledJob[], log: Logger): Scheduler {
  const inFlight = new Set<Promise<unknown>>();
  const tasks: ScheduledTask[] = jobs.map((job) => {
    const jobLog = log.child({ job: job.name });
    const task = createTask(
      job.schedule,
      async () => {
        const run = job.run().then(
          (summary) => jobLog.debug('job finished', { summary }),
          (error: unknown) => jobLog.error('job failed', { error: failureField(error) }),
        );
        inFlight.add(run);
        await run;
        inFlight.delete(run);
      },
      {
        name: job.name,
        noOverlap: true,
        ...(job.timeZone ? { timezone: job.timeZone } : {}),
        logger: {
          info: (message) => jobLog.debug(message),
          // A run still going at the next tick is expected (a backlog, a slow Slack): the tick is skipped,
          // by design, so it is not a warning.
          warn: (message) => (OVERLAP_NOTICE.test(message) ? jobLog.debug(message) : jobLog.warn(message)),
          error: (message) => jobLog.error(String(message)),
          debug: (message) => jobLog.debug(String(message)),
        },
      },
    );
    task.start();
    return task;
  });
  return {
    async stop() {
      await Promise.all(tasks.map((task) => task.stop()));
      await Promise.all(inFlight);
      await Promise.all(tasks.map((task) => task.destroy()));
    },
  };
}
