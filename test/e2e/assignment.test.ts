import { addMinutes } from 'date-fns/addMinutes';
import { afterEach, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import type { Bot } from '../../src/bot.ts';
import { LEAD_ACTIONS } from '../../src/slack/blocks/actions.ts';
import { createAzureConversationStore } from '../../src/stores/azure/azure-conversation-store.ts';
import { createAzureOwnershipLog } from '../../src/stores/azure/azure-ownership-log.ts';
import { createAzureRulesStore } from '../../src/stores/azure/azure-rules-store.ts';
import { createAzureSettingsStore } from '../../src/stores/azure/azure-settings-store.ts';
import { createTableClient } from '../../src/stores/azure/tables.ts';
import { insertLeads, JANE, leadColumns } from '../fixtures/lead-rows.ts';
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

// Assignment when nobody acts: accept-or-pass, leads nobody can take, unclaimed leads announced
// again, and deactivated owners. The bot's clock is the test's; the due work runs in the reminder job.

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
    env: { MANAGERS_CHANNEL: MANAGERS, ADMIN_USER_IDS: ADMIN },
  });
  port = (await bot.start()).port;
});

afterEach(async () => {
  await bot.stop();
  await slack.close();
});

const client = (name: string) =>
  createTableClient(inject('azureConnectionString'), `${tables.statePrefix}${name}`);
const rules = () => createAzureRulesStore(client('Rules'));
const conversations = () => createAzureConversationStore(client('Conversations'));
const texts = (channel: string) =>
  slack
    .callsTo('chat.postMessage')
    .filter((call) => call.args.channel === channel)
    .map((call) => String(call.args.text));
const threadNotes = () =>
  slack.messages.filter((m) => m.thread_ts !== undefined && m.metadata === undefined).map((m) => m.text);

/** Posts one lead of a new customer; returns its conversation id. */
async function postLead(name = 'jane'): Promise<string> {
  await insertLeads(leadTableClient(tables), [
    leadColumns({ CustomerInfo: JSON.stringify({ ...JANE, Email: `${name}@x.example` }) }),
  ]);
  await bot.jobs.poll();
  const message = slack.messages.filter((m) => m.metadata !== undefined && m.thread_ts === undefined).at(-1);
  const controls = (
    (message?.blocks ?? []) as Array<{ type: string; elements?: Array<{ value?: string }> }>
  ).find((block) => block.type === 'actions');
  const value = controls?.elements?.find((element) => element.value)?.value ?? '{}';
  return JSON.parse(value).c as string;
}

const ownerOf = async (id: string) => (await conversations().getById(id))?.owner ?? null;

/** Runs `/leads …` as the admin; returns the private answer's text and blocks, zero-width spaces removed. */
async function leads(text: string): Promise<string> {
  const before = slack.callsTo('response_url').length;
  const response = await postToSlackEndpoint(
    port,
    slashCommandBody({ text, userId: ADMIN, responseUrl: slack.responseUrl }),
    { secret: SIGNING_SECRET },
  );
  expect(response.status).toBe(200);
  const body = await response.text();
  const answer = body
    ? (JSON.parse(body) as Record<string, unknown>)
    : await vi.waitFor(() => {
        const call = slack.callsTo('response_url')[before];
        if (call === undefined) throw new Error('no answer yet');
        return call.args;
      });
  return `${answer.text}\n${JSON.stringify(answer.blocks ?? [])}`.replaceAll('\u200B', '');
}

function click(userId: string, actionId: string, value: string) {
  return postToSlackEndpoint(
    port,
    blockActionsBody({ userId, actionId, responseUrl: slack.responseUrl, blockId: 'b', value }),
    { secret: SIGNING_SECRET },
  );
}

