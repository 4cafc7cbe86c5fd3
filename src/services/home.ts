import { type Coalesced, coalesce } from '../coalesce.ts';
import type { Logger } from '../logger.ts';
import { failureField } from '../stores/failure.ts';
import type { Roles } from './roles.ts';
import { EVERY_TEAM, figuresFor, myOpenLeads, overdueLeads, type TeamViewDeps } from './team-views.ts';

export interface HomeDeps extends TeamViewDeps {
  readonly roles: Roles;
}

/** Lists on the Home tab are shorter than in commands, so both fit Slack's 100 blocks with room to spare. */
export const HOME_LIST_SIZE = 25;

/** Publishes a user's App Home: their open leads, and for managers the team's overdue list and figures. */
export async function publishHome(userId: string, deps: HomeDeps): Promise<void> {
  const isManager = await deps.roles.isManager(userId);
  await deps.slack.publishHome(userId, {
    mine: await myOpenLeads(userId, 1, deps, HOME_LIST_SIZE),
    team: isManager
      ? {
          overdue: await overdueLeads(1, deps, EVERY_TEAM, HOME_LIST_SIZE),
          figures: await figuresFor(7, deps, EVERY_TEAM),
          days: 7,
        }
      : null,
    now: deps.clock(),
  });
}

/** Refreshes the App Home of reps whose leads changed, in the background; `settled` waits for it. */
export interface HomeRefresher {
  (userIds: readonly string[]): Promise<void>;
  settled(): Promise<void>;
}

/**
 * What refreshes the App Home of the reps whose leads changed hands. It returns at once: an App Home is
 * a view, never the record, so a lead's post or a click never waits for one. Refreshes are coalesced per
 * user: while one runs, any number of changes ask for one more after it (400 assignments to one rep are
 * two publishes, not 400). A refresh that fails is logged and left for the next one.
 */
export function createHomeRefresher(deps: HomeDeps, log: Logger): HomeRefresher {
  const refreshes = new Map<string, Coalesced<void>>();
  const refreshOf = (userId: string) => {
    let refresh = refreshes.get(userId);
    if (refresh === undefined) {
      refresh = coalesce(() =>
        publishHome(userId, deps).catch((error: unknown) =>
          log.warn('could not refresh an App Home', { userId, error: failureField(error) }),
        ),
      );
      refreshes.set(userId, refresh);
    }
    return refresh;
  };
  const refresher = async (userIds: readonly string[]) => {
    for (const userId of new Set(userIds)) void refreshOf(userId)();
  };
  return Object.assign(refresher, {
    async settled() {
      await Promise.all([...refreshes.values()].map((refresh) => refresh.settled()));
    },
  });
}
