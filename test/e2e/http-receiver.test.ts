import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Bot } from '../../src/bot.ts';
import { insertLeads, leadColumns } from '../fixtures/lead-rows.ts';
import { createFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import { postToSlackEndpoint, sign, slashCommandBody } from '../support/slack-requests.ts';
import {
  createTestBot,
  leadTableClient,
  SIGNING_SECRET,
  type TestTables,
  uniqueTables,
} from '../support/test-bot.ts';

let slack: FakeSlack;
let bot: Bot;
let port: number;
let tables: TestTables;

beforeEach(async () => {
  slack = await createFakeSlack();
  tables = uniqueTables();
  bot = await createTestBot({ slack, tables });
  ({ port } = await bot.start());
});

afterEach(async () => {
  await bot.stop();
  await slack.close();
});

const responses = () => slack.callsTo('response_url');

describe('the Slack HTTP receiver', () => {
  it('answers a signed /leads help privately with the command list', async () => {
    const response = await postToSlackEndpoint(
      port,
      slashCommandBody({ text: 'help', responseUrl: slack.responseUrl }),
      {
        secret: SIGNING_SECRET,
      },
    );
    expect(response.status).toBe(200);
    await vi.waitFor(() => expect(responses()).toHaveLength(1));
    expect(responses()[0]?.args).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('`/leads help`'),
    });
  });

  it('answers an unknown subcommand with what was wrong and an example, in the acknowledgement', async () => {
    const response = await postToSlackEndpoint(
      port,
      slashCommandBody({ text: 'frobnicate now', responseUrl: slack.responseUrl }),
      {
        secret: SIGNING_SECRET,
      },
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      response_type: 'ephemeral',
      text: '⚠️ Unknown command "frobnicate".\nTry: `/leads help`.',
    });
  });

  it.each([
    ['a wrong signature', { signature: 'v0=0000' }],
    ['another app’s secret', { secret: 'not-our-secret' }],
    ['a replayed request over five minutes old', { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 }],
    [
      'a correctly signed request dated six minutes ahead',
      { timestamp: Math.floor(Date.now() / 1000) + 6 * 60 },
    ],
    [
      'a correctly signed request dated a year ahead',
      { timestamp: Math.floor(Date.now() / 1000) + 365 * 86_400 },
    ],
  ])('refuses %s with 401 and runs nothing', async (_, overrides) => {
    const response = await postToSlackEndpoint(
      port,
      slashCommandBody({ text: 'help', responseUrl: slack.responseUrl }),
      {
        secret: SIGNING_SECRET,
        ...overrides,
      },
    );
    expect(response.status).toBe(401);
    expect(responses()).toHaveLength(0);
  });

  it.each([
    ['its valid signature with "=extra" after it', (valid: string) => `${valid}=extra`],
    ['its valid signature in capitals', (valid: string) => `v0=${valid.slice(3).toUpperCase()}`],
  ])('refuses a request carrying %s with 401 and runs nothing', async (_, forge) => {
    const body = slashCommandBody({ text: 'help', responseUrl: slack.responseUrl });
    const timestamp = Math.floor(Date.now() / 1000);
    const response = await postToSlackEndpoint(port, body, {
      secret: SIGNING_SECRET,
      timestamp,
      signature: forge(sign(SIGNING_SECRET, timestamp, body)),
    });
    expect(response.status).toBe(401);
    expect(responses()).toHaveLength(0);
  });

  it('closes a connection that drips its headers instead of keeping it open', async () => {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write('POST /slack/events HTTP/1.1\r\nHost: localhost\r\n');
    const drip = setInterval(() => socket.write(`X-Drip-${Date.now()}: 1\r\n`), 500);
    const closedAfter = await new Promise<number>((resolve) => {
      const start = Date.now();
      socket.once('close', () => resolve(Date.now() - start));
      socket.on('error', () => {});
    }).finally(() => clearInterval(drip));
    // Closed by the server's header timeout (10 s, checked every second), long before Node's default 60 s.
    expect(closedAfter).toBeLessThan(20_000);
  }, 30_000);

  it('reports health as JSON without secrets', async () => {
    await bot.jobs.poll();
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(JSON.parse(body)).toMatchObject({
      status: 'ok',
      ready: true,
      problems: [],
      mode: 'http',
      leadTable: { found: false },
      lastPoll: { ok: true, summary: { tableFound: false } },
    });
    expect(body).not.toContain(SIGNING_SECRET);
    expect(body).not.toContain('xoxb-');
    expect(body).not.toContain('AccountKey');
    // …nor in anything the bot logged on the way.
    const logged = JSON.stringify((bot as Bot & { log: { lines: unknown[] } }).log.lines);
    for (const secret of [
      SIGNING_SECRET,
      'xoxb-test',
      'AccountKey',
      'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq',
    ]) {
      expect(logged).not.toContain(secret);
    }
  });

  it('is not ready while Slack refuses the bot token, says why, and stays live', async () => {
    await bot.stop();
    slack.fail('auth.test', { error: 'invalid_auth' }, Number.POSITIVE_INFINITY);
    bot = await createTestBot({ slack, tables: uniqueTables() });
    ({ port } = await bot.start());
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({
      ready: false,
      status: 'degraded',
      problems: ['Slack refused the bot token (auth.test: invalid_auth)'],
    });
    const live = await fetch(`http://127.0.0.1:${port}/livez`);
    expect([live.status, await live.json()]).toEqual([200, { live: true }]);

    // Slack accepts it again: the next check (every minute) makes the process ready, without a restart.
    slack.succeed('auth.test');
    await bot.recheckSlack();
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });

  it('names in /healthz each routed channel the bot is not in, and stays ready', async () => {
    slack.removeBot('CLEADS0001');
    await bot.recheckSlack();
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      ready: true,
      status: 'degraded',
      problems: [
        expect.stringMatching(/^the bot is not a member of CLEADS0001, where leads or escalations go/),
      ],
    });
  });

  it('becomes unready as soon as Slack refuses the token on any call, and ready when a check passes again', async () => {
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    await insertLeads(leadTableClient(tables), [leadColumns()]);
    slack.fail('chat.postMessage', { error: 'token_revoked' });
    await bot.jobs.poll();
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(503);
    expect(((await health.json()) as { problems: string[] }).problems).toContain(
      'Slack refused the bot token (auth.test: token_revoked)',
    );

    await bot.recheckSlack(); // the stand-in accepts the token again
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });
});
