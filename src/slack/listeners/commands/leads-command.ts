import type { App } from '@slack/bolt';
import { type CommandUsage, renderCommandError, renderHelp } from '../../blocks/command-reply.ts';
import type { RenderedMessage } from '../../blocks/types.ts';

/** One `/leads` subcommand: how to read its arguments and what it does. */
interface Subcommand extends CommandUsage {
  /** Returns an error message when the arguments are wrong. */
  readonly parse: (args: readonly string[]) => { ok: true } | { ok: false; problem: string };
  readonly run: () => Promise<RenderedMessage>;
}

function subcommands(): readonly Subcommand[] {
  const list: Subcommand[] = [
    {
      name: 'help',
      usage: '/leads help',
      summary: 'list the commands',
      parse: (args) =>
        args.length === 0 ? { ok: true } : { ok: false, problem: '`help` takes no arguments.' },
      run: async () => renderHelp(list),
    },
  ];
  return list;
}

/** Registers `/leads`: ack at once, parse against the table, run, answer privately. */
export function registerLeadsCommand(app: App): void {
  const table = subcommands();
  app.command('/leads', async ({ ack, command, respond }) => {
    const [name = 'help', ...args] = command.text.trim().split(/\s+/).filter(Boolean);
    const subcommand = table.find((candidate) => candidate.name === name.toLowerCase());
    if (!subcommand) {
      await ack({
        response_type: 'ephemeral',
        ...renderCommandError(`Unknown command "${name}".`, '/leads help'),
      });
      return;
    }
    const parsed = subcommand.parse(args);
    if (!parsed.ok) {
      await ack({ response_type: 'ephemeral', ...renderCommandError(parsed.problem, subcommand.usage) });
      return;
    }
    await ack();
    await respond({ response_type: 'ephemeral', ...(await subcommand.run()) });
  });
}
