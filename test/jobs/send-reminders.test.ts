import { addMinutes } from 'date-fns/addMinutes';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import type { Bot } from '../../src/bot.ts';
import { createAzureConversationStore } from '../../src/stores/azure/azure-conversation-store.ts';
import { createTableClient } from '../../src/stores/azure/tables.ts';
import { insertLeads, JANE, leadColumns } from '../fixtures/lead-rows.ts';
import { createFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import {
  createTestBot,
  LEADS_CHANNEL,
  leadTableClient,
  type TestTables,
  uniqueTables,
} from '../support/test-bot.ts';

const MANAGERS = 'C0MANAGERS';
const DAY = 24 * 60;
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

async function startBot(env: Record<string, string> = {}) {
  const bot = await createTestBot({
    slack,
    tables,
    clock: () => now,
    env: { MANAGERS_CHANNEL: MANAGERS, ...env },
  });
  bots.push(bot);
  return bot;
}

const conversations = () =>
  createAzureConversationStore(
    createTableClient(inject('azureConnectionString'), `${tables.statePrefix}Conversations`),
  );
const dmsTo = (user: string) =>
  slack.callsTo('chat.postMessage').filter((call) => call.args.channel === user);
const postsIn = (channel: string) =>
  slack.callsTo('chat.postMessage').filter((call) => call.args.channel === channel);

/** Posts one lead and returns its conversation id (from the Claim button) and arrival time. */
async function postLead(bot: Bot, columns = leadColumns()) {
  await insertLeads(leadTableClient(tables), [columns]);
  await bot.jobs.poll();
  const message = slack.messages.filter((m) => m.metadata !== undefined).at(-1);
  const actions = (
    (message?.blocks ?? []) as Array<{ type: string; elements?: Array<{ value?: string }> }>
  ).find((b) => b.type === 'actions');
  const conversationId = JSON.parse(actions?.elements?.[0]?.value ?? '{}').c as string;
  const conversation = await conversations().getById(conversationId);
  return { conversationId, arrivedAt: conversation?.sla?.startedAt ?? new Date(0) };
}

describe('sendReminders', () => {
  it('reminds the owner once at the SLA, with a link and the buttons, and notes it in the thread', async () => {
    const bot = await startBot();
    const { conversationId, arrivedAt } = await postLead(bot);
    await conversations().setOwner(conversationId, null, 'U0OWNER', now, true);

    now = addMinutes(arrivedAt, DAY - 1);
    expect(await bot.jobs.reminders()).toMatchObject({ due: 0, reminded: 0 });

    now = addMinutes(arrivedAt, DAY);
    expect(await bot.jobs.reminders()).toMatchObject({ due: 1, reminded: 1 });
    const [dm] = dmsTo('U0OWNER');
    expect(dm?.args.text).toMatch(
      /^⏰ Follow-up due: \*Jane Doe · Fabrikam\* \(Test Drive started\) arrived <!date\^\d+\^.*\|Open the lead>$/,
    );
    expect(
      (
        (dm?.args.blocks ?? []) as Array<{ type: string; elements?: Array<{ action_id: string }> }>
      )[1]?.elements?.map((e) => e.action_id),
    ).toEqual(['lead_log_follow_up', 'lead_snooze_1h', 'lead_snooze_4h', 'lead_snooze_tomorrow']);
    expect(
      slack.messages.some(
        (m) =>
          m.thread_ts &&
          m.text === '⏰ The follow-up SLA has passed with no follow-up logged. <@U0OWNER> was reminded.',
      ),
    ).toBe(true);

    now = addMinutes(now, 5);
    expect(await bot.jobs.reminders()).toMatchObject({ due: 0, reminded: 0 });
    expect(dmsTo('U0OWNER')).toHaveLength(1);
  });

  it('sends each reminder once when two processes run at the same moment', async () => {
    const one = await startBot();
    const two = await startBot();
    const { conversationId, arrivedAt } = await postLead(one);
    await conversations().setOwner(conversationId, null, 'U0OWNER', now, true);
    now = addMinutes(arrivedAt, DAY + 1);
    const [a, b] = await Promise.all([one.jobs.reminders(), two.jobs.reminders()]);
    expect(a.reminded + b.reminded).toBe(1);
    expect(dmsTo('U0OWNER')).toHaveLength(1);
  });

  const threadNotes = () =>
    slack.messages.filter(
      (m) => m.thread_ts !== undefined && m.text.startsWith('⏰ The follow-up SLA has passed'),
    );
  const ownerDms = () => slack.messages.filter((m) => m.channel === 'DU0OWNER');

  it('sends the DM once when the thread note fails after it: the retry sends only the note', async () => {
    const bot = await startBot({ CLAIM_TIMEOUT_SECONDS: '60' });
    const { conversationId, arrivedAt } = await postLead(bot);
    await conversations().setOwner(conversationId, null, 'U0OWNER', now, true);
    now = addMinutes(arrivedAt, DAY);
    slack.fail('chat.postMessage', { error: 'fatal_error' }, 1, LEADS_CHANNEL); // the note, after the DM went out
    expect(await bot.jobs.reminders()).toMatchObject({ reminded: 0, failed: 1 });
    expect(ownerDms()).toHaveLength(1);
    now = addMinutes(now, 2); // the claim timed out: the item is tried again
    expect(await bot.jobs.reminders()).toMatchObject({ reminded: 1, failed: 0 });
    expect(ownerDms()).toHaveLength(1);
    expect(threadNotes()).toHaveLength(1);
  });

  it('sends the DM once when Slack stored it but its answer was lost: found by its delivery key', async () => {
    slack.useClock(() => now); // Slack's clock agrees with the bot's, which the test moves
    const bot = await startBot({ CLAIM_TIMEOUT_SECONDS: '60' });
    const { conversationId, arrivedAt } = await postLead(bot);
    await conversations().setOwner(conversationId, null, 'U0OWNER', now, true);
    now = addMinutes(arrivedAt, DAY);
    slack.loseAnswer('chat.postMessage', 'drop');
    expect(await bot.jobs.reminders()).toMatchObject({ reminded: 0, failed: 1 });
    expect(ownerDms()).toHaveLength(1); // Slack has it
    now = addMinutes(now, 2);
    expect(await bot.jobs.reminders()).toMatchObject({ reminded: 1, failed: 0 });
    expect(ownerDms()).toHaveLength(1);
    expect(threadNotes()).toHaveLength(1);
  });

  it('reminds the channel about an active lead nobody owns', async () => {
    const bot = await startBot();
    const { arrivedAt } = await postLead(bot);
    now = addMinutes(arrivedAt, DAY + 1);
    expect(await bot.jobs.reminders()).toMatchObject({ reminded: 1 });
    expect(
      postsIn(LEADS_CHANNEL).some((call) => String(call.args.text).includes('nobody owns it. Claim it now.')),
    ).toBe(true);
  });

  it('delivers a reminder whatever the lead says: a 31,800-character company is cut, not refused', async () => {
    const bot = await startBot();
    const { conversationId, arrivedAt } = await postLead(
      bot,
      leadColumns({ CustomerInfo: JSON.stringify({ ...JANE, Company: '<'.repeat(31_800) }) }),
    );
    await conversations().setOwner(conversationId, null, 'U0OWNER', now, true);
    now = addMinutes(arrivedAt, DAY);
    expect(await bot.jobs.reminders()).toMatchObject({ due: 1, reminded: 1, failed: 0 });
    const [dm] = dmsTo('U0OWNER');
    const section = ((dm?.args.blocks ?? []) as Array<{ text?: { text: string } }>)[0]?.text?.text ?? '';
    expect(section.length).toBeLessThanOrEqual(3000);
    expect(section).toMatch(/^⏰ Follow-up due: \*Jane Doe · (&lt;)+… \(truncated\)$/);
  });

  it('escalates to the managers at twice the SLA, naming the owner', async () => {
    const bot = await startBot();
    const { conversationId, arrivedAt } = await postLead(bot);
    await conversations().setOwner(conversationId, null, 'U0OWNER', now, true);
    now = addMinutes(arrivedAt, 2 * DAY);
    expect(await bot.jobs.reminders()).toMatchObject({ due: 2, reminded: 1, escalated: 1 });
    const [escalation] = postsIn(MANAGERS);
    expect(escalation?.args.text).toMatch(
      /^🚨 No follow-up on \*Jane Doe · Fabrikam\* \(Test Drive started\) since it arrived .*twice the SLA\. Owner: <@U0OWNER>\./,
    );
  });

  it('sends nothing once a follow-up is logged', async () => {
    const bot = await startBot();
    const { conversationId, arrivedAt } = await postLead(bot);
    await conversations().setOwner(conversationId, null, 'U0OWNER', now, true);
    await conversations().recordFollowUp(conversationId, {
      by: 'U0OWNER',
      at: addMinutes(arrivedAt, 60),
      kind: 'call',
      note: null,
      nextStepOn: null,
    });
    now = addMinutes(arrivedAt, 3 * DAY);
    expect(await bot.jobs.reminders()).toMatchObject({ due: 2, reminded: 0, escalated: 0, dropped: 2 });
    expect(dmsTo('U0OWNER')).toHaveLength(0);
    expect(postsIn(MANAGERS)).toHaveLength(0);
  });

  it.each([
    ['Contact me', leadColumns({ LeadSource: 'SPZA-PLT|x', ActionCode: 'PLT' })],
    ['Get it now', leadColumns({ LeadSource: 'AzureMarketplace-INS|x', ActionCode: 'INS' })],
  ])('chases a %s lead by default, as Microsoft asks of every lead', async (_, columns) => {
    const bot = await startBot();
    await insertLeads(leadTableClient(tables), [columns]);
    await bot.jobs.poll();
    now = addMinutes(now, DAY + 1);
    expect(await bot.jobs.reminders()).toMatchObject({ due: 1, reminded: 1 });
  });

  it('never chases a Contact me lead when ACTIVE_ACTIONS leaves it out', async () => {
    const bot = await startBot({ ACTIVE_ACTIONS: 'Create,StartTestDrive' });
    await insertLeads(leadTableClient(tables), [
      leadColumns({ LeadSource: 'SPZA-PLT|x', ActionCode: 'PLT' }),
    ]);
    await bot.jobs.poll();
    now = addMinutes(now, 10 * DAY);
    expect(await bot.jobs.reminders()).toMatchObject({ due: 0 });
  });

  it.each([
    ['a do-not-contact notice', leadColumns({ LeadSource: 'SPZA-DNC|x', ActionCode: 'DNC' })],
    ['a test lead', leadColumns({ Description: 'MSFT_TEST_1' })],
  ])('never chases %s', async (_, columns) => {
    const bot = await startBot();
    await insertLeads(leadTableClient(tables), [columns]);
    await bot.jobs.poll();
    now = addMinutes(now, 10 * DAY);
    expect(await bot.jobs.reminders()).toMatchObject({ due: 0 });
  });

  it('follows the active actions and per-action SLA it is configured with', async () => {
    const bot = await startBot({ ACTIVE_ACTIONS: 'PLT', SLA_BY_ACTION: 'PLT=30m' });
    const { arrivedAt } = await postLead(bot, leadColumns({ LeadSource: 'SPZA-PLT|x', ActionCode: 'PLT' }));
    now = addMinutes(arrivedAt, 30);
    expect(await bot.jobs.reminders()).toMatchObject({ due: 1, reminded: 1 });
  });

  it('does not remind at night with business hours: the reminder waits for the morning', async () => {
    const bot = await startBot({ BUSINESS_HOURS: 'Mon-Sun 00:00-00:01 UTC', SLA: '1m' });
    await postLead(bot);
    // One working minute a day (00:00-00:01 UTC): the deadlines fall inside it; a run at noon is outside.
    now = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 2, 12));
    const night = await bot.jobs.reminders();
    expect(night).toMatchObject({ due: 2, reminded: 0, escalated: 0, deferred: 2 });
    now = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1, 0, 0, 30));
    expect(await bot.jobs.reminders()).toMatchObject({ reminded: 1 });
  });
});
