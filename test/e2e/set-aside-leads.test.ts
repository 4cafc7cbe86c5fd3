import { addMinutes } from 'date-fns/addMinutes';
import { describe, expect, it, vi } from 'vitest';
import { LEAD_ACTIONS } from '../../src/slack/blocks/actions.ts';
import { LEAD_EVENT_TYPE } from '../../src/slack/slack-adapter.ts';
import { insertLeads, JANE, leadColumns } from '../fixtures/lead-rows.ts';
import { blockActionsBody, postToSlackEndpoint, slashCommandBody } from '../support/slack-requests.ts';
import { LEADS_CHANNEL, leadTableClient, SIGNING_SECRET, useStartedBot } from '../support/test-bot.ts';

// A poison lead: every attempt to post it fails (here Slack answers 500 to each, for hours).
const ADMIN = 'U0ADMIN01';
const ctx = useStartedBot({ ADMIN_USER_IDS: ADMIN, CLAIM_TIMEOUT_SECONDS: '4' }, { controlledClock: true });

const leadPosts = () => ctx.slack.messages.filter((m) => m.metadata?.event_type === LEAD_EVENT_TYPE);
const answers = () => ctx.slack.callsTo('response_url').map((call) => call.args);
const signed = (body: string) => postToSlackEndpoint(ctx.port, body, { secret: SIGNING_SECRET });

describe('a lead that can never be posted', () => {
  it('is set aside after repeated failures over an hour, told once, listed for admins, and posted on Retry', async () => {
    await ctx.bot.jobs.poll(); // the first start
    const [poison] = await insertLeads(leadTableClient(ctx.tables), [
      leadColumns({ CustomerInfo: JSON.stringify({ ...JANE, Email: 'poison@x.example' }) }),
    ]);
    ctx.slack.fail('chat.postMessage', { status: 500 }, Number.POSITIVE_INFINITY, LEADS_CHANNEL);
    for (let attempt = 1; attempt <= 10; attempt++) {
      ctx.now = addMinutes(ctx.now, 10);
      expect(await ctx.bot.jobs.poll()).toMatchObject({ failed: 1, quarantined: 0 });
    }
    // Ten attempts failed, over more than an hour since it arrived: Slack would take it now, but it is set aside.
    ctx.now = addMinutes(ctx.now, 10);
    ctx.slack.succeed('chat.postMessage');
    const setAside = await ctx.bot.jobs.poll();
    expect(setAside).toMatchObject({ quarantined: 1, failed: 0, setAside: 1 });
    expect(ctx.bot.health.report()).toMatchObject({ status: 'degraded', quarantinedLeads: 1 });
    const told = () => ctx.slack.messages.filter((m) => m.text.startsWith('🧯 A lead could not be posted'));
    expect(told()).toHaveLength(1);
    // The cursor is not pinned: a later lead is posted, and the cursor passes the set-aside one.
    const [later] = await insertLeads(leadTableClient(ctx.tables), [leadColumns()]);
    const next = await ctx.bot.jobs.poll();
    expect(next).toMatchObject({ posted: 1, quarantined: 1, failed: 0 }); // not retried, not told again
    expect(next.cursor.getTime()).toBeGreaterThan(setAside.cursor.getTime());
    expect(told()).toHaveLength(1);
    expect(leadPosts().map((m) => m.metadata?.event_payload.lead_rk)).toEqual([later?.rowKey]);

    // An admin lists it and presses Retry; the next poll posts it, once.
    await signed(slashCommandBody({ text: 'failed', userId: ADMIN, responseUrl: ctx.slack.responseUrl }));
    await vi.waitFor(() => expect(answers()).toHaveLength(1));
    const list = answers()[0]?.blocks as Array<{ text?: { text: string }; accessory?: { value: string } }>;
    expect(list[1]?.text?.text.replaceAll('\u200B', '')).toContain(
      `Lead ${poison?.partitionKey}/${poison?.rowKey}`,
    );
    const value = list[1]?.accessory?.value ?? '';
    // A rep cannot; an admin can.
    for (const userId of ['U0REP0001', ADMIN]) {
      await signed(
        blockActionsBody({
          userId,
          actionId: LEAD_ACTIONS.retrySetAside,
          blockId: 'b',
          value,
          responseUrl: ctx.slack.responseUrl,
        }),
      );
    }
    await vi.waitFor(() => expect(answers()).toHaveLength(3));
    expect(answers()[1]?.text).toMatch(/^⛔ Only an admin/);
    expect(answers()[2]?.text).toMatch(/^🔁 Retry requested/);
    expect(await ctx.bot.jobs.poll()).toMatchObject({ retried: 1, setAside: 0 });
    expect(leadPosts().map((m) => m.metadata?.event_payload.lead_rk)).toEqual([
      later?.rowKey,
      poison?.rowKey,
    ]);
    expect(ctx.bot.health.report()).toMatchObject({ status: 'ok', quarantinedLeads: 0 });
  });

  it.each([
    ['a forged key', { v: 1, pk: "a'", rk: 'b' }],
    ['a forged 950-character key', { v: 1, pk: `a'/${'b'.repeat(946)}`, rk: 'c' }],
    ['a lead that was never set aside', { v: 1, pk: '11:2F15:2F2025', rk: 'nothing-here' }],
  ])('answers Retry on %s privately that the lead is unknown, and changes nothing', async (_, ref) => {
    await signed(
      blockActionsBody({
        userId: ADMIN,
        actionId: LEAD_ACTIONS.retrySetAside,
        blockId: 'b',
        value: JSON.stringify(ref),
        responseUrl: ctx.slack.responseUrl,
      }),
    );
    await vi.waitFor(() => expect(answers()).toHaveLength(1));
    expect(answers()[0]).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringMatching(/^⚠️ That lead is not set aside: it is unknown/),
    });
    expect(ctx.bot.log.lines.filter((line) => line.message === 'a Slack listener failed')).toEqual([]);
  });
});
