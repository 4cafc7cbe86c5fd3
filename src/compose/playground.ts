import type { CustomRoute } from '@slack/bolt';
import type { Config } from '../config.ts';
import type { JobRuns } from '../jobs/job-runs.ts';
import { createLocalSlack } from '../playground/local-slack.ts';
import { newSigningSecret, playgroundRoutes, playgroundUsers, type Skip } from '../playground/playground.ts';
import { createTimeTravel } from '../playground/time-travel.ts';

/** Local mode's Slack: the playground's workspace, its page, and the clock its visitor moves. */
export interface Playground {
  /** The bot as Slack-connected: HTTP mode against the playground's Web API, with a secret of its own. */
  readonly slack: { mode: 'http'; botToken: string; signingSecret: string; apiUrl: string };
  readonly routes: CustomRoute[];
  readonly clock: () => Date;
  /** The playground's manager and admin, unless the settings name others. */
  readonly config: Config;
  /** Tells the playground where the bot listens, and which jobs a skip ahead runs. */
  attach(port: number, runs: JobRuns): void;
  close(): Promise<void>;
}

/** Runs only in local mode (no Slack settings): never beside a real workspace. */
export async function openPlayground(
  config: Config,
  clock: () => Date,
  write: (text: string) => void,
): Promise<Playground> {
  const users = playgroundUsers();
  const travel = createTimeTravel(clock, config.digestTimeZone);
  const slack = await createLocalSlack(users, travel.now);
  const signingSecret = newSigningSecret();
  let port = 0;
  let runs: JobRuns | null = null;
  const skipAhead = async (skip: Skip) => {
    travel.skip(skip);
    // What the schedule would have run meanwhile: reminders and escalations, stale checks, and on
    // Monday morning the weekly summary and the digest.
    await runs?.reminders();
    await runs?.roster();
    if (skip === 'monday') {
      await runs?.weekly();
      await runs?.digest();
    }
    return travel.now();
  };
  const byRole = (role: string) => users.filter((user) => user.role === role).map((user) => user.id);
  const effective: Config = {
    ...config,
    managerUserIds: config.managerUserIds.length > 0 ? config.managerUserIds : byRole('manager'),
    adminUserIds: config.adminUserIds.length > 0 ? config.adminUserIds : byRole('admin'),
    managersChannel: config.managersChannel ?? 'local-managers',
  };
  const page = playgroundRoutes({
    slack,
    signingSecret,
    receiverUrl: () => `http://127.0.0.1:${port}/slack/events`,
    channelNames: {
      [effective.leadsChannel]: effective.leadsChannel,
      [effective.managersChannel ?? '']: effective.managersChannel ?? '',
    },
    skipAhead,
    now: travel.now,
    write,
    showBlocks: config.showBlocks,
  });
  return {
    slack: { mode: 'http', botToken: 'xoxb-playground', signingSecret, apiUrl: slack.apiUrl },
    routes: page.routes,
    clock: travel.now,
    config: effective,
    attach(listening, jobRuns) {
      port = listening;
      runs = jobRuns;
    },
    async close() {
      page.close();
      await slack.close();
    },
  };
}
