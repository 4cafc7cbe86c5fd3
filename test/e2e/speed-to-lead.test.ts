import { addMinutes } from 'date-fns/addMinutes';
import { describe, expect, it, vi } from 'vitest';
import { LEAD_ACTIONS } from '../../src/slack/blocks/actions.ts';
import { insertLeads, JANE, leadColumns } from '../fixtures/lead-rows.ts';
import { textObjectsOf } from '../support/block-texts.ts';
import { blockActionsBody, postToSlackEndpoint } from '../support/slack-requests.ts';
import {
  LEADS_CHANNEL,
  leadsCommandAnswer,
  leadTableClient,
  SIGNING_SECRET,
  useStartedBot,
} from '../support/test-bot.ts';

// The speed-to-lead tiers with the bot's own defaults (the other e2e files pin a 24-hour SLA): claimed
// within 5 minutes, first touched within an hour. The bot's clock is the test's.

const MANAGERS = 'C0MANAGERS';
const ADMIN = 'U0ADMIN01';
const ctx = useStartedBot(
  // Unset: the defaults of config.ts.
  { SLA: undefined, CLAIM_SLA: undefined, MANAGERS_CHANNEL: MANAGERS, ADMIN_USER_IDS: ADMIN },
  { controlledClock: true },
);

const nextStep = (blocks: unknown) =>
  textObjectsOf((blocks ?? []) as { type: string }[])
    .map((text) => text.text)
    .find((text) => text.startsWith('*Next step:*')) ?? '';
const firstMessage = () =>
  ctx.slack.messages.find((m) => m.metadata !== undefined && m.thread_ts === undefined);
const posted = (channel: string) =>
  ctx.slack
    .callsTo('chat.postMessage')
    .filter((call) => call.args.channel === channel)
    .map((call) => String(call.args.text));
const leads = (text: string) => leadsCommandAnswer(ctx, text, ADMIN);

describe('speed to lead, by default', () => {
  it('states both tiers on a new Contact me lead, announces it again at 5 min, escalates at 10, reminds its owner at 1 h', async () => {
    const start = ctx.now;
    await insertLeads(leadTableClient(ctx.tables), [
      leadColumns({ LeadSource: 'SPZA-PLT|x', ActionCode: 'PLT' }),
    ]);
    await ctx.bot.jobs.poll();
    expect(nextStep(firstMessage()?.blocks)).toMatch(
      /Claim within 5 minutes; follow up within 1 hour: this lead’s SLA\.$/,
    );

    ctx.now = addMinutes(start, 5);
    await ctx.bot.jobs.reminders();
    expect(
      posted(LEADS_CHANNEL).filter((text) => text.startsWith('🙋 Still unclaimed after 5 minutes')),
    ).toHaveLength(1);
    ctx.now = addMinutes(start, 10);
    await ctx.bot.jobs.reminders();
    expect(posted(MANAGERS)).toEqual([expect.stringMatching(/nobody has claimed it for 10 minutes\./)]);

    // Claimed: the card keeps the first-touch tier only, and the owner is reminded at the hour.
    const controls = (
      (firstMessage()?.blocks ?? []) as Array<{ type: string; elements?: { value?: string }[] }>
    ).find((block) => block.type === 'actions');
    const claim = await postToSlackEndpoint(
      ctx.port,
      blockActionsBody({
        userId: 'U0REP1',
        actionId: LEAD_ACTIONS.claim,
        blockId: 'b',
        value: controls?.elements?.[0]?.value ?? '',
        responseUrl: ctx.slack.responseUrl,
      }),
      { secret: SIGNING_SECRET },
    );
    expect(claim.status).toBe(200);
    await vi.waitFor(() =>
      expect(nextStep(ctx.slack.callsTo('chat.update').at(-1)?.args.blocks)).toMatch(
        /personally\. Follow up within 1 hour: this lead’s SLA\.$/,
      ),
    );
    ctx.now = addMinutes(start, 59);
    expect(await ctx.bot.jobs.reminders()).toMatchObject({ reminded: 0 });
    ctx.now = addMinutes(start, 61);
    expect(await ctx.bot.jobs.reminders()).toMatchObject({ reminded: 1 });
    expect(posted('U0REP1').some((text) => /follow/i.test(text))).toBe(true);
  });

  it('chases a lead the rotation gave out and nobody accepted: the assignee nudged at 5 min, managers told at 10', async () => {
    // A rotation without an acceptance time of its own: the claim SLA applies to its assignees too.
    await leads(`rotation <#${LEADS_CHANNEL}> <@U0ANNA>`);
    const start = ctx.now;
    await insertLeads(leadTableClient(ctx.tables), [
      leadColumns({ LeadSource: 'SPZA-PLT|x', ActionCode: 'PLT' }),
      leadColumns({
        LeadSource: 'SPZA-PLT|y',
        ActionCode: 'PLT',
        CustomerInfo: JSON.stringify({ ...JANE, Email: 'bo@y.example' }),
      }),
    ]);
    await ctx.bot.jobs.poll();
    const [late, accepted] = ctx.slack.messages.filter(
      (m) => m.metadata !== undefined && m.thread_ts === undefined,
    );
    const buttonValue = (message: typeof late) =>
      ((message?.blocks ?? []) as Array<{ type: string; elements?: { value?: string }[] }>).find(
        (block) => block.type === 'actions',
      )?.elements?.[0]?.value ?? '';
    const accept = await postToSlackEndpoint(
      ctx.port,
      blockActionsBody({
        userId: 'U0ANNA',
        actionId: LEAD_ACTIONS.accept,
        blockId: 'b',
        value: buttonValue(accepted),
        responseUrl: ctx.slack.responseUrl,
      }),
      { secret: SIGNING_SECRET },
    );
    expect(accept.status).toBe(200);
    expect(buttonValue(late)).not.toBe('');

    ctx.now = addMinutes(start, 5);
    await ctx.bot.jobs.reminders();
    const nudges = posted(LEADS_CHANNEL).filter((text) => text.startsWith('⏱️ Not accepted after 5 minutes'));
    expect(nudges).toEqual([expect.stringContaining('assigned to <@U0ANNA>')]);
    ctx.now = addMinutes(start, 10);
    await ctx.bot.jobs.reminders();
    expect(posted(MANAGERS)).toEqual([
      expect.stringMatching(/the rotation gave it to <@U0ANNA>, who has not accepted it for 10 minutes\./),
    ]);
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
