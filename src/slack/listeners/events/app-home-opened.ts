import type { App } from '@slack/bolt';
import { type HomeDeps, publishHome } from '../../../services/home.ts';

/** Refreshes the Home tab whenever its owner opens it. */
export function registerAppHomeOpened(app: App, deps: HomeDeps): void {
  app.event('app_home_opened', async ({ event }) => {
    if (event.tab !== 'home') return;
    await publishHome(event.user, deps);
  });
}
