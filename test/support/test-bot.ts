import { randomBytes } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { afterEach, beforeEach, expect, inject, vi } from 'vitest';
import { type Bot, createBot } from '../../src/bot.ts';
import { type Env, loadConfig } from '../../src/config.ts';
import { createMemoryLogger } from '../../src/logger.ts';
import { createTableClient } from '../../src/stores/azure/tables.ts';
import { createFakeSlack, type FakeSlack } from './fake-slack.ts';
import { postToSlackEndpoint, slashCommandBody } from './slack-requests.ts';

export const SIGNING_SECRET = 'test-signing-secret';
export const LEADS_CHANNEL = 'CLEADS0001';

/** Table names of one test: its own lead table and state tables in the shared Azurite. */
export interface TestTables {
  readonly leadsTable: string;
  readonly statePrefix: string;
}

export function uniqueTables(): TestTables {
  const id = randomBytes(5).toString('hex');
  return { leadsTable: `Leads${id}`, statePrefix: `s${id}` };
}

/**
 * The tests of delivery, reminders, claims and views were written against a 24-hour SLA and no claim
 * chase, and keep them, stated here; speed-to-lead.test.ts runs the defaults (claim 5 min, first touch 1 h).
 */
const PINNED_TIERS = { SLA: '24h', CLAIM_SLA: 'off' };

/** The settings a bot process needs to reach the Slack stand-in and this test's tables in Azurite. */
export function processEnv(slack: FakeSlack, tables: TestTables): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    AZURE_TABLES_CONNECTION_STRING: inject('azureConnectionString'),
    LEADS_TABLE: tables.leadsTable,
    STATE_TABLE_PREFIX: tables.statePrefix,
    LEADS_CHANNEL,
    ...PINNED_TIERS,
  };
}

export function leadTableClient(tables: TestTables): TableClient {
  return createTableClient(inject('azureConnectionString'), tables.leadsTable);
}

export interface TestBotOptions {
  readonly slack: FakeSlack;
  readonly tables: TestTables;
  readonly env?: Env;
  readonly clock?: () => Date;
  /** Retries of Slack's client for idempotent calls (default 0 in tests; production uses 3). */
  readonly slackRetries?: number;
}

/** The real composition root in HTTP mode against Azurite and the Slack stand-in; no cron, no retries. */
export async function createTestBot(
  options: TestBotOptions,
): Promise<Bot & { log: ReturnType<typeof createMemoryLogger> }> {
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: options.slack.apiUrl,
    AZURE_TABLES_CONNECTION_STRING: inject('azureConnectionString'),
    LEADS_TABLE: options.tables.leadsTable,
    STATE_TABLE_PREFIX: options.tables.statePrefix,
    LEADS_CHANNEL,
    PORT: '0',
    // Tests post many messages to one channel: pacing is tested on its own (web-api-gateway.test.ts).
    SLACK_POST_INTERVAL_MS: '0',
    // A call not answered in 2 s is abandoned (tests of lost answers wait that long).
    SLACK_TIMEOUT_SECONDS: '2',
    ...PINNED_TIERS,
    ...options.env,
  });
  const log = createMemoryLogger();
  const bot = await createBot(config, {
    log,
    schedule: false,
    slackRetries: options.slackRetries ?? 0,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return Object.assign(bot, { log });
}

/** The real composition root in local mode (the playground in place of Slack) against Azurite; no cron. */
export function createLocalBot(
  tables: TestTables,
  options: { writeOutput?: (text: string) => void; env?: Env } = {},
) {
  return createBot(
    loadConfig({
      AZURE_TABLES_CONNECTION_STRING: inject('azureConnectionString'),
      LEADS_TABLE: tables.leadsTable,
      STATE_TABLE_PREFIX: tables.statePrefix,
      PORT: '0',
      ...options.env,
    }),
    {
      log: createMemoryLogger(),
      schedule: false,
      ...(options.writeOutput ? { writeOutput: options.writeOutput } : {}),
    },
  );
}

/** A started bot (HTTP mode) and its Slack stand-in, fresh for each test. */
export interface StartedBot {
  slack: FakeSlack;
  tables: TestTables;
  bot: Bot & { log: ReturnType<typeof createMemoryLogger> };
  port: number;
  /** The bot's clock when the file asked for a controlled one (set at each test's start; tests move it). */
  now: Date;
}

/**
 * Starts a bot before each test of the file and stops it after; tests read (and may replace) the
 * fields. With `controlledClock`, the bot's clock is `now`; otherwise it is real time.
 */
export function useStartedBot(env: Env = {}, options: { controlledClock?: boolean } = {}): StartedBot {
  const ctx = {} as StartedBot;
  beforeEach(async () => {
    ctx.slack = await createFakeSlack();
    ctx.tables = uniqueTables();
    ctx.now = new Date();
    ctx.bot = await createTestBot({
      slack: ctx.slack,
      tables: ctx.tables,
      env,
      ...(options.controlledClock ? { clock: () => ctx.now } : {}),
    });
    ctx.port = (await ctx.bot.start()).port;
  });
  afterEach(async () => {
    await ctx.bot.stop();
    await ctx.slack.close();
  });
  return ctx;
}

/** A text as a person reads it: the zero-width spaces that keep typed text literal are invisible. */
export const visibleText = (text: string) => text.replaceAll('\u200B', '');

/** Runs `/leads …` as `user` through the bot's receiver; returns the private answer (from the ack or the response URL). */
export async function leadsCommandAnswer(ctx: StartedBot, text: string, user: string): Promise<string> {
  const before = ctx.slack.callsTo('response_url').length;
  const response = await postToSlackEndpoint(
    ctx.port,
    slashCommandBody({ text, userId: user, responseUrl: ctx.slack.responseUrl }),
    { secret: SIGNING_SECRET },
  );
  expect(response.status).toBe(200);
  const body = await response.text();
  if (body) return visibleText((JSON.parse(body) as { text: string }).text);
  await vi.waitFor(() => expect(ctx.slack.callsTo('response_url').length).toBe(before + 1));
  return visibleText(String(ctx.slack.callsTo('response_url').at(-1)?.args.text));
}
