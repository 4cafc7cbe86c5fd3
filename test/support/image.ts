import { readFileSync } from 'node:fs';

/**
 * The command the production image starts the bot with: its Dockerfile's CMD (exec form), so the image's
 * test and the benchmark run the bot exactly as shipped, node flags included, and cannot drift from it.
 */
export function imageCommand(dockerfile = 'Dockerfile'): string[] {
  const cmd = readFileSync(dockerfile, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('CMD '))
    .at(-1);
  if (cmd === undefined) throw new Error(`${dockerfile} has no CMD`);
  const command: unknown = JSON.parse(cmd.slice('CMD '.length));
  if (!Array.isArray(command) || !command.every((part) => typeof part === 'string') || command[0] !== 'node')
    throw new Error(`${dockerfile}'s CMD is not the exec form ["node", …]: ${cmd}`);
  return command;
}
