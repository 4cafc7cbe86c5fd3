import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { type BotProcess, startBotProcess } from '../support/bot-process.ts';

const run = promisify(execFile);
const bots: BotProcess[] = [];
afterEach(() => {
  for (const bot of bots.splice(0)) bot.child.kill('SIGKILL');
});

// Local mode keeps its data in an embedded Azurite in DATA_DIR. Two Azurites on one folder overwrite
// each other's files, so one process runs it and the others either use it or are refused.
describe('one local data folder', () => {
  const localBot = (dataDir: string) => {
    const bot = startBotProcess({ DATA_DIR: dataDir, PORT: '0' });
    bots.push(bot);
    return bot;
  };
  const rulesCli = (dataDir: string, args: readonly string[]) =>
    run(process.execPath, ['src/cli/rules.ts', ...args], {
      env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir },
    });

  it("refuses a second bot, and the rules CLI writes into the running bot's store", {
    timeout: 60_000,
  }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'leadbot-data-'));
    const first = localBot(dataDir);
    await first.ready;

    const second = localBot(dataDir);
    expect(await second.exited).toBe(1);
    expect(second.output.join('\n')).toContain(
      `The bot could not start: another lead bot (pid ${first.child.pid}) is using the local store in ${dataDir}`,
    );

    const file = join(dataDir, 'rules.json');
    await writeFile(file, JSON.stringify({ routes: [{ match: { country: 'DE' }, channel: 'C0EMEA0001' }] }));
    const imported = await rulesCli(dataDir, ['import', file]);
    expect(imported.stdout).toContain('Imported 1 routing rule(s)');

    // The import went to the running bot's Azurite, which writes it to the folder when the bot stops.
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const shown = await rulesCli(dataDir, ['show']);
    expect(shown.stdout).toContain('1. country=DE → C0EMEA0001');
  });

  it('a bot killed without stopping leaves no lock behind', { timeout: 60_000 }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'leadbot-data-'));
    const killed = localBot(dataDir);
    await killed.ready;
    killed.child.kill('SIGKILL');
    await killed.exited;

    await expect(localBot(dataDir).ready).resolves.toMatch(/^http:\/\/127\.0\.0\.1:\d+\/healthz$/);
  });
});