describe('accept or pass', () => {
  beforeEach(async () => {
    await rules().setRotation(LEADS_CHANNEL, ['U0ANNA', 'U0BEN', 'U0CARL']);
    await rules().setAcceptance(LEADS_CHANNEL, { minutes: 15, maxHops: 1 });
  });

  it('passes a lead its assignee did not accept to the next rep, then back to the channel, and tells the managers once', async () => {
    const start = now;
    const id = await postLead();
    expect(await ownerOf(id)).toMatchObject({ userId: 'U0ANNA', accepted: false });
    expect(texts('U0ANNA')[0]).toMatch(/Press \*Accept\* \(or log a follow-up\) within 15 minutes/);

    now = addMinutes(start, 14);
    expect(await bot.jobs.reminders()).toMatchObject({ due: 0 });
    now = addMinutes(start, 15);
    expect(await bot.jobs.reminders()).toMatchObject({ due: 1, passed: 1 });
    expect(await ownerOf(id)).toMatchObject({ userId: 'U0BEN', accepted: false });
    expect(threadNotes()).toContain(
      '⏭️ <@U0ANNA> did not accept it within 15 minutes: the rotation passed it on to <@U0BEN>. Press *Accept* (or log a follow-up) within 15 minutes, or it goes to the next rep.',
    );
    expect(texts('U0BEN')).toHaveLength(1);

    // One hop allowed: Ben does not accept either, so the lead goes back to the channel.
    now = addMinutes(start, 30);
    expect(await bot.jobs.reminders()).toMatchObject({ due: 1, escalated: 1 });
    expect(await ownerOf(id)).toBeNull();
    expect(texts(MANAGERS)).toEqual([
      expect.stringMatching(
        /^🚨 \*Jane Doe · Fabrikam\* \(Test Drive started\), arrived .*: 2 reps in turn, last <@U0BEN>, did not accept it within 15 minutes, so it is back in its channel, unclaimed\./,
      ),
    ]);
    now = addMinutes(start, 60);
    await bot.jobs.reminders();
    expect(texts(MANAGERS)).toHaveLength(1);
    expect(texts('U0CARL')).toEqual([]);
    const history = await createAzureOwnershipLog(client('Ownership')).list(id);
    expect(history.map((event) => [event.kind, event.from, event.to])).toEqual([
      ['assign', null, 'U0ANNA'],
      ['pass', 'U0ANNA', 'U0BEN'],
      ['pass', 'U0BEN', null],
    ]);
    // The fairness figures count each assignment and pass.
    const stats = await leads('stats 7d');
    expect(stats).toContain('*Rotation fairness*');
    expect(stats).toContain('<@U0ANNA>: 1 assigned, 0 accepted, 1 passed on, 0 skipped');
    expect(stats).toContain('<@U0BEN>: 1 assigned, 0 accepted, 1 passed on, 0 skipped');
  });

  it('keeps the lead with an assignee who pressed Accept, or who logged a follow-up', async () => {
    const start = now;
    const accepted = await postLead('a');
    const followedUp = await postLead('b');
    expect(await ownerOf(followedUp)).toMatchObject({ userId: 'U0BEN', accepted: false });
    await click('U0ANNA', LEAD_ACTIONS.accept, JSON.stringify({ v: 1, c: accepted }));
    await vi.waitFor(async () => expect(await ownerOf(accepted)).toMatchObject({ accepted: true }));
    await conversations().recordFollowUp(followedUp, {
      by: 'U0BEN',
      at: now,
      kind: 'call',
      note: null,
      nextStepOn: null,
    });
    // Someone else's Accept changes nothing.
    await click('U0CARL', LEAD_ACTIONS.accept, JSON.stringify({ v: 1, c: accepted }));
    await vi.waitFor(() =>
      expect(slack.callsTo('response_url').map((call) => call.args.text)).toContain(
        'This lead is with <@U0ANNA> now, so only they can accept it.',
      ),
    );

    now = addMinutes(start, 20);
    expect(await bot.jobs.reminders()).toMatchObject({ due: 2, dropped: 2, passed: 0 });
    expect(await ownerOf(accepted)).toMatchObject({ userId: 'U0ANNA', accepted: true });
    expect(await ownerOf(followedUp)).toMatchObject({ userId: 'U0BEN', accepted: true });
    expect(threadNotes()).toContain('👍 <@U0ANNA> accepted this lead.');
  });
});

describe('several processes', () => {
  it('pass each unaccepted lead on once, however many run the due work at the same moment', async () => {
    await rules().setRotation(LEADS_CHANNEL, ['U0ANNA', 'U0BEN', 'U0CARL']);
    await rules().setAcceptance(LEADS_CHANNEL, { minutes: 15, maxHops: 2 });
    const start = now;
    await insertLeads(
      leadTableClient(tables),
      Array.from({ length: 12 }, (_, index) =>
        leadColumns({ CustomerInfo: JSON.stringify({ ...JANE, Email: `c${index}@x.example` }) }),
      ),
    );
    await bot.jobs.poll();
    const others = await Promise.all(
      [1, 2].map(() =>
        createTestBot({ slack, tables, clock: () => now, env: { MANAGERS_CHANNEL: MANAGERS } }),
      ),
    );
    try {
      now = addMinutes(start, 15);
      const runs = await Promise.all([bot, ...others].map((process) => process.jobs.reminders()));
      expect(runs.reduce((sum, run) => sum + run.passed, 0)).toBe(12);
      const log = createAzureOwnershipLog(client('Ownership'));
      const passes = (await log.listSince(start)).filter((event) => event.kind === 'pass');
      expect(passes).toHaveLength(12);
      expect(new Set(passes.map((event) => event.conversationId)).size).toBe(12);
      // Each went to a rep who had not had it, and the thread says so once.
      expect(passes.every((event) => event.to !== null && event.to !== event.from)).toBe(true);
      expect(threadNotes().filter((note) => note.startsWith('⏭️'))).toHaveLength(12);
    } finally {
      await Promise.all(others.map((other) => other.stop()));
    }
  });
});

