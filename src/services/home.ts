import type { Roles } from './roles.ts';
import { figuresFor, myOpenLeads, overdueLeads, type TeamViewDeps } from './team-views.ts';

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
      ? { overdue: await overdueLeads(1, deps, HOME_LIST_SIZE), figures: await figuresFor(7, deps), days: 7 }
      : null,
    now: deps.clock(),
  });
}
