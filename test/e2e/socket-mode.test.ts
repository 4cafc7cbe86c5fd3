import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Bot } from '../../src/bot.ts';
import { createFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import { createFakeSocketMode, type FakeSocketMode } from '../support/fake-socket-mode.ts';
import { createTestBot, uniqueTables } from '../support/test-bot.ts';

let socket: FakeSocketMode;
let slack: FakeSlack;
let bot: Bot;

afterEach(async () => {
  await bot.stop();
  await socket.close();
  await slack.close();
});

describe('Socket Mode', () => {
  it('is ready only while the connection to Slack is up, and says so when it drops', async () => {
    socket = await createFakeSocketMode();
    slack = await createFakeSlack({ socketModeUrl: socket.url });
    bot = await createTestBot({ slack, tables: uniqueTables(), env: { SLACK_APP_TOKEN: 'xapp-test' } });
    await bot.start();
    expect(bot.health.report()).toMatchObject({ mode: 'socket', socketConnection: 'connected', ready: true });

    socket.cut();
    await vi.waitFor(() => {
      const report = bot.health.report();
      expect(report).toMatchObject({ ready: false, status: 'degraded' });
      expect(report.problems).toContainEqual(
        expect.stringMatching(/^the Socket Mode connection to Slack is (reconnecting|disconnected)/),
      );
    });

    socket.restore();
    await vi.waitFor(
      () => expect(bot.health.report()).toMatchObject({ socketConnection: 'connected', ready: true }),
      {
        timeout: 15_000,
        interval: 100,
      },
    );
    expect(socket.connections()).toBeGreaterThanOrEqual(2);
    expect(slack.callsTo('apps.connections.open').length).toBeGreaterThanOrEqual(2);
  }, 30_000);
});
