import { coalesce } from '../coalesce.ts';
import type { Logger } from '../logger.ts';
import { failureField } from '../stores/failure.ts';
import type { LeaseStore } from '../stores/lease-store.ts';

export interface LeadershipDeps {
  readonly lease: LeaseStore;
  readonly processId: string;
  readonly leaseMs: number;
  readonly clock: () => Date;
  /** Told after each lease request whether this process leads (for /healthz). */
  readonly onLeaderChange: (leader: boolean) => void;
  /**
   * Run before each lease request: creates the bot's tables, so a bot first started while the table
   * service was down gets its lease table (and every other) once the service is back.
   */
  readonly prepare: () => Promise<void>;
}

export interface Leadership {
  /** Runs `job` only while this process holds (or can take) the jobs lease; otherwise says it skipped. */
  asLeader<T>(job: () => Promise<T>): () => Promise<T | { skipped: string }>;
  /** Gives the lease up if held, so a standby process takes over at its next tick. */
  release(): Promise<void>;
}

/**
 * Only the lease holder runs the scheduled jobs; the others stand by and take over within a lease
 * period if it dies. Jobs that start together share one lease request, so a process never races itself.
 */
export function createLeadership(deps: LeadershipDeps): Leadership {
  let isLeader = false;
  let acquiring: Promise<boolean> | null = null;
  const lead = () => {
    acquiring ??= deps
      .prepare()
      .then(() => deps.lease.acquire(deps.processId, deps.clock(), deps.leaseMs))
      .then((leader) => {
        isLeader = leader;
        deps.onLeaderChange(leader);
        return leader;
      })
      .finally(() => {
        acquiring = null;
      });
    return acquiring;
  };
  /**
   * Renews the lease every third of its period while a job runs, so a job longer than the lease (a
   * backlog, a slow Slack) is never joined by a second process polling at the same time.
   */
  const renewWhile = async <T>(job: () => Promise<T>): Promise<T> => {
    const timer = setInterval(() => {
      deps.lease.acquire(deps.processId, deps.clock(), deps.leaseMs).then(
        (held) => {
          if (!held) deps.onLeaderChange(false);
        },
        () => {}, // a failed renewal is tried again at the next tick; the lease lasts until then
      );
    }, deps.leaseMs / 3);
    try {
      return await job();
    } finally {
      clearInterval(timer);
    }
  };
  return {
    asLeader: (job) => async () =>
      (await lead()) ? renewWhile(job) : { skipped: 'another process holds the jobs lease' },
    async release() {
      if (isLeader) await deps.lease.release(deps.processId);
    },
  };
}

/**
 * Coalesces nudges into runs of `job`: one run at a time; a nudge during a run asks for exactly one
 * more run after it. `settled()` resolves once no run is in progress.
 */
export function createNudger(job: () => Promise<unknown>, log: Logger) {
  const runs = coalesce(job);
  const nudge = (): void => {
    runs().catch((error: unknown) => log.error('nudged run failed', { error: failureField(error) }));
  };
  return { nudge, settled: runs.settled };
}
