import { addMinutes } from 'date-fns';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Bot } from '../../src/bot.ts';
import { LEAD_ACTIONS } from '../../src/slack/blocks/actions.ts';
import { insertLeads, leadColumns } from '../fixtures/lead-rows.ts';
import { createFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import { blockActionsBody, postToSlackEndpoint, slashCommandBody } from '../support/slack-requests.ts';
import {
  createTestBot,
  LEADS_CHANNEL,
  leadTableClient,
  SIGNING_SECRET,
  type TestTables,
  uniqueTables,
} from '../support/test-bot.ts';

// The speed-to-lead tiers with the bot's own defaults (the other e2e files pin a 24-hour SLA): claimed
// within 5 minutes, first touched within an hour. The bot's clock is the test's.

const MANAGERS = 'C0MANAGERS';
const ADMIN = 'U0ADMIN01';
let slack: FakeSlack;
let tables: TestTables;
let now: Date;
let bot: Bot;
let port: number;

beforeEach(async () => {
  slack = await createFakeSlack();
  tables = uniqueTables();
  now = new Date();
  bot = await createTestBot({
    slack,
    tables,
    clock: () => now,
    // Unset: the defaults of config.ts.
    env: { SLA: undefined, CLAIM_SLA: undefined, MANAGERS_CHANNEL: MANAGERS, ADMIN_USER_IDS: ADMIN },
  });
  port = (await bot.start()).port;
});

afterEach(async () => {
  await bot.stop();
  await slack.close();
});

const nextStep = (blocks: unknown) =>
  ((blocks ?? []) as Array<{ text?: { text?: string } }>)
    .map((block) => block.text?.text ?? '')
    .find((text) => text.startsWith('*Next step:*')) ?? '';
const firstMessage = () => slack.messages.find((m) => m.metadata !== undefined && m.thread_ts === undefined);
const posted = (channel: string) =>
  slack
    .callsTo('chat.postMessage')
    .filter((call) => call.args.channel === channel)
    .map((call) => String(call.args.text));

async function leads(text: string): Promise<string> {
  const before = slack.callsTo('response_url').length;
  const response = await postToSlackEndpoint(
    port,
    slashCommandBody({ text, userId: ADMIN, responseUrl: slack.responseUrl }),
    { secret: SIGNING_SECRET },
  );
  const body = await response.text();
  const answer = body
    ? (JSON.parse(body) as Record<string, unknown>)
    : await vi.waitFor(() => {
        const call = slack.callsTo('response_url')[before];
        if (call === undefined) throw new Error('no answer yet');
        return call.args;
      });
  return String(answer.text).replaceAll('\u200B', '');
}

describe('speed to lead, by default', () => {
  it('states both tiers on a new Contact me lead, announces it again at 5 min, escalates at 10, reminds its owner at 1 h', async () => {
    const start = now;
    await insertLeads(leadTableClient(tables), [
      leadColumns({ LeadSource: 'SPZA-PLT|x', ActionCode: 'PLT' }),
    ]);
    await bot.jobs.poll();
    expect(nextStep(firstMessage()?.blocks)).toMatch(
      /Claim within 5 minutes; follow up within 1 hour: this lead’s SLA\.$/,
    );

    now = addMinutes(start, 5);
    await bot.jobs.reminders();
    expect(
      posted(LEADS_CHANNEL).filter((text) => text.startsWith('🙋 Still unclaimed after 5 minutes')),
    ).toHaveLength(1);
    now = addMinutes(start, 10);
    await bot.jobs.reminders();
    expect(posted(MANAGERS)).toEqual([expect.stringMatching(/nobody has claimed it for 10 minutes\./)]);

    // Claimed: the card keeps the first-touch tier only, and the owner is reminded at the hour.
    const controls = (
      (firstMessage()?.blocks ?? []) as Array<{ type: string; elements?: { value?: string }[] }>
    ).find((block) => block.type === 'actions');
    const claim = await postToSlackEndpoint(
      port,
      blockActionsBody({
        userId: 'U0REP1',
        actionId: LEAD_ACTIONS.claim,
        blockId: 'b',
        value: controls?.elements?.[0]?.value ?? '',
        responseUrl: slack.responseUrl,
      }),
      { secret: SIGNING_SECRET },
    );
    expect(claim.status).toBe(200);
    await vi.waitFor(() =>
      expect(nextStep(slack.callsTo('chat.update').at(-1)?.args.blocks)).toMatch(
        /personally\. Follow up within 1 hour: this lead’s SLA\.$/,
      ),
    );
    now = addMinutes(start, 59);
    expect(await bot.jobs.reminders()).toMatchObject({ reminded: 0 });
    now = addMinutes(start, 61);
    expect(await bot.jobs.reminders()).toMatchObject({ reminded: 1 });
    expect(posted('U0REP1').some((text) => /follow/i.test(text))).toBe(true);
  });

  it('lets an admin change the claim SLA and shows the tiers in /leads rules', async () => {
    expect(await leads('sla claim 15m')).toMatch(
      /^Claim SLA: 5m ⟶ 15m: a lead nobody claimed is announced again/,
    );
    expect(await leads('sla PLT 30m')).toMatch(/^SLA for PLT: 1h ⟶ 30m/);
    expect(await leads('rules')).toContain(
      '*Speed to lead*\nclaim within 15m; first touch: PLT 30m, INS 1h, Create 1h, StartTestDrive 1h, other 1h',
    );
    expect(await leads('sla claim soon')).toMatch(/Try: `\/leads sla claim 5m`/);
  });
});
