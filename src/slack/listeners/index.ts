import type { App } from '@slack/bolt';
import type { OwnershipDeps } from '../../services/change-owner.ts';
import type { HomeDeps } from '../../services/home.ts';
import type { OnceStore } from '../../stores/once-store.ts';
import type { CommandDeps } from '../commands/leads-commands.ts';
import { type FollowUpActionDeps, registerFollowUpActions } from './actions/follow-up-actions.ts';
import { registerOwnershipActions } from './actions/ownership-actions.ts';
import { registerRetrySetAsideAction } from './actions/retry-set-aside-action.ts';
import { registerRulesImportActions } from './actions/rules-import-actions.ts';
import { registerLeadsCommand } from './commands/leads-command.ts';
import { registerAppHomeOpened } from './events/app-home-opened.ts';
import { registerThreadReply } from './events/thread-reply.ts';
import { registerFollowUpSubmitted } from './views/follow-up-submitted.ts';

export interface ListenerDeps {
  readonly commands: CommandDeps;
  readonly ownership: OwnershipDeps;
  readonly followUps: FollowUpActionDeps;
  readonly home: HomeDeps;
  /** Marks each Slack delivery handled, across processes. */
  readonly once: OnceStore;
}

/** Every Slack surface of the bot: the /leads command, the buttons, the modals, and the events. */
export function registerListeners(app: App, deps: ListenerDeps): void {
  registerLeadsCommand(app, deps.commands);
  registerRulesImportActions(app, deps.commands);
  registerRetrySetAsideAction(app, deps.commands);
  registerOwnershipActions(app, deps.ownership);
  registerFollowUpActions(app, deps.followUps);
  registerFollowUpSubmitted(app, deps.ownership);
  registerThreadReply(app, { ...deps.ownership, once: deps.once });
  registerAppHomeOpened(app, deps.home);
}
