import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { insertLeads, leadColumns } from '../fixtures/lead-rows.ts';
import { type BotProcess, startBotProcess } from '../support/bot-process.ts';
import { createFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import { imageCommand } from '../support/image.ts';
import { leadTableClient, processEnv, uniqueTables } from '../support/test-bot.ts';

const run = promisify(execFile);
let slack: FakeSlack | null = null;
let bot: BotProcess | null = null;
afterEach(async () => {
  bot?.child.kill('SIGKILL');
  await slack?.close();
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// The Dockerfile's steps, run here because this machine (and CI) has no container engine: build with all
// dependencies, then a folder with production dependencies only and dist/, started with the image's CMD
// (its node flags included) and probed with the image's HEALTHCHECK command.
describe("the production image's steps", () => {
  it('builds, installs production dependencies only, starts from compiled JavaScript and reports healthy', {
    timeout: 300_000,
  }, async () => {
    const app = await mkdtemp(join(tmpdir(), 'leadbot-image-'));
    await run('npm', ['run', 'build', '--', '--outDir', join(app, 'dist')]);
    for (const file of ['package.json', 'package-lock.json']) await copyFile(file, join(app, file));
    await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], { cwd: app });
    // The emulator is for local mode and tests only: it is not in the image.
    expect(existsSync(join(app, 'node_modules', 'azurite'))).toBe(false);

    slack = await createFakeSlack();
    const tables = uniqueTables();
    const port = String(await freePort());
    const healthcheck = () =>
      run(process.execPath, ['dist/healthcheck.js'], { cwd: app, env: { PORT: port } }).then(
        () => 0,
        (error: { code?: number }) => error.code ?? -1,
      );
    bot = startBotProcess(
      {
        NODE_ENV: 'production',
        PORT: port,
        DATA_DIR: join(app, 'data'),
        ...processEnv(slack, tables),
        POLL_SCHEDULE: '* * * * * *',
      },
      { command: [process.execPath, ...imageCommand().slice(1)], cwd: app },
    );
    await bot.ready;
    await vi.waitFor(async () => expect(await healthcheck()).toBe(0), { timeout: 15_000, interval: 500 });

    // The rules CLI runs from the compiled JavaScript there (no sources in the image).
    const rules = await run('npm', ['run', '--silent', 'rules', '--', 'show'], {
      cwd: app,
      env: { ...process.env, ...processEnv(slack, tables) },
    });
    expect(rules.stdout).toContain('Routing rules (first match wins; otherwise LEADS_CHANNEL):');

    await insertLeads(leadTableClient(tables), [leadColumns()]);
    await vi.waitFor(() => expect(slack?.messages.filter((m) => m.metadata !== undefined)).toHaveLength(1), {
      timeout: 15_000,
    });

    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    expect(await healthcheck()).toBe(1);
  });
});