describe('a lead nobody can take', () => {
  it('waits in its channel when everyone is away or full, and the managers are told why', async () => {
    await rules().setRotation(LEADS_CHANNEL, ['U0ANNA', 'U0BEN']);
    await rules().updateMember(LEADS_CHANNEL, 'U0BEN', (member) => ({ ...member, cap: 1 }));
    slack.setUser('U0ANNA', { statusEmoji: ':palm_tree:', statusText: '' });
    const first = await postLead('a');
    expect(await ownerOf(first)).toMatchObject({ userId: 'U0BEN' });
    const second = await postLead('b');
    expect(await ownerOf(second)).toBeNull();
    expect(texts(MANAGERS)).toEqual([
      expect.stringMatching(
        /nobody in its rotation can take it \(<@U0ANNA> \(Slack status [^)]+\), <@U0BEN> \(at their cap \(1 open of 1\)\)\), so it waits in its channel to be claimed\./,
      ),
    ]);
  });
});

describe('unclaimed leads', () => {
  it('are announced again after the set time and escalated at twice it, unless claimed', async () => {
    await createAzureSettingsStore(client('Settings')).update((current) => ({
      ...current,
      unclaimedMinutes: 30,
    }));
    const start = now;
    const waiting = await postLead('a');
    const claimed = await postLead('b');
    await conversations().setOwner(claimed, null, 'U0ANNA', now, true);

    now = addMinutes(start, 30);
    expect(await bot.jobs.reminders()).toMatchObject({ due: 2, reminded: 1, dropped: 1 });
    const again = slack
      .callsTo('chat.postMessage')
      .filter((call) => String(call.args.text).startsWith('🙋 Still unclaimed'));
    expect(again.map((call) => call.args.channel)).toEqual([LEADS_CHANNEL]);
    expect(String(again[0]?.args.text)).toMatch(
      /^🙋 Still unclaimed after 30 minutes: \*Jane Doe · Fabrikam\*/,
    );
    expect(JSON.stringify(again[0]?.args.blocks)).toContain(waiting);

    now = addMinutes(start, 60);
    expect(await bot.jobs.reminders()).toMatchObject({ due: 2, escalated: 1, dropped: 1 });
    expect(texts(MANAGERS)).toEqual([expect.stringMatching(/nobody has claimed it for 1 hour\./)]);
  });
});

describe('deactivated owners', () => {
  it('moves their open leads to the next rep of the rotation, or back to the channel with the managers told', async () => {
    await rules().setRotation(LEADS_CHANNEL, ['U0ANNA', 'U0BEN']);
    const toBen = await postLead('a'); // assigned to Anna
    await rules().setRotation(LEADS_CHANNEL, []);
    const alone = await postLead('b');
    await conversations().setOwner(alone, null, 'U0ANNA', now, true);
    await rules().setRotation(LEADS_CHANNEL, ['U0ANNA', 'U0BEN']);
    await rules().setRotation('COTHER', []);
    expect(await bot.jobs.roster()).toMatchObject({ deactivatedReps: 0, passed: 0 });

    slack.setUser('U0ANNA', { deleted: true });
    slack.setUser('U0BEN', { statusEmoji: '', statusText: '' });
    const summary = await bot.jobs.roster();
    expect(summary).toMatchObject({ deactivatedReps: 1 });
    expect(await ownerOf(toBen)).toMatchObject({ userId: 'U0BEN' });
    expect(threadNotes()).toContain(
      "⏭️ <@U0ANNA>'s Slack account was deactivated: the rotation passed it on to <@U0BEN>. Skipped: <@U0ANNA> (passed this lead on already).",
    );
    // The second lead also went to Ben: the rotation has him available.
    expect(await ownerOf(alone)).toMatchObject({ userId: 'U0BEN' });
    expect(summary).toMatchObject({ passed: 2, unassigned: 0 });
    expect(await bot.jobs.roster()).toMatchObject({ passed: 0 });
  });

  it('puts their leads back in the channel when the rotation has nobody else, and tells the managers once', async () => {
    const id = await postLead();
    await conversations().setOwner(id, null, 'U0ANNA', now, true);
    slack.setUser('U0ANNA', { deleted: true });
    expect(await bot.jobs.roster()).toMatchObject({ deactivatedReps: 1, unassigned: 1 });
    expect(await ownerOf(id)).toBeNull();
    expect(texts(MANAGERS)).toEqual([
      expect.stringMatching(
        /its owner <@U0ANNA> was deactivated in Slack and nobody in the rotation can take it/,
      ),
    ]);
    expect(await bot.jobs.roster()).toMatchObject({ deactivatedReps: 0 });
    expect(texts(MANAGERS)).toHaveLength(1);
  });
});

