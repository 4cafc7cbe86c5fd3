import { addDays } from 'date-fns/addDays';
import { startOfDay } from 'date-fns/startOfDay';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/bot.ts';
import { insertLeads, JANE, leadColumns } from '../fixtures/lead-rows.ts';
import { createFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import { createTestBot, leadTableClient, type TestTables, uniqueTables } from '../support/test-bot.ts';

const MANAGERS = 'C0MANAGERS';
let slack: FakeSlack;
let tables: TestTables;
let now: Date;
const bots: Bot[] = [];

beforeEach(async () => {
  slack = await createFakeSlack();
  tables = uniqueTables();
  now = new Date();
});

afterEach(async () => {
  await Promise.all(bots.splice(0).map((bot) => bot.stop()));
  await slack.close();
});

async function startBot() {
  const bot = await createTestBot({ slack, tables, clock: () => now, env: { MANAGERS_CHANNEL: MANAGERS } });
  bots.push(bot);
  return bot;
}

const digests = () => slack.callsTo('chat.postMessage').filter((call) => call.args.channel === MANAGERS);

describe('sendDigest', () => {
  it('says nothing when there is nothing to say', async () => {
    const bot = await startBot();
    expect(await bot.jobs.digest()).toEqual({ sent: false, reason: 'nothing to say' });
    expect(digests()).toHaveLength(0);
  });

  it('sends yesterday’s leads, unclaimed and overdue counts to the managers, once a day across processes', async () => {
    const one = await startBot();
    const two = await startBot();
    await insertLeads(leadTableClient(tables), [
      leadColumns(),
      leadColumns({
        LeadSource: 'SPZA-PLT|x',
        ActionCode: 'PLT',
        CustomerInfo: JSON.stringify({ ...JANE, Email: 'b@x.example' }),
      }),
    ]);
    await one.jobs.poll();
    // The next morning at 09:00 UTC, the leads arrived yesterday.
    now = new Date(startOfDay(addDays(now, 1)).getTime() + 9 * 3_600_000);
    const [a, b] = await Promise.all([one.jobs.digest(), two.jobs.digest()]);
    const sent = [a, b].filter((summary) => summary.sent);
    expect(sent).toHaveLength(1);
    expect([a, b].filter((summary) => !summary.sent)).toEqual([{ sent: false, reason: 'already sent' }]);
    expect(sent[0]).toMatchObject({ sent: true, channel: MANAGERS, newLeads: 2, unclaimed: 2 });
    const [digest] = digests();
    expect(digest?.args.text).toMatch(/^Daily lead digest: 2 new, 2 unclaimed, \d overdue$/);
    const summary = ((digest?.args.blocks ?? []) as Array<{ text?: { text: string } }>)[1]?.text?.text;
    expect(summary).toMatch(
      /^\*New leads on \w+ \d+ \w+ \d{4}\*: 2 \(by source: (AzureMarketplace 1, AppSource 1|AppSource 1, AzureMarketplace 1); by action: /,
    );
    expect(await one.jobs.digest()).toEqual({ sent: false, reason: 'already sent' });
  });
});

describe('sendWeeklySummary', () => {
  it('sends the week’s figures with what the leads became, once a week across processes', async () => {
    const one = await startBot();
    const two = await startBot();
    expect(await one.jobs.weekly()).toEqual({ sent: false, reason: 'nothing to say' });
    await insertLeads(leadTableClient(tables), [
      leadColumns(),
      leadColumns({ CustomerInfo: JSON.stringify({ ...JANE, Email: 'b@x.example' }) }),
    ]);
    await one.jobs.poll();
    now = new Date(now.getTime() + 3_600_000);
    const results = await Promise.all([one.jobs.weekly(), two.jobs.weekly()]);
    expect(results.filter((result) => result.sent)).toHaveLength(1);
    expect(results.filter((result) => !result.sent)).toEqual([{ sent: false, reason: 'already sent' }]);
    const [summary] = digests();
    expect(summary?.args.text).toBe('Weekly lead summary: 2 lead(s) in the last 7 days');
    const blocks = JSON.stringify(summary?.args.blocks).replaceAll('\u200B', '');
    expect(blocks).toContain('*What the leads became*: 0 won of 0 closed (—), 0% of all 2');
    expect(blocks).toContain('*Conversion by offer*');
    expect(blocks).toContain('contoso.lead-insights');
    expect(blocks).toMatch(/`░{10}` under 5 min: 0/);
    // Later the same week: not again.
    now = new Date(now.getTime() + 24 * 3_600_000);
    expect(await one.jobs.weekly()).toMatchObject({ sent: false });
  });
});
