import { literalMrkdwn } from '../../domain/mrkdwn.ts';
import type { RenderedMessage } from './types.ts';

export interface CommandUsage {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
}

export function renderHelp(commands: readonly CommandUsage[]): RenderedMessage {
  const lines = commands.map((command) => `• \`${command.usage}\` — ${command.summary}`);
  const text = `*Marketplace lead bot commands*\n${lines.join('\n')}`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

/** The answer to a command that could not be understood: what was wrong and a correct example. */
export function renderCommandError(
  problem: string,
  example: string,
  /** The bot's own words with mentions of checked ids (a service's refusal), not text as typed. */
  problemIs: 'typed' | 'mrkdwn' = 'typed',
): RenderedMessage {
  const more = example === '/leads help' ? '' : ' (or `/leads help` for every command)';
  const shown = problemIs === 'mrkdwn' ? problem : literalMrkdwn(problem);
  const text = `⚠️ ${shown}\nTry: \`${example}\`${more}.`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
