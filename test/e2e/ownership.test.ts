import { describe, expect, inject, it, vi } from 'vitest';
import { LEAD_ACTIONS } from '../../src/slack/blocks/actions.ts';
import { createAzureOwnershipLog } from '../../src/stores/azure/azure-ownership-log.ts';
import { createAzureRulesStore } from '../../src/stores/azure/azure-rules-store.ts';
import { createTableClient } from '../../src/stores/azure/tables.ts';
import { insertLeads, JANE, leadColumns } from '../fixtures/lead-rows.ts';
import type { StoredMessage } from '../support/fake-slack.ts';
import { blockActionsBody, postToSlackEndpoint } from '../support/slack-requests.ts';
import { LEADS_CHANNEL, leadTableClient, SIGNING_SECRET, useStartedBot } from '../support/test-bot.ts';

const MANAGER = 'U0MANAGER';
const ctx = useStartedBot({ MANAGER_USER_IDS: MANAGER });

interface Block {
  type: string;
  block_id?: string;
  text?: { text: string };
  elements?: Array<{ type: string; action_id: string; value?: string }>;
}

const blocksOf = (message: { blocks?: unknown } | Record<string, unknown> | undefined) =>
  (message?.blocks as Block[]) ?? [];
const controlsOf = (message: StoredMessage | undefined) =>
  blocksOf(message).find((block) => block.type === 'actions');
const ownerLine = (message: { blocks?: unknown } | Record<string, unknown> | undefined) =>
  blocksOf(message).find(
    (block) => block.type === 'section' && /Owned by|Unclaimed/.test(block.text?.text ?? ''),
  )?.text?.text;
const rulesStore = () =>
  createAzureRulesStore(createTableClient(inject('azureConnectionString'), `${ctx.tables.statePrefix}Rules`));
const topLevelLeads = () =>
  ctx.slack.messages.filter((m) => m.metadata !== undefined && m.thread_ts === undefined);
const responses = () => ctx.slack.callsTo('response_url').map((call) => call.args.text);

async function postOneLead(columns = leadColumns()) {
  await insertLeads(leadTableClient(ctx.tables), [columns]);
  await ctx.bot.jobs.poll();
  const message = topLevelLeads().at(-1);
  const controls = controlsOf(message);
  return { message, blockId: controls?.block_id ?? '', value: controls?.elements?.[0]?.value ?? '' };
}

function click(
  userId: string,
  actionId: string,
  target: { blockId: string; value?: string; selectedUser?: string },
) {
  return postToSlackEndpoint(
    ctx.port,
    blockActionsBody({ userId, actionId, responseUrl: ctx.slack.responseUrl, ...target }),
    { secret: SIGNING_SECRET },
  );
}

