import type { App } from '@slack/bolt';
import { type CommandDeps, leadsCommands, prepareCommand } from '../../commands/leads-commands.ts';
import { privately } from '../private-reply.ts';

/**
 * `/leads`: a command that cannot be read is answered in the acknowledgement itself (what was wrong
 * and an example); anything else is acknowledged at once and answered privately when done.
 */
export function registerLeadsCommand(app: App, deps: CommandDeps): void {
  const table = leadsCommands(deps);
  app.command('/leads', async ({ ack, command, respond }) => {
    const prepared = prepareCommand(table, command.text, command.user_id, deps);
    if (prepared.kind === 'answer') {
      await ack(privately(prepared.message));
      return;
    }
    await ack();
    await respond(privately(await prepared.run()));
  });
}
