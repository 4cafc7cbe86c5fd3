import type { ChildProcess } from 'node:child_process';
import { subMinutes } from 'date-fns/subMinutes';
import { afterEach, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { DELIVERY_EVENT_TYPE, LEAD_EVENT_TYPE } from '../../src/slack/slack-adapter.ts';
import { createAzureConversationStore } from '../../src/stores/azure/azure-conversation-store.ts';
import { createAzureDueStore } from '../../src/stores/azure/azure-due-store.ts';
import { createAzureLeadRecordStore } from '../../src/stores/azure/azure-lead-record-store.ts';
import { createAzureLeaseStore } from '../../src/stores/azure/azure-lease-store.ts';
import { createTableClient } from '../../src/stores/azure/tables.ts';
import { insertLeads, insertLeadsInBulk, JANE, leadColumns } from '../fixtures/lead-rows.ts';
import { type BotProcess, startBotProcess } from '../support/bot-process.ts';
import { createFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import { leadTableClient, processEnv, type TestTables, uniqueTables } from '../support/test-bot.ts';

// Real bot processes (`node src/main.ts`, as `npm start` runs it) against the test
// Azurite and the Slack stand-in: the only way to prove what several processes and a kill do.

let slack: FakeSlack;
let tables: TestTables;
const processes: ChildProcess[] = [];

beforeEach(async () => {
  slack = await createFakeSlack();
  tables = uniqueTables();
});

afterEach(async () => {
  for (const child of processes.splice(0)) child.kill('SIGKILL');
  await slack.close();
});

/**
 * A bot process as `node src/main.ts`, or through `npm start` when `viaNpm`; with
 * `clockOffset` (e.g. `+4m`), under Debian's `faketime`, so its host clock is that far off.
 */
function startProcess(
  env: Record<string, string> = {},
  { viaNpm = false, clockOffset }: { viaNpm?: boolean; clockOffset?: string } = {},
): BotProcess {
  const bot = startBotProcess(
    {
      ...processEnv(slack, tables),
      PORT: '0',
      POLL_SCHEDULE: '* * * * * *',
      REMINDER_SCHEDULE: '* * * * * *',
      LEASE_SECONDS: '3',
      CLAIM_TIMEOUT_SECONDS: '2',
      SLACK_TIMEOUT_SECONDS: '1',
      SLACK_POST_INTERVAL_MS: '0',
      LOG_LEVEL: 'info',
      ACTIVE_ACTIONS: 'Create,StartTestDrive',
      // faketime shifts the wall clock only; timers keep real time.
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
      ...env,
    },
    {
      command: [
        ...(clockOffset ? ['faketime', '-f', clockOffset] : []),
        ...(viaNpm ? ['npm', 'start', '--silent'] : [process.execPath, 'src/main.ts']),
      ],
    },
  );
  processes.push(bot.child);
  return bot;
}

const leadPosts = () => slack.messages.filter((m) => m.metadata?.event_type === LEAD_EVENT_TYPE);
const postsPerLead = () => {
  const counts = new Map<string, number>();
  for (const post of leadPosts()) {
    const key = String(post.metadata?.event_payload.lead_rk);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
};

async function leaderOf(bots: readonly BotProcess[]): Promise<BotProcess> {
  let leader: BotProcess | undefined;
  await vi.waitFor(
    async () => {
      for (const bot of bots) {
        const health = (await (await fetch(await bot.ready)).json()) as { leader: boolean | null };
        if (health.leader) leader = bot;
      }
      expect(leader).toBeDefined();
    },
    { timeout: 10_000, interval: 250 },
  );
  return leader as BotProcess;
}

/** Waits until the process has finished `count` more polls, as its /healthz reports them. */
async function pollsCompleted(bot: BotProcess, count: number): Promise<void> {
  const lastPollAt = async () =>
    ((await (await fetch(await bot.ready)).json()) as { lastPoll: { at: string } | null }).lastPoll?.at;
  const seen = new Set([await lastPollAt()]);
  await vi.waitFor(
    async () => {
      seen.add(await lastPollAt());
      expect(seen.size).toBeGreaterThan(count);
    },
    { timeout: 10_000, interval: 100 },
  );
}

// Contact me leads, which these processes do not chase (ACTIVE_ACTIONS below), so the only reminders are
// the ones a test schedules.
const customers = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) =>
    leadColumns({
      LeadSource: 'SPZA-PLT|x',
      ActionCode: 'PLT',
      CustomerInfo: JSON.stringify({ ...JANE, Email: `${prefix}${i}@x.example` }),
    }),
  );

describe('several bot processes over one storage account', () => {
  it('post every lead once, send every reminder once, and a standby takes over when the leader is killed', async () => {
    const keys = await insertLeads(leadTableClient(tables), customers('first', 10));
    const bots = [startProcess(), startProcess()];
    await Promise.all(bots.map((bot) => bot.ready));
    await vi.waitFor(() => expect(postsPerLead().size).toBe(10), { timeout: 20_000, interval: 200 });

    // A reminder that is due now, seen by both processes' reminder jobs every second.
    const conversations = createAzureConversationStore(
      createTableClient(inject('azureConnectionString'), `${tables.statePrefix}Conversations`),
    );
    const due = createAzureDueStore(
      createTableClient(inject('azureConnectionString'), `${tables.statePrefix}Due`),
    );
    const first = leadPosts()[0];
    const conversation = await conversations.findByMessage(first?.channel ?? '', first?.ts ?? '');
    const past = subMinutes(new Date(), 5);
    await conversations.setOwner(conversation?.id ?? '', null, 'U0OWNER', past, true);
    await conversations.startSla(conversation?.id ?? '', {
      action: 'Create',
      minutes: 24 * 60,
      startedAt: subMinutes(past, 60),
      remindAt: past,
      escalateAt: new Date(Date.now() + 3_600_000),
    });
    await due.schedule({ conversationId: conversation?.id ?? '', kind: 'remind', at: past });
    const dms = () => slack.callsTo('chat.postMessage').filter((call) => call.args.channel === 'U0OWNER');
    await vi.waitFor(() => expect(dms()).toHaveLength(1), { timeout: 10_000, interval: 200 });

    const leader = await leaderOf(bots);
    leader.child.kill('SIGKILL');
    const standby = bots.find((bot) => bot !== leader);
    const later = await insertLeads(leadTableClient(tables), customers('later', 5));
    // Within one lease period (3 s) plus a poll, the standby holds the lease and posts the new leads.
    await vi.waitFor(() => expect(postsPerLead().size).toBe(15), { timeout: 15_000, interval: 200 });
    expect(await leaderOf([standby as BotProcess])).toBe(standby);

    await pollsCompleted(standby as BotProcess, 2); // polls (and reminder runs) after the last post
    expect([...postsPerLead().values()].every((count) => count === 1)).toBe(true);
    expect([...postsPerLead().keys()].sort()).toEqual([...keys, ...later].map((key) => key.rowKey).sort());
    expect(dms()).toHaveLength(1);

    // SIGTERM: the standby finishes its jobs, gives the lease up at once, and exits cleanly.
    standby?.child.kill('SIGTERM');
    expect(await standby?.exited).toBe(0);
    const lease = createAzureLeaseStore(
      createTableClient(inject('azureConnectionString'), `${tables.statePrefix}Lease`),
    );
    expect(await lease.holder(new Date())).toBeNull();
  }, 60_000);

  it('recovers a lead posted just before the process was killed, without posting it again', async () => {
    const [key] = await insertLeads(leadTableClient(tables), customers('crash', 1));
    slack.hold('chat.postMessage'); // Slack takes the message; the process dies before hearing back
    const doomed = startProcess();
    await doomed.ready;
    await vi.waitFor(() => expect(leadPosts()).toHaveLength(1), { timeout: 15_000, interval: 100 });
    doomed.child.kill('SIGKILL');

    const records = createAzureLeadRecordStore(
      createTableClient(inject('azureConnectionString'), `${tables.statePrefix}Leads`),
    );
    const id = { partitionKey: key?.partitionKey ?? '', rowKey: key?.rowKey ?? '' };
    expect(await records.get(id)).toMatchObject({ status: 'posting', ts: null });

    slack.release('chat.postMessage'); // Slack answers again, for the next process
    const survivor = startProcess();
    await survivor.ready;
    // After the claim times out (2 s), the message is found by its metadata and recorded.
    await vi.waitFor(
      async () => expect(await records.get(id)).toMatchObject({ status: 'posted', ts: leadPosts()[0]?.ts }),
      {
        timeout: 20_000,
        interval: 250,
      },
    );
    expect(leadPosts()).toHaveLength(1);
    expect(slack.callsTo('conversations.history').length).toBeGreaterThan(0);
  }, 60_000);

  it('stops the bot gracefully on SIGTERM to `npm start`, as a process manager sends it', async () => {
    const bot = startProcess({}, { viaNpm: true });
    const health = await bot.ready;
    await leaderOf([bot]);
    bot.child.kill('SIGTERM'); // to npm itself
    expect(await bot.exited).toBe(0);
    // The bot behind npm stopped too (nothing answers), and gave the jobs lease up.
    await vi.waitFor(() => expect(fetch(health)).rejects.toThrow(), { timeout: 10_000, interval: 200 });
    const lease = createAzureLeaseStore(
      createTableClient(inject('azureConnectionString'), `${tables.statePrefix}Lease`),
    );
    expect(await lease.holder(new Date())).toBeNull();
  }, 60_000);

  it('sends every step of 60 reminders once while the process sending them is SIGKILLed again and again', async () => {
    const keys = await insertLeads(leadTableClient(tables), customers('remind', 60));
    const poster = startProcess();
    await poster.ready;
    await vi.waitFor(() => expect(postsPerLead().size).toBe(keys.length), { timeout: 30_000, interval: 200 });
    poster.child.kill('SIGTERM');
    await poster.exited;

    // Each lead owned by its own rep, its reminder due now: a DM to the owner and a note in the thread.
    const conversations = createAzureConversationStore(
      createTableClient(inject('azureConnectionString'), `${tables.statePrefix}Conversations`),
    );
    const due = createAzureDueStore(
      createTableClient(inject('azureConnectionString'), `${tables.statePrefix}Due`),
    );
    const past = subMinutes(new Date(), 5);
    for (const [index, post] of leadPosts().entries()) {
      const conversation = await conversations.findByMessage(post.channel, post.ts);
      const id = conversation?.id ?? '';
      await conversations.setOwner(id, null, `U0REP${String(index).padStart(4, '0')}`, past, true);
      await conversations.startSla(id, {
        action: 'Create',
        minutes: 24 * 60,
        startedAt: subMinutes(past, 60),
        remindAt: past,
        escalateAt: new Date(Date.now() + 3_600_000),
      });
      await due.schedule({ conversationId: id, kind: 'remind', at: past });
    }

    // Thread notes share the leads channel, paced at 100 ms: a run takes seconds, so kills land inside it.
    const env = { SLACK_POST_INTERVAL_MS: '100' };
    const alive = [startProcess(env), startProcess(env)];
    await Promise.all(alive.map((bot) => bot.ready));
    const deliveries = () => slack.messages.filter((m) => m.metadata?.event_type === DELIVERY_EVENT_TYPE);
    let kills = 0;
    while (deliveries().length < 2 * keys.length && kills < 12) {
      const leader = await leaderOf(alive);
      await new Promise((resolve) => setTimeout(resolve, 1_500)); // the fault's rhythm
      leader.child.kill('SIGKILL');
      kills += 1;
      alive.splice(alive.indexOf(leader), 1);
      const replacement = startProcess(env);
      alive.push(replacement);
      await replacement.ready;
    }
    expect(kills).toBeGreaterThan(1);
    await vi.waitFor(() => expect(deliveries()).toHaveLength(2 * keys.length), {
      timeout: 60_000,
      interval: 500,
    });
    await pollsCompleted(await leaderOf(alive), 2);

    const counts = new Map<string, number>();
    for (const message of deliveries()) {
      const delivery = String(message.metadata?.event_payload.delivery);
      counts.set(delivery, (counts.get(delivery) ?? 0) + 1);
    }
    expect([...counts.entries()].filter(([, count]) => count !== 1)).toEqual([]);
    expect([...counts.keys()].filter((d) => d.endsWith('|owner'))).toHaveLength(keys.length);
    expect([...counts.keys()].filter((d) => d.endsWith('|thread'))).toHaveLength(keys.length);
  }, 240_000);

  it('posts once each of 40 leads that arrive both as table rows and pushed to either of two processes', async () => {
    const token = 'fault-test-0123456789abcdef01234567';
    const bots = [startProcess({ INBOUND_LEADS_TOKEN: token }), startProcess({ INBOUND_LEADS_TOKEN: token })];
    const urls = await Promise.all(bots.map((bot) => bot.ready));
    const bodies = Array.from({ length: 40 }, (_, i) => ({
      UserDetails: {
        FirstName: 'Both',
        LastName: `Paths${i}`,
        Email: `both${i}@x.example`,
        Company: 'Contoso',
      },
      LeadSource: 'AzureMarketplace',
      ActionCode: 'INS',
      OfferTitle: 'Contoso Lead Insights',
      Description: '',
    }));
    // Microsoft's table row of each lead, with its ProductId, and the same lead pushed, at the same time.
    await Promise.all([
      insertLeads(
        leadTableClient(tables),
        bodies.map((body) =>
          leadColumns({
            LeadSource: 'AzureMarketplace-INS|contoso.lead-insights',
            ActionCode: 'INS',
            CustomerInfo: JSON.stringify(body.UserDetails),
            OfferDisplayName: 'Contoso Lead Insights',
            ProductId: 'contoso.lead-insights',
          }),
        ),
      ),
      ...bodies.map(async (body, i) => {
        const endpoint = (urls[i % 2] ?? '').replace('/healthz', `/leads/inbound/${token}`);
        const response = await fetch(endpoint, { method: 'POST', body: JSON.stringify(body) });
        expect(response.status).toBe(201);
      }),
    ]);

    await vi.waitFor(() => expect(leadPosts().length).toBeGreaterThanOrEqual(40), {
      timeout: 30_000,
      interval: 200,
    });
    await pollsCompleted(await leaderOf(bots), 2);
    const customersPosted = leadPosts().map((post) => post.text);
    expect(customersPosted).toHaveLength(40);
    expect(new Set(customersPosted).size).toBe(40);
  }, 120_000);

  it('posts every lead once with two processes whose clocks are 4 minutes behind and ahead', async () => {
    // One lane of 150 leads, paced at 50 ms a post: the first process is mid-way when the second starts.
    const keys = await insertLeads(leadTableClient(tables), customers('skew', 150));
    const env = { SLACK_POST_INTERVAL_MS: '50' };
    const behind = startProcess(env, { clockOffset: '-4m' });
    await behind.ready;
    await vi.waitFor(() => expect(postsPerLead().size).toBeGreaterThan(20), {
      timeout: 20_000,
      interval: 50,
    });
    const ahead = startProcess(env, { clockOffset: '+4m' });
    await ahead.ready;

    await vi.waitFor(() => expect(postsPerLead().size).toBe(keys.length), { timeout: 60_000, interval: 200 });
    await pollsCompleted(await leaderOf([behind, ahead]), 2);
    expect([...postsPerLead().entries()].filter(([, count]) => count !== 1)).toEqual([]);
    // The lease was honoured: the process that held it first (behind) kept it; the other waited.
    expect(await leaderOf([behind, ahead])).toBe(behind);
    // Each keeps the table service's time: its host clock is 240 s off, its bot's clock is not.
    const offsetOf = async (bot: BotProcess) =>
      ((await (await fetch(await bot.ready)).json()) as { clockOffsetSeconds: number }).clockOffsetSeconds;
    expect(Math.abs((await offsetOf(behind)) - 240)).toBeLessThan(2);
    expect(Math.abs((await offsetOf(ahead)) + 240)).toBeLessThan(2);
  }, 120_000);

  it('posts 1,000 leads once each while one of three processes is SIGKILLed every few seconds', async () => {
    // 900 customers, 100 of whom come back (a reply in their conversation's thread).
    const rows = Array.from({ length: 1_000 }, (_, i) =>
      leadColumns({
        LeadSource: 'SPZA-PLT|x',
        ActionCode: 'PLT',
        CustomerInfo: JSON.stringify({ ...JANE, Email: `kill${i % 900}@x.example` }),
      }),
    );
    const keys = (await insertLeadsInBulk(leadTableClient(tables), rows)).map((key) => key.rowKey);
    const alive = [startProcess(), startProcess(), startProcess()];
    await Promise.all(alive.map((bot) => bot.ready));
    let kills = 0;
    const deadline = Date.now() + 240_000;
    while (postsPerLead().size < rows.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 3_000)); // the fault's rhythm, not a wait for a result
      const victim = alive.splice(Math.floor(Math.random() * alive.length), 1)[0];
      victim?.child.kill('SIGKILL');
      kills += 1;
      const replacement = startProcess();
      alive.push(replacement);
      await replacement.ready;
    }
    expect(kills).toBeGreaterThan(0);
    // Every lead posted, none twice, whatever the kills interrupted.
    await vi.waitFor(() => expect(postsPerLead().size).toBe(rows.length), { timeout: 60_000, interval: 500 });
    expect([...postsPerLead().entries()].filter(([, count]) => count !== 1)).toEqual([]);
    expect([...postsPerLead().keys()].sort()).toEqual([...keys].sort());
    // Returning customers are replies in their conversation's thread.
    expect(leadPosts().filter((post) => post.thread_ts !== undefined)).toHaveLength(100);
  }, 360_000);
});
