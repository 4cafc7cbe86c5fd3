import { addDays } from 'date-fns/addDays';
import { afterEach, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import type { Bot } from '../../src/bot.ts';
import { FIRST_START_MARGIN_MS } from '../../src/jobs/poll-leads.ts';
import { LEAD_EVENT_TYPE } from '../../src/slack/slack-adapter.ts';
import { createAzureLeadRecordStore } from '../../src/stores/azure/azure-lead-record-store.ts';
import { createTableClient } from '../../src/stores/azure/tables.ts';
import { insertLeads, JANE, leadColumns } from '../fixtures/lead-rows.ts';
import { createFakeSlack, type FakeSlack, type StoredMessage } from '../support/fake-slack.ts';
import {
  createTestBot,
  LEADS_CHANNEL,
  leadTableClient,
  type TestTables,
  uniqueTables,
} from '../support/test-bot.ts';

let slack: FakeSlack;
let tables: TestTables;
const bots: Bot[] = [];

beforeEach(async () => {
  slack = await createFakeSlack();
  tables = uniqueTables();
});

afterEach(async () => {
  await Promise.all(bots.splice(0).map((bot) => bot.stop()));
  await slack.close();
});

async function startBot(clock?: () => Date) {
  const bot = await createTestBot({ slack, tables, ...(clock ? { clock } : {}) });
  bots.push(bot);
  return bot;
}

const leadPosts = () => slack.messages.filter((message) => message.metadata?.event_type === LEAD_EVENT_TYPE);
const postedLeadKeys = () => leadPosts().map((message) => message.metadata?.event_payload.lead_rk);
const headerOf = (message: StoredMessage | Record<string, unknown> | undefined) =>
  ((message?.blocks as Array<{ type: string; text?: { text: string } }>) ?? []).find(
    (block) => block.type === 'header',
  )?.text?.text;

describe('pollNewLeads', () => {
  it('runs one poll at a time in a process: whoever asks during a poll shares one poll after it', async () => {
    const bot = await startBot();
    await bot.jobs.poll(); // the first start
    await insertLeads(
      leadTableClient(tables),
      Array.from({ length: 30 }, (_, i) =>
        leadColumns({ CustomerInfo: JSON.stringify({ ...JANE, Email: `one-poll-${i}@x.example` }) }),
      ),
    );
    const running = bot.jobs.poll();
    const asked = [bot.jobs.poll(), bot.jobs.poll(), bot.jobs.poll()];
    const [first, ...after] = await Promise.all([running, ...asked]);
    expect(first).toMatchObject({ read: 30, posted: 30 });
    // The three asked during it share one poll that started when it ended: it finds every lead posted.
    for (const summary of after) expect(summary).toBe(after[0]);
    expect(after[0]).toMatchObject({ read: 30, posted: 0, alreadyPosted: 30 });
    expect(leadPosts()).toHaveLength(30);
  });

  it('reports "no leads yet" while Microsoft has not created the table', async () => {
    const bot = await startBot();
    const summary = await bot.jobs.poll();
    expect(summary).toMatchObject({ tableFound: false, read: 0, posted: 0 });
    expect(bot.health.report().leadTable).toMatchObject({
      found: false,
      note: expect.stringContaining('Validate'),
    });
    expect(leadPosts()).toEqual([]);
  });

  it('on the very first start posts the backfill window, counts older leads, and says so in the channel', async () => {
    const leads = leadTableClient(tables);
    const [old] = await insertLeads(leads, [
      leadColumns({ CustomerInfo: JSON.stringify({ ...JANE, Email: 'old@x.example' }) }),
    ]);
    const oldRow = await leads.getEntity(old?.partitionKey ?? '', old?.rowKey ?? '');
    // The window starts just after the old lead: the bot's clock stands 7 days (and the margin) later.
    const windowStart = new Date(new Date(oldRow.timestamp ?? '').getTime() + 1);
    const [recent] = await insertLeads(leads, [leadColumns()]);
    const bot = await startBot(() => new Date(addDays(windowStart, 7).getTime() + FIRST_START_MARGIN_MS));

    const summary = await bot.jobs.poll();

    expect(summary).toMatchObject({
      tableFound: true,
      firstStart: { since: windowStart, olderLeads: 1 },
      read: 1,
      posted: 1,
    });
    expect(postedLeadKeys()).toEqual([recent?.rowKey]);
    // The notice comes after the backfill's posts: counting the older leads is a full scan, run once,
    // and must not delay the first leads.
    expect(slack.messages.at(-1)?.text).toContain('1 older lead was left in the table and not posted');
    expect(slack.messages.at(-1)?.channel).toBe(LEADS_CHANNEL);
    expect(slack.messages[0]?.metadata?.event_payload.lead_rk).toBe(recent?.rowKey);
  });

  it('posts each new lead once, with its metadata, and reads only what is new on the next poll', async () => {
    const leads = leadTableClient(tables);
    const bot = await startBot();
    const [first] = await insertLeads(leads, [leadColumns()]);
    expect(await bot.jobs.poll()).toMatchObject({ read: 1, posted: 1, alreadyPosted: 0 });

    const [second] = await insertLeads(leads, [
      leadColumns({ CustomerInfo: JSON.stringify({ ...JANE, Email: 'b@x.example' }) }),
    ]);
    const summary = await bot.jobs.poll();

    // The first lead is re-read only because it lies inside the overlap window, and is not posted again.
    expect(summary).toMatchObject({ read: 2, posted: 1, alreadyPosted: 1 });
    expect(postedLeadKeys()).toEqual([first?.rowKey, second?.rowKey]);
    expect(leadPosts()[0]?.metadata).toEqual({
      event_type: LEAD_EVENT_TYPE,
      event_payload: { lead_pk: first?.partitionKey, lead_rk: first?.rowKey },
    });
  });

  it('reads only rows past the cursor when there is no overlap: work follows new rows, not the table', async () => {
    const leads = leadTableClient(tables);
    const bot = await createTestBot({ slack, tables, env: { POLL_OVERLAP_SECONDS: '0' } });
    bots.push(bot);
    await insertLeads(
      leads,
      Array.from({ length: 5 }, (_, i) =>
        leadColumns({ CustomerInfo: JSON.stringify({ Email: `${i}@x.example` }) }),
      ),
    );
    expect(await bot.jobs.poll()).toMatchObject({ read: 5, posted: 5 });
    await insertLeads(leads, [leadColumns({ CustomerInfo: JSON.stringify({ Email: 'new@x.example' }) })]);
    // The cursor is the newest Timestamp seen, read with `ge`: that one row and the new one.
    expect(await bot.jobs.poll()).toMatchObject({ read: 2, posted: 1, alreadyPosted: 1 });
  });

  it('makes a returning customer one conversation: replies in the thread and updates the first message', async () => {
    const leads = leadTableClient(tables);
    const bot = await startBot();
    await insertLeads(leads, [
      leadColumns({
        LeadSource: 'SPZA-PLT|Contoso Lead Insights',
        ActionCode: 'PLT',
        CustomerInfo: JSON.stringify({ ...JANE, Email: 'Jane.Doe@Fabrikam.example' }),
      }),
      leadColumns({
        LeadSource: 'SPZA-INS|Contoso Lead Insights',
        ActionCode: 'INS',
        CustomerInfo: JSON.stringify({ ...JANE, Email: ' jane.doe@fabrikam.example' }),
      }),
      leadColumns({ LeadSource: 'AzurePortal-Create|contoso.lead-insights', ActionCode: 'Create' }),
    ]);

    expect(await bot.jobs.poll()).toMatchObject({ read: 3, posted: 1, threaded: 2 });

    const [root, ...replies] = leadPosts();
    expect(root?.thread_ts).toBeUndefined();
    expect(replies.map((reply) => reply.thread_ts)).toEqual([root?.ts, root?.ts]);
    expect(replies.map(headerOf)).toEqual([
      '📦 Same customer again: Get it now',
      '🚀 Same customer again: Created in the Azure portal',
    ]);
    const updates = slack.callsTo('chat.update');
    expect(updates.map((update) => update.args.ts)).toEqual([root?.ts, root?.ts]);
    expect(headerOf(updates.at(-1)?.args)).toBe('🚀 Created in the Azure portal: Jane Doe · Fabrikam');
  });

  it('keeps leads without an e-mail, test leads and do-not-contact notices as messages of their own', async () => {
    const leads = leadTableClient(tables);
    const bot = await startBot();
    await insertLeads(leads, [
      leadColumns({ CustomerInfo: JSON.stringify({ Company: 'No Mail Ltd' }) }),
      leadColumns({ CustomerInfo: JSON.stringify({ Company: 'No Mail Ltd' }) }),
      leadColumns({ LeadSource: 'SPZA-DNC|Contoso Lead Insights', ActionCode: 'DNC' }),
      leadColumns({ Description: 'MSFT_TEST_638960000000000000' }),
    ]);

    expect(await bot.jobs.poll()).toMatchObject({ read: 4, posted: 4, threaded: 0 });
    expect(leadPosts().map(headerOf)).toEqual([
      '🧪 Test Drive started: No Mail Ltd',
      '🧪 Test Drive started: No Mail Ltd',
      '🚫 Do not contact: Jane Doe · Fabrikam',
      '🔌 Microsoft test lead received',
    ]);
  });

  it('posts malformed rows with what is known, and counts them', async () => {
    const leads = leadTableClient(tables);
    const bot = await startBot();
    await insertLeads(leads, [
      { LeadSource: 'garbage', CustomerInfo: '{broken', CreatedTime: 'whenever' },
      {},
    ]);

    expect(await bot.jobs.poll()).toMatchObject({ read: 2, posted: 2, malformed: 2, failed: 0 });
    expect(leadPosts().map(headerOf)).toEqual([
      '❔ Other marketplace action: Unknown customer',
      '❔ Other marketplace action: Unknown customer',
    ]);
    const warnings = () => bot.log.lines.filter((line) => line.message.startsWith('malformed lead row'));
    expect(warnings()).toHaveLength(2);

    // The next polls re-read both rows (the overlap window) without warning again.
    expect(await bot.jobs.poll()).toMatchObject({ read: 2, alreadyPosted: 2, malformed: 2 });
    expect(warnings()).toHaveLength(2);
  });

  it('escapes lead text: a company called <!channel> pings nobody', async () => {
    const leads = leadTableClient(tables);
    const bot = await startBot();
    await insertLeads(leads, [
      leadColumns({ CustomerInfo: JSON.stringify({ ...JANE, Company: '<!channel>' }) }),
    ]);
    await bot.jobs.poll();
    const [post] = slack.callsTo('chat.postMessage').filter((call) => call.args.metadata !== undefined);
    expect(post?.args.text).toBe('Test Drive started: Jane Doe · &lt;!channel&gt; for Contoso Lead Insights');
    expect(headerOf(post?.args)).toBe('🧪 Test Drive started: Jane Doe · <!channel>');
    expect((post?.args.blocks as Array<{ type: string }> | undefined)?.[0]).toMatchObject({
      type: 'header',
      text: { type: 'plain_text' },
    });
  });

  it('records a Slack failure, holds the cursor, and posts the lead once Slack accepts it', async () => {
    const leads = leadTableClient(tables);
    const bot = await startBot();
    await bot.jobs.poll(); // the first start, so only lead posts follow
    const [lead] = await insertLeads(leads, [leadColumns()]);
    slack.fail('chat.postMessage', { error: 'channel_not_found' });

    const failed = await bot.jobs.poll();
    expect(failed).toMatchObject({ read: 1, posted: 0, failed: 1 });
    expect(
      bot.log.lines.some((line) => line.level === 'warn' && line.fields.error === 'channel_not_found'),
    ).toBe(true);

    const leadTimestamp = new Date(
      (await leads.getEntity(lead?.partitionKey ?? '', lead?.rowKey ?? '')).timestamp ?? '',
    );
    expect(failed.cursor.getTime()).toBeLessThanOrEqual(leadTimestamp.getTime());

    const retried = await bot.jobs.poll();
    expect(retried).toMatchObject({ read: 1, posted: 1, failed: 0 });
    expect(postedLeadKeys()).toEqual([lead?.rowKey]);
  });

  it('after a restart posts nothing twice and loses nothing', async () => {
    const leads = leadTableClient(tables);
    const before = await startBot();
    await insertLeads(leads, [
      leadColumns(),
      leadColumns({ CustomerInfo: JSON.stringify({ Email: 'two@x.example' }) }),
    ]);
    await before.jobs.poll();
    await before.stop();
    bots.splice(bots.indexOf(before), 1);

    await insertLeads(leads, [leadColumns({ CustomerInfo: JSON.stringify({ Email: 'three@x.example' }) })]);
    const after = await startBot();
    const summary = await after.jobs.poll();

    expect(summary).toMatchObject({ firstStart: null, posted: 1, alreadyPosted: 2 });
    expect(new Set(postedLeadKeys()).size).toBe(3);
    expect(leadPosts()).toHaveLength(3);
  });

  it('posts every lead exactly once when two processes poll at the same moment', async () => {
    const leads = leadTableClient(tables);
    const one = await startBot();
    const two = await startBot();
    await insertLeads(
      leads,
      Array.from({ length: 12 }, (_, i) =>
        leadColumns({ CustomerInfo: JSON.stringify({ Email: `c${i % 4}@x.example` }) }),
      ),
    );

    const [a, b] = await Promise.all([one.jobs.poll(), two.jobs.poll()]);

    expect(leadPosts()).toHaveLength(12);
    expect(new Set(postedLeadKeys()).size).toBe(12);
    // Four customers: four conversations, each with its replies in its own thread.
    expect(leadPosts().filter((message) => message.thread_ts === undefined)).toHaveLength(4);
    const handled = (s: typeof a) => s.posted + s.threaded;
    expect(handled(a) + handled(b)).toBe(12);
    // Whatever one process left to the other is finished by the next poll of either.
    await Promise.all([one.jobs.poll(), two.jobs.poll()]);
    expect(leadPosts()).toHaveLength(12);
  });

  it('recovers a lead posted just before a crash by its metadata instead of posting it again', async () => {
    const leads = leadTableClient(tables);
    const [lead] = await insertLeads(leads, [leadColumns()]);
    const crashedAt = new Date();
    // What a crash leaves behind: the posting claim with its destination, and the message in Slack.
    const state = createTableClient(inject('azureConnectionString'), `${tables.statePrefix}Leads`);
    await state.createTable();
    const records = createAzureLeadRecordStore(state);
    const id = { partitionKey: lead?.partitionKey ?? '', rowKey: lead?.rowKey ?? '' };
    const claimed = await records.claim(id, { by: 'crashed-process', at: crashedAt, receivedAt: crashedAt });
    await records.setDestination(claimed.record, {
      channel: LEADS_CHANNEL,
      threadTs: null,
      conversationKey: null,
    });
    const orphan = slack.addMessage({
      channel: LEADS_CHANNEL,
      text: 'posted before the crash',
      blocks: [],
      metadata: {
        event_type: LEAD_EVENT_TYPE,
        event_payload: { lead_pk: id.partitionKey, lead_rk: id.rowKey },
      },
    });

    // While the claim is fresh, another process leaves it alone.
    const early = await startBot(() => crashedAt);
    expect(await early.jobs.poll()).toMatchObject({ busy: 1, posted: 0 });

    const later = await startBot(() => new Date(crashedAt.getTime() + 6 * 60_000));
    expect(await later.jobs.poll()).toMatchObject({ recovered: 1, posted: 0 });
    expect(leadPosts()).toEqual([orphan]);
    expect((await records.get(id))?.ts).toBe(orphan.ts);
  });

  it('reports a channel Slack refuses to the admins once, shows it in health, and posts the lead once fixed', async () => {
    const leads = leadTableClient(tables);
    const bot = await createTestBot({ slack, tables, env: { MANAGERS_CHANNEL: 'C0MANAGERS' } });
    bots.push(bot);
    await bot.start();
    await bot.jobs.poll();
    const [lead] = await insertLeads(leads, [leadColumns()]);
    slack.fail('chat.postMessage', { error: 'is_archived' }, 2, LEADS_CHANNEL);

    const first = await bot.jobs.poll();
    expect(first.blocked).toEqual([{ channel: LEADS_CHANNEL, error: 'is_archived', leads: 1 }]);
    expect(bot.health.report()).toMatchObject({
      status: 'degraded',
      lastPoll: { summary: { blocked: [{ error: 'is_archived' }] } },
    });
    const told = () => slack.callsTo('chat.postMessage').filter((call) => call.args.channel === 'C0MANAGERS');
    expect(told()).toHaveLength(1);
    expect(told()[0]?.args.text).toBe(
      `⚠️ The lead bot cannot post in <#${LEADS_CHANNEL}>: Slack says \`is_archived\` (the channel is archived: unarchive it or route its leads elsewhere (/leads routes)). 1 lead(s) are waiting and will be posted as soon as this is fixed; none is lost.`,
    );

    await bot.jobs.poll(); // still archived: not told twice
    expect(told()).toHaveLength(1);

    const fixed = await bot.jobs.poll();
    expect(fixed).toMatchObject({ posted: 1, blocked: [] });
    expect(bot.health.report().status).toBe('ok');
    expect(postedLeadKeys()).toEqual([lead?.rowKey]);
  });

  it.each([
    // A post waits on Retry-After only while it can still end within its claim (here 6 s − 2 s).
    [
      'rate limiting longer than a post may wait (429, Retry-After 5 s)',
      { status: 429, retryAfterSeconds: 5 },
    ],
    ['a Slack outage (503)', { status: 503 }],
    ['a server error (500)', { status: 500 }],
  ] as const)('loses nothing to %s: the lead waits and is posted once Slack answers', async (_, failure) => {
    const bot = await createTestBot({ slack, tables, env: { CLAIM_TIMEOUT_SECONDS: '6' } });
    bots.push(bot);
    await bot.jobs.poll();
    const [lead] = await insertLeads(leadTableClient(tables), [leadColumns()]);
    slack.fail('chat.postMessage', failure);
    expect(await bot.jobs.poll()).toMatchObject({ posted: 0, failed: 1, blocked: [] });
    expect(await bot.jobs.poll()).toMatchObject({ posted: 1, failed: 0 });
    expect(postedLeadKeys()).toEqual([lead?.rowKey]);
  });

  it.each([
    ['never answers (the call times out)', (fake: FakeSlack) => fake.hold('chat.postMessage')],
    ['answers 500 after storing it', (fake: FakeSlack) => fake.loseAnswer('chat.postMessage', 'http_500')],
    [
      'drops the connection after storing it',
      (fake: FakeSlack) => fake.loseAnswer('chat.postMessage', 'drop'),
    ],
  ])(
    'posts a lead once when Slack %s, with the client’s production retries on',
    async (_, loseIt) => {
      const bot = await createTestBot({ slack, tables, slackRetries: 3 });
      bots.push(bot);
      await bot.jobs.poll();
      const [lead] = await insertLeads(leadTableClient(tables), [leadColumns()]);
      loseIt(slack);
      // The post is not repeated blindly: the bot looks for it by its metadata, finds it, records it.
      expect(await bot.jobs.poll()).toMatchObject({ recovered: 1, posted: 0, failed: 0 });
      slack.release('chat.postMessage');
      expect(await bot.jobs.poll()).toMatchObject({ read: 1, alreadyPosted: 1 });
      expect(postedLeadKeys()).toEqual([lead?.rowKey]);
    },
    20_000,
  );

  it('retries a post Slack refused with 429 after its Retry-After, and posts it once', async () => {
    const bot = await startBot();
    await bot.jobs.poll();
    const [lead] = await insertLeads(leadTableClient(tables), [leadColumns()]);
    slack.fail('chat.postMessage', { status: 429, retryAfterSeconds: 1 }, 2);
    expect(await bot.jobs.poll()).toMatchObject({ posted: 1, failed: 0 });
    expect(postedLeadKeys()).toEqual([lead?.rowKey]);
    expect(slack.callsTo('chat.postMessage').filter((call) => call.args.metadata)).toHaveLength(3);
  }, 20_000);

  it('recovers a post whose answer never came (a timeout after Slack took it) without posting it twice', async () => {
    const bot = await createTestBot({ slack, tables, env: { CLAIM_TIMEOUT_SECONDS: '4' } });
    bots.push(bot);
    await bot.jobs.poll();
    const [lead] = await insertLeads(leadTableClient(tables), [leadColumns()]);
    slack.hold('chat.postMessage');
    // The call timed out after 2 s, and the search for it failed too: the lead waits for the next poll.
    slack.fail('conversations.history', { status: 503 }, 1);
    expect(await bot.jobs.poll()).toMatchObject({ failed: 1 });
    slack.release('chat.postMessage');
    expect(await bot.jobs.poll()).toMatchObject({ recovered: 1, posted: 0 });
    expect(postedLeadKeys()).toEqual([lead?.rowKey]);
  }, 20_000);

  it.each([
    ['5 minutes ahead of', 5],
    ['5 minutes behind', -5],
  ])(
    'finds a post made by a process whose clock is %s the others, instead of posting it again',
    async (_, minutes) => {
      const skewed = (offset: number) => () => new Date(Date.now() + offset * 60_000);
      const first = await createTestBot({
        slack,
        tables,
        clock: skewed(minutes),
        env: { CLAIM_TIMEOUT_SECONDS: '4' },
      });
      const second = await createTestBot({
        slack,
        tables,
        clock: skewed(-minutes),
        env: { CLAIM_TIMEOUT_SECONDS: '4' },
      });
      bots.push(first, second);
      await first.jobs.poll();
      const [lead] = await insertLeads(leadTableClient(tables), [leadColumns()]);
      // Slack takes the first process's post and the answer is lost; so is its own search for it.
      slack.hold('chat.postMessage');
      slack.fail('conversations.history', { status: 503 }, 1);
      expect(await first.jobs.poll()).toMatchObject({ failed: 1 });
      slack.release('chat.postMessage');
      // The other process takes the lead over and searches from the claim's time, minus the clock bound.
      await vi.waitFor(async () => expect(await second.jobs.poll()).toMatchObject({ recovered: 1 }), {
        timeout: 10_000,
        interval: 500,
      });
      expect(postedLeadKeys()).toEqual([lead?.rowKey]);
    },
    30_000,
  );

  it('keeps running when the table service is unreachable, says so in health, and resumes', async () => {
    const unreachable = inject('azureConnectionString').replace(/:\d+\//, ':1/');
    const down = await createTestBot({ slack, tables, env: { AZURE_TABLES_CONNECTION_STRING: unreachable } });
    bots.push(down);
    await down.start();
    await expect(down.jobs.poll()).rejects.toThrow();
    expect(down.health.report()).toMatchObject({
      status: 'degraded',
      lastPoll: { ok: false, error: expect.stringMatching(/ECONNREFUSED|fetch failed|connect/i) },
    });
    expect(JSON.stringify(down.health.report())).not.toContain('AccountKey');

    // The service is back (the same tables, a working connection): the lead written meanwhile is posted.
    const [lead] = await insertLeads(leadTableClient(tables), [leadColumns()]);
    const up = await startBot();
    await up.jobs.poll();
    expect(postedLeadKeys()).toEqual([lead?.rowKey]);
  });

  it('posts a lead whose e-mail and ProductId are too long for a table key (5,006 and 32,000 characters)', async () => {
    const bot = await startBot();
    await bot.jobs.poll();
    const [lead] = await insertLeads(leadTableClient(tables), [
      leadColumns({
        CustomerInfo: JSON.stringify({ ...JANE, Email: `${'a'.repeat(4_996)}@x.example` }),
        ProductId: 'p'.repeat(32_000),
      }),
    ]);
    expect(await bot.jobs.poll()).toMatchObject({ posted: 1, failed: 0 });
    expect(postedLeadKeys()).toEqual([lead?.rowKey]);
  });

  it('reads only its window’s date partitions; the sweep posts a lead outside them and falls back to scanning', async () => {
    const bot = await startBot();
    await bot.jobs.poll(); // the first start
    const leads = leadTableClient(tables);
    const [usual] = await insertLeads(leads, [leadColumns()]);
    // A lead whose PartitionKey is not its date (Microsoft changed the format): no partition poll sees it.
    const drifted = { partitionKey: '2026-W48', rowKey: 'drifted-1' };
    await leads.createEntity({
      ...drifted,
      ...leadColumns({ CustomerInfo: JSON.stringify({ ...JANE, Email: 'w48@x.example' }) }),
    });
    expect(await bot.jobs.poll()).toMatchObject({ readBy: 'partitions', read: 1, posted: 1 });
    expect(postedLeadKeys()).toEqual([usual?.rowKey]);

    expect(await bot.jobs.sweep()).toMatchObject({ read: 2, drifted: 1, posted: 1 });
    expect(postedLeadKeys()).toEqual([usual?.rowKey, drifted.rowKey]);
    expect(bot.health.report()).toMatchObject({ partitionFormatDrift: true });
    const told = () =>
      slack.messages.filter((m) => m.text.includes('PartitionKey format seems to have changed'));
    expect(told()).toHaveLength(1);
    // From now on every poll scans the table, so nothing depends on the date format.
    expect(await bot.jobs.poll()).toMatchObject({ readBy: 'scan', posted: 0 });
    await bot.jobs.sweep();
    expect(told()).toHaveLength(1);
  });

  it('carries on when Microsoft’s table is deleted and created again', async () => {
    const leads = leadTableClient(tables);
    const bot = await startBot();
    const [before] = await insertLeads(leads, [leadColumns()]);
    expect(await bot.jobs.poll()).toMatchObject({ posted: 1 });
    await leads.deleteTable();
    expect(await bot.jobs.poll()).toMatchObject({ tableFound: false });
    const [after] = await insertLeads(leads, [
      leadColumns({ CustomerInfo: JSON.stringify({ Email: 'after@x.example' }) }),
    ]);
    expect(await bot.jobs.poll()).toMatchObject({ tableFound: true, posted: 1 });
    expect(postedLeadKeys()).toEqual([before?.rowKey, after?.rowKey]);
  });
});