describe('the admin commands', () => {
  it('set weights, caps, the time to accept and the unclaimed announcement, each explained and checked', async () => {
    await rules().setRotation(LEADS_CHANNEL, ['U0ANNA', 'U0BEN']);
    expect(await leads(`rotation weight <#${LEADS_CHANNEL}> <@U0ANNA> 2`)).toContain(
      '<@U0ANNA> in <#CLEADS0001>: weight 1 ⟶ weight 2 (they get 2 turn(s) per round).',
    );
    expect(await leads(`rotation cap <#${LEADS_CHANNEL}> <@U0BEN> 1`)).toContain(
      '<@U0BEN> in <#CLEADS0001>: no cap ⟶ cap 1 (skipped while they own 1 or more open leads).',
    );
    expect(await leads(`rotation cap <#${LEADS_CHANNEL}> <@U0CARL> 1`)).toContain(
      '<@U0CARL> is not in the rotation of <#CLEADS0001>.',
    );
    expect(await leads(`rotation weight <#${LEADS_CHANNEL}> <@U0ANNA> 20`)).toContain(
      'The weight must be a whole number from 1 to 10',
    );
    expect(await leads(`rotation accept <#${LEADS_CHANNEL}> 15m hops 1`)).toContain(
      'no acceptance ⟶ accept within 15m, 1 hop(s)',
    );
    expect(await leads('rotation accept <#C0NOROTA> 15m')).toContain('<#C0NOROTA> has no rotation');
    expect(await leads('unclaimed 30m')).toContain('Claim SLA: off ⟶ 30m');
    expect(await rules().rotation(LEADS_CHANNEL)).toMatchObject({
      members: [
        { userId: 'U0ANNA', weight: 2 },
        { userId: 'U0BEN', cap: 1 },
      ],
      acceptance: { minutes: 15, maxHops: 1 },
    });
    // The export carries them, in the format the import reads.
    const exported = await leads('rules export');
    expect(exported).toMatch(/"user": "U0ANNA",\s*"weight": 2/);
    expect(exported).toMatch(/"user": "U0BEN",\s*"cap": 1/);
    expect(exported).toMatch(/"acceptance": \{\s*"CLEADS0001": \{\s*"minutes": 15,\s*"hops": 1/);

    // The dry run names a rep at their cap.
    const id = await postLead();
    await conversations().setOwner(id, 'U0ANNA', 'U0BEN', now, true);
    const test = await leads('route test offer=contoso.x');
    expect(test).toContain('Next in its rotation: <@U0ANNA>');
    await leads(`rotation weight <#${LEADS_CHANNEL}> <@U0ANNA> 1`);
    await rules().setPaused('U0ANNA', true);
    expect(await leads('route test offer=contoso.x')).toContain(
      'Nobody in its rotation is available (<@U0BEN> (at their cap (1 open of 1)), <@U0ANNA> (paused))',
    );
  });
});

describe('App Home refreshes', () => {
  it('never hold up the posts, and many assignments to one rep are one or two publishes', async () => {
    await rules().setRotation(LEADS_CHANNEL, ['U0SOLO']);
    await bot.jobs.poll(); // the first start
    await insertLeads(
      leadTableClient(tables),
      Array.from({ length: 12 }, (_, i) =>
        leadColumns({ CustomerInfo: JSON.stringify({ ...JANE, Email: `home-${i}@x.example` }) }),
      ),
    );
    // Slack takes App Home publishes but never answers them (each waits out the client's timeout).
    slack.hold('views.publish');
    expect(await bot.jobs.poll()).toMatchObject({ posted: 12 });
    expect(slack.callsTo('views.publish').length).toBeLessThanOrEqual(1);
    slack.release('views.publish');
    await vi.waitFor(() => expect(slack.callsTo('views.publish').length).toBeGreaterThanOrEqual(1));
    await bot.stop(); // waits for the refreshes in progress
    const publishes = slack.callsTo('views.publish').filter((call) => call.args.user_id === 'U0SOLO');
    expect(publishes.length).toBeGreaterThanOrEqual(1);
    expect(publishes.length).toBeLessThanOrEqual(2);
    bot = await createTestBot({ slack, tables, clock: () => now }); // for afterEach
  });
});
