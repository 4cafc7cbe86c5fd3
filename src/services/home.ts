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

/**
 * What refreshes the App Home of the reps whose leads changed hands. A refresh that fails is logged and
 * left for the next one: an App Home is a view, never the record.
 */
export function createHomeRefresher(
  deps: HomeDeps,
  log: Logger,
): (userIds: readonly string[]) => Promise<void> {
  return async (userIds) => {
    for (const userId of new Set(userIds)) {
      await publishHome(userId, deps).catch((error: unknown) =>
        log.warn('could not refresh an App Home', { userId, error: failureField(error) }),
      );
    }
  };
}