describe('claiming a lead in Slack', () => {
  it('shows a new lead as unclaimed with a Claim button', async () => {
    const { message, value } = await postOneLead();
    // A Test Drive is an active lead: its follow-up deadline shows from the start.
    expect(ownerLine(message)).toMatch(
      /^🙋 \*Unclaimed:\* press \*Claim\* to own this lead\.\n⏰ Follow-up due <!date\^\d+\^/,
    );
    expect(controlsOf(message)?.elements?.map((element) => element.action_id)).toEqual([LEAD_ACTIONS.claim]);
    expect(JSON.parse(value)).toEqual({ v: 1, c: expect.stringMatching(/^[0-9a-f]{32}$/) });
  });

  it('gives the lead to the first who presses Claim, updates the message, and notes it in the thread', async () => {
    const lead = await postOneLead();
    const response = await click('U0REPONE', LEAD_ACTIONS.claim, lead);
    expect(response.status).toBe(200);
    // The deadline is the lead's own (its SLA from its arrival), not a fixed "24 hours".
    await vi.waitFor(() => expect(responses()).toHaveLength(1));
    expect(responses()[0]).toMatch(
      /^✅ You own this lead now\. Follow up by <!date\^(\d+)\^\{date_short_pretty\} at \{time\}\|[^>]+>\.$/,
    );
    const due = Number(/<!date\^(\d+)/.exec(String(responses()[0]))?.[1]) * 1000;
    expect(Math.abs(due - (Date.now() + 24 * 3_600_000))).toBeLessThan(60_000);

    const update = ctx.slack.callsTo('chat.update').at(-1);
    expect(update?.args).toMatchObject({ channel: LEADS_CHANNEL, ts: lead.message?.ts });
    expect(ownerLine(update?.args)).toMatch(/^👤 \*Owned by <@U0REPONE>\* since <!date\^\d+\^/);
    expect(
      blocksOf(update?.args)
        .find((b) => b.type === 'actions')
        ?.elements?.map((e) => e.action_id),
    ).toEqual([
      LEAD_ACTIONS.logFollowUp,
      LEAD_ACTIONS.handOver,
      LEAD_ACTIONS.qualify,
      LEAD_ACTIONS.release,
      LEAD_ACTIONS.close,
    ]);
    const note = ctx.slack.messages.find((m) => m.thread_ts === lead.message?.ts && m.metadata === undefined);
    expect(note?.text).toBe('🙋 <@U0REPONE> claimed this lead.');
    // The claimant's App Home is refreshed to list the lead.
    await vi.waitFor(() =>
      expect(ctx.slack.callsTo('views.publish').map((call) => call.args.user_id)).toContain('U0REPONE'),
    );
  });

  it('tells a later claimant who owns it, privately, and changes nothing', async () => {
    const lead = await postOneLead();
    await click('U0REPONE', LEAD_ACTIONS.claim, lead);
    await vi.waitFor(() => expect(responses()).toHaveLength(1));
    const updates = ctx.slack.callsTo('chat.update').length;
    await click('U0REPTWO', LEAD_ACTIONS.claim, lead);
    await vi.waitFor(() => expect(responses()).toHaveLength(2));
    expect(responses()[1]).toBe('This lead is already owned by <@U0REPONE>.');
    expect(ctx.slack.callsTo('chat.update')).toHaveLength(updates);
  });

  it('leaves exactly one owner when many reps press Claim at the same moment', async () => {
    const lead = await postOneLead();
    const reps = Array.from({ length: 6 }, (_, i) => `U0REP${i}`);
    const clicks = await Promise.allSettled(reps.map((rep) => click(rep, LEAD_ACTIONS.claim, lead)));
    expect(clicks.every((c) => c.status === 'fulfilled' && c.value.status === 200)).toBe(true);
    await vi.waitFor(() => expect(responses()).toHaveLength(6));
    expect(responses().filter((text) => String(text).startsWith('✅'))).toHaveLength(1);
    expect(
      responses().filter((text) => String(text).startsWith('This lead is already owned by')),
    ).toHaveLength(5);
    const log = await createAzureOwnershipLog(
      createTableClient(inject('azureConnectionString'), `${ctx.tables.statePrefix}Ownership`),
    ).list(JSON.parse(lead.value).c);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ kind: 'claim', from: null });
  });
});

describe('handing over and releasing', () => {
  async function claimed() {
    const lead = await postOneLead();
    await click('U0OWNER', LEAD_ACTIONS.claim, lead);
    await vi.waitFor(() => expect(responses()).toHaveLength(1));
    return lead;
  }

  it('lets the owner hand over: the new owner gets a DM with a link, the thread says so', async () => {
    const lead = await claimed();
    await click('U0OWNER', LEAD_ACTIONS.handOver, { blockId: lead.blockId, selectedUser: 'U0COLLEAGUE' });
    await vi.waitFor(() => expect(responses()).toHaveLength(2));
    expect(responses()[1]).toBe('✅ <@U0COLLEAGUE> owns this lead now; they got a direct message.');
    const dm = ctx.slack.callsTo('chat.postMessage').find((call) => call.args.channel === 'U0COLLEAGUE');
    expect(dm?.args.text).toEqual(
      expect.stringMatching(
        new RegExp(
          `^<@U0OWNER> gave you a lead: \\*Jane Doe · Fabrikam\\* \\(Test Drive started\\)\\. Follow up by <!date\\^\\d+\\^[^>]+>\\. <https://example\\.slack\\.com/archives/${LEADS_CHANNEL}/p${lead.message?.ts.replace('.', '')}\\|Open the lead>$`,
        ),
      ),
    );
    expect(
      ctx.slack.messages.some((m) => m.text === '🤝 <@U0OWNER> handed this lead over to <@U0COLLEAGUE>.'),
    ).toBe(true);
    expect(ownerLine(ctx.slack.callsTo('chat.update').at(-1)?.args)).toContain('<@U0COLLEAGUE>');
  });

  it('refuses a hand-over by someone who is neither owner nor manager', async () => {
    const lead = await claimed();
    await click('U0INTRUDER', LEAD_ACTIONS.handOver, { blockId: lead.blockId, selectedUser: 'U0INTRUDER' });
    await vi.waitFor(() => expect(responses()).toHaveLength(2));
    expect(responses()[1]).toBe(
      'Only its owner <@U0OWNER>, a manager or an admin can hand over or release this lead.',
    );
    expect(ownerLine(ctx.slack.callsTo('chat.update').at(-1)?.args)).toContain('<@U0OWNER>');
  });

  it('lets a manager reassign any lead', async () => {
    const lead = await claimed();
    await click(MANAGER, LEAD_ACTIONS.handOver, { blockId: lead.blockId, selectedUser: 'U0OTHER' });
    await vi.waitFor(() => expect(responses()).toHaveLength(2));
    expect(
      ctx.slack.messages.some(
        (m) => m.text === `🤝 <@${MANAGER}> reassigned this lead from <@U0OWNER> to <@U0OTHER>.`,
      ),
    ).toBe(true);
  });

  it('lets the owner release the lead back to the channel', async () => {
    const lead = await claimed();
    await click('U0OWNER', LEAD_ACTIONS.release, lead);
    await vi.waitFor(() => expect(responses()).toHaveLength(2));
    expect(responses()[1]).toBe('↩️ You released this lead: it is unclaimed again.');
    expect(ownerLine(ctx.slack.callsTo('chat.update').at(-1)?.args)).toMatch(
      /^🙋 \*Unclaimed:\* press \*Claim\* to own this lead\.\n/,
    );
    await click('U0NEXT', LEAD_ACTIONS.claim, lead);
    await vi.waitFor(() => expect(responses()).toHaveLength(3));
    expect(responses()[2]).toMatch(/^✅/);
  });
});

