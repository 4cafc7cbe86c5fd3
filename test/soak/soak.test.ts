import { randomUUID } from 'node:crypto';
import type { TransactionAction } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/bot.ts';
import { leadPartitionKey } from '../../src/domain/lead-partitions.ts';
import { LEAD_EVENT_TYPE } from '../../src/slack/slack-adapter.ts';
import { JANE, type LeadColumns, leadColumns } from '../fixtures/lead-rows.ts';
import { createFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import { createTestBot, leadTableClient, type TestTables, uniqueTables } from '../support/test-bot.ts';

// 2,000 mixed rows through the real pipeline (Azurite, the bot, the Slack stand-in): every valid lead
// posted exactly once, every malformed one posted with what is known. Run by `npm run test:faults`.

const ROWS = 2000;
let slack: FakeSlack;
let tables: TestTables;
let bot: Bot;

/** Row i: mostly valid leads of every action, a few returning customers, and one in five malformed. */
function rowFor(i: number): LeadColumns {
  if (i % 5 === 0) {
    const malformed: LeadColumns[] = [
      { LeadSource: 'garbage without separators', CustomerInfo: '{not json' },
      { CustomerInfo: '"a string"', CreatedTime: 'someday' },
      { LeadSource: '', ActionCode: '', CustomerInfo: '[]' },
      {},
    ];
    return malformed[(i / 5) % malformed.length] ?? {};
  }
  const actions = [
    ['SPZA-PLT|Contoso', 'PLT'],
    ['AzureMarketplace-INS|contoso.x', 'INS'],
    ['AzurePortal-Create|contoso.x', 'Create'],
    ['AzureMarketplace-StartTestDrive|contoso.x', 'StartTestDrive'],
    ['SPZA-DNC|Contoso', 'DNC'],
    ['AzureMarketplace-FreeTrial|contoso.x', 'FreeTrial'],
  ] as const;
  const [leadSource, actionCode] = actions[i % actions.length] ?? actions[0];
  // Every 7th customer comes back under the same e-mail: those leads thread into one conversation.
  const email = i % 7 === 0 ? `returning${i % 21}@x.example` : `customer${i}@x.example`;
  return leadColumns({
    LeadSource: leadSource,
    ActionCode: actionCode,
    CustomerInfo: JSON.stringify({ ...JANE, Email: email, Company: `<!channel> Co ${i}` }),
  });
}

beforeAll(async () => {
  slack = await createFakeSlack();
  tables = uniqueTables();
  bot = await createTestBot({ slack, tables });
  await bot.jobs.poll(); // the first start, before the rows arrive
});

afterAll(async () => {
  await bot.stop();
  await slack.close();
});

describe('soak: 2,000 mixed rows', () => {
  it('posts every row exactly once, the malformed ones with what could be read', async () => {
    const client = leadTableClient(tables);
    await client.createTable();
    const keys: string[] = [];
    for (let start = 0; start < ROWS; start += 100) {
      // Microsoft's partition: the lead's date (today); a transaction holds one partition.
      const partitionKey = leadPartitionKey(new Date());
      const actions: TransactionAction[] = [];
      for (let i = start; i < start + 100; i++) {
        const rowKey = randomUUID();
        keys.push(rowKey);
        const columns = Object.fromEntries(
          Object.entries(rowFor(i)).filter(([, value]) => value !== undefined),
        );
        actions.push(['create', { partitionKey, rowKey, ...columns }]);
      }
      await client.submitTransaction(actions);
    }

    let malformed = 0;
    for (let round = 0; round < 5; round++) {
      const summary = await bot.jobs.poll();
      malformed = Math.max(malformed, summary.malformed);
      if (summary.failed + summary.waiting + summary.busy === 0) break;
    }

    const posts = slack.messages.filter((m) => m.metadata?.event_type === LEAD_EVENT_TYPE);
    const perLead = new Map<string, number>();
    for (const post of posts) {
      const key = String(post.metadata?.event_payload.lead_rk);
      perLead.set(key, (perLead.get(key) ?? 0) + 1);
    }
    expect(perLead.size).toBe(ROWS);
    expect([...perLead.values()].every((count) => count === 1)).toBe(true);
    expect([...perLead.keys()].sort()).toEqual([...keys].sort());
    expect(malformed).toBe(ROWS / 5);
    const flagged = posts.filter((post) =>
      JSON.stringify(post.blocks).includes('This lead row was malformed'),
    );
    expect(flagged).toHaveLength(ROWS / 5);
    // Returning customers became threads, not strangers.
    expect(posts.filter((post) => post.thread_ts !== undefined).length).toBeGreaterThan(0);
    // No lead text reached Slack unescaped.
    for (const post of posts) expect(post.text).not.toContain('<!channel>');
  }, 600_000);
});