describe('bad clicks change nothing and say why', () => {
  it.each([
    ['a forged value', 'not json'],
    ['a value naming another kind of thing', JSON.stringify({ v: 1, c: '../../etc' })],
    ['a value of an unknown version', JSON.stringify({ v: 2, c: '0'.repeat(32) })],
  ])('%s', async (_, value) => {
    const lead = await postOneLead();
    const updates = ctx.slack.callsTo('chat.update').length;
    await click('U0REPONE', LEAD_ACTIONS.claim, { blockId: lead.blockId, value });
    await vi.waitFor(() => expect(responses()).toHaveLength(1));
    expect(responses()[0]).toBe(
      '⚠️ This button could not be read (the message may be out of date), so nothing was changed.',
    );
    expect(ctx.slack.callsTo('chat.update')).toHaveLength(updates);
  });

  it('a click on a lead the bot has no record of', async () => {
    await click('U0REPONE', LEAD_ACTIONS.claim, {
      blockId: 'x',
      value: JSON.stringify({ v: 1, c: 'f'.repeat(32) }),
    });
    await vi.waitFor(() => expect(responses()).toHaveLength(1));
    expect(responses()[0]).toBe('⚠️ This lead no longer exists in the bot’s records, so nothing was changed.');
  });
});

describe('routing and rotations', () => {
  it('routes by the first matching rule and assigns round-robin from the channel’s rotation, with a DM', async () => {
    const rules = rulesStore();
    await rules.setRoutingRules([
      { match: { country: 'DE' }, channel: 'CGERMANY' },
      { match: { offer: 'contoso.*' }, channel: 'CCONTOSO' },
    ]);
    await rules.setRotation('CCONTOSO', ['U0ANNA', 'U0BEN']);
    await insertLeads(
      leadTableClient(ctx.tables),
      ['a', 'b', 'c'].map((name) =>
        leadColumns({ CustomerInfo: JSON.stringify({ ...JANE, Email: `${name}@x.example` }) }),
      ),
    );
    await insertLeads(leadTableClient(ctx.tables), [
      leadColumns({ CustomerInfo: JSON.stringify({ ...JANE, Country: 'DEU', Email: 'd@x.example' }) }),
    ]);
    await ctx.bot.jobs.poll();

    // Channels are posted side by side, so only the order within a channel is fixed.
    expect(
      topLevelLeads()
        .map((m) => m.channel)
        .sort(),
    ).toEqual(['CCONTOSO', 'CCONTOSO', 'CCONTOSO', 'CGERMANY']);
    const dms = ctx.slack
      .callsTo('chat.postMessage')
      .filter((call) => String(call.args.channel).startsWith('U0'));
    expect(dms.map((dm) => dm.args.channel)).toEqual(['U0ANNA', 'U0BEN', 'U0ANNA']);
    expect(dms[0]?.args.text).toMatch(
      /^The rotation assigned you a lead: \*Jane Doe · Fabrikam\* \(Test Drive started\)/,
    );
    const notes = ctx.slack.messages.filter((m) => m.text.startsWith('🔄 Assigned to'));
    expect(notes.map((n) => n.text)).toEqual([
      "🔄 Assigned to <@U0ANNA> by the channel's rotation.",
      "🔄 Assigned to <@U0BEN> by the channel's rotation.",
      "🔄 Assigned to <@U0ANNA> by the channel's rotation.",
    ]);
  });

  it('skips a rep whose Slack status says away, or whose account is deactivated, and takes them back after', async () => {
    const rules = rulesStore();
    await rules.setRoutingRules([{ match: { offer: 'contoso.*' }, channel: 'CCONTOSO' }]);
    await rules.setRotation('CCONTOSO', ['U0ANNA', 'U0BEN', 'U0CARL']);
    ctx.slack.setUser('U0ANNA', { statusEmoji: ':palm_tree:', statusText: 'Back on Monday' });
    ctx.slack.setUser('U0CARL', { deleted: true });
    const customers = (names: string[]) =>
      names.map((name) =>
        leadColumns({ CustomerInfo: JSON.stringify({ ...JANE, Email: `${name}@x.example` }) }),
      );
    await insertLeads(leadTableClient(ctx.tables), customers(['a', 'b']));
    await ctx.bot.jobs.poll();
    // Two assignments in one poll ask Slack about each rep once.
    const profileReads = (user: string) =>
      ctx.slack.callsTo('users.info').filter((call) => call.args.user === user).length;
    expect([profileReads('U0ANNA'), profileReads('U0BEN'), profileReads('U0CARL')]).toEqual([1, 1, 1]);
    ctx.slack.setUser('U0ANNA', {}); // Anna is back: her status is cleared
    await insertLeads(leadTableClient(ctx.tables), customers(['c']));
    await ctx.bot.jobs.poll();

    const assigned = ctx.slack
      .callsTo('chat.postMessage')
      .filter((call) => String(call.args.text).startsWith('The rotation assigned you'))
      .map((call) => call.args.channel);
    expect(assigned).toEqual(['U0BEN', 'U0BEN', 'U0ANNA']);
  });

  it('keeps a returning customer with the owner and channel of their conversation', async () => {
    const lead = await postOneLead(leadColumns({ LeadSource: 'SPZA-PLT|x', ActionCode: 'PLT' }));
    await click('U0OWNER', LEAD_ACTIONS.claim, lead);
    await vi.waitFor(() => expect(responses()).toHaveLength(1));
    // Rules change afterwards: the conversation stays where it is.
    await rulesStore().setRoutingRules([{ match: {}, channel: 'CELSEWHERE' }]);
    await insertLeads(leadTableClient(ctx.tables), [
      leadColumns({ LeadSource: 'AzurePortal-Create|x', ActionCode: 'Create' }),
    ]);
    await ctx.bot.jobs.poll();

    const reply = ctx.slack.messages.find(
      (m) => m.metadata !== undefined && m.thread_ts === lead.message?.ts,
    );
    expect(reply?.channel).toBe(LEADS_CHANNEL);
    const refreshed = ctx.slack.callsTo('chat.update').at(-1)?.args;
    expect(blocksOf(refreshed)[0]?.text?.text).toBe('🚀 Created in the Azure portal: Jane Doe · Fabrikam');
    expect(ownerLine(refreshed)).toContain('<@U0OWNER>');
  });

  it('never makes DNC or test leads claimable or assigns them', async () => {
    await rulesStore().setRotation(LEADS_CHANNEL, ['U0ANNA']);
    await insertLeads(leadTableClient(ctx.tables), [
      leadColumns({ LeadSource: 'SPZA-DNC|x', ActionCode: 'DNC' }),
      leadColumns({ Description: 'MSFT_TEST_638960000000000000' }),
    ]);
    await ctx.bot.jobs.poll();
    expect(topLevelLeads()).toHaveLength(2);
    for (const message of topLevelLeads()) expect(controlsOf(message)).toBeUndefined();
    expect(
      ctx.slack.callsTo('chat.postMessage').filter((call) => call.args.channel === 'U0ANNA'),
    ).toHaveLength(0);
  });
});
