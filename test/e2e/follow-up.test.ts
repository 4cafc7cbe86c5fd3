import { addMinutes } from 'date-fns/addMinutes';
import { describe, expect, it, vi } from 'vitest';
import { CLOSE_MODAL, FOLLOW_UP_MODAL, LEAD_ACTIONS } from '../../src/slack/blocks/actions.ts';
import { insertLeads, leadColumns } from '../fixtures/lead-rows.ts';
import {
  blockActionsBody,
  postEvent,
  postToSlackEndpoint,
  viewSubmissionBody,
} from '../support/slack-requests.ts';
import { LEADS_CHANNEL, leadTableClient, SIGNING_SECRET, useStartedBot } from '../support/test-bot.ts';

const ctx = useStartedBot({}, { controlledClock: true });

interface Block {
  type: string;
  block_id?: string;
  text?: { text: string };
  elements?: Array<{ action_id?: string; value?: string; text?: string }>;
}
const blocksOf = (args: Record<string, unknown> | undefined) => (args?.blocks as Block[] | undefined) ?? [];
const responses = () => ctx.slack.callsTo('response_url').map((call) => call.args.text);
const signed = (body: string) => postToSlackEndpoint(ctx.port, body, { secret: SIGNING_SECRET });
const dmsTo = (user: string) =>
  ctx.slack.callsTo('chat.postMessage').filter((call) => call.args.channel === user);

/** The owner presses a button that opens a modal; returns the modal Slack was asked to open. */
async function openModal(actionId: string, value: string) {
  await signed(
    blockActionsBody({
      userId: 'U0OWNER',
      actionId,
      blockId: 'b',
      value,
      responseUrl: ctx.slack.responseUrl,
    }),
  );
  await vi.waitFor(() => expect(ctx.slack.callsTo('views.open')).toHaveLength(1));
  return ctx.slack.callsTo('views.open')[0]?.args.view as { callback_id: string; private_metadata: string };
}

/** A Test Drive lead, posted and claimed by U0OWNER; returns its message ts and button value. */
async function claimedLead() {
  await insertLeads(leadTableClient(ctx.tables), [leadColumns()]);
  await ctx.bot.jobs.poll();
  const post = ctx.slack.callsTo('chat.postMessage').find((call) => call.args.metadata !== undefined);
  const ts = ctx.slack.messages.find((m) => m.metadata !== undefined)?.ts ?? '';
  const controls = blocksOf(post?.args).find((b) => b.type === 'actions');
  const value = controls?.elements?.[0]?.value ?? '';
  await signed(
    blockActionsBody({
      userId: 'U0OWNER',
      actionId: LEAD_ACTIONS.claim,
      blockId: controls?.block_id ?? '',
      value,
      responseUrl: ctx.slack.responseUrl,
    }),
  );
  await vi.waitFor(() => expect(responses()).toHaveLength(1));
  return { ts, value };
}

describe('following up a lead', () => {
  it('lead posted → claimed → SLA passes → DM → follow-up logged in the modal → no further reminder', async () => {
    const { ts, value } = await claimedLead();
    ctx.now = addMinutes(ctx.now, 24 * 60 + 5);
    expect(await ctx.bot.jobs.reminders()).toMatchObject({ reminded: 1 });
    const [dm] = dmsTo('U0OWNER');
    expect(dm).toBeDefined();

    // The owner presses Log follow-up in the reminder: the modal opens.
    const view = await openModal(LEAD_ACTIONS.logFollowUp, value);
    expect(view.callback_id).toBe(FOLLOW_UP_MODAL);

    const response = await signed(
      viewSubmissionBody({
        userId: 'U0OWNER',
        callbackId: FOLLOW_UP_MODAL,
        privateMetadata: view.private_metadata,
        values: {
          follow_up_kind: { kind: { type: 'radio_buttons', selected_option: { value: 'call' } } },
          follow_up_note: {
            note: { type: 'plain_text_input', value: 'Spoke to Jane <!channel>: demo on Friday' },
          },
          follow_up_next: { next_step_on: { type: 'datepicker', selected_date: '2026-12-04' } },
        },
      }),
    );
    expect(response.status).toBe(200);
    await vi.waitFor(() =>
      expect(ctx.slack.messages.some((m) => m.text.startsWith('📝 <@U0OWNER> logged a call.'))).toBe(true),
    );
    const note = ctx.slack.messages.find((m) => m.text.startsWith('📝'));
    expect(note).toMatchObject({
      channel: LEADS_CHANNEL,
      thread_ts: ts,
      text: '📝 <@U0OWNER> logged a call. Next step on 2026-12-04.',
    });
    expect(((note?.blocks ?? []) as Block[])[1]).toEqual({
      type: 'section',
      text: { type: 'plain_text', text: 'Spoke to Jane <!channel>: demo on Friday', emoji: false },
    });
    const status = blocksOf(ctx.slack.callsTo('chat.update').at(-1)?.args).find((b) =>
      b.text?.text.includes('Owned by'),
    );
    expect(status?.text?.text).toMatch(
      /\n✅ Followed up by <@U0OWNER> 1d\d*m? after arrival\n📍 Stage: \*Contacted\*$/,
    );

    // No more SLA reminders or escalation; the next step planned for 2026-12-04 is its own reminder.
    ctx.now = addMinutes(ctx.now, 3 * 24 * 60);
    const run = await ctx.bot.jobs.reminders();
    expect(run).toMatchObject({ escalated: 0 });
    const dms = dmsTo('U0OWNER').map((dm) => String(dm.args.text));
    expect(dms.filter((text) => text.startsWith('⏰'))).toHaveLength(1);
    // (From 2026-11-30 on, three days later is on or after that day: the reminder is due.)
    expect(dms.filter((text) => !text.startsWith('⏰'))).toEqual([
      expect.stringMatching(/^📅 Next step due today: \*Jane Doe · Fabrikam\* .*planned for 2026-12-04\./),
    ]);
  });

  it('refuses the modal to someone who does not own the lead, in the modal, and records nothing', async () => {
    const { value } = await claimedLead();
    await signed(
      blockActionsBody({
        userId: 'U0OTHER',
        actionId: LEAD_ACTIONS.logFollowUp,
        blockId: 'b',
        value,
        responseUrl: ctx.slack.responseUrl,
      }),
    );
    await vi.waitFor(() => expect(responses()).toHaveLength(2));
    expect(responses()[1]).toBe(
      'Only its owner <@U0OWNER> or a manager can log follow-ups or snooze reminders for this lead.',
    );
    expect(ctx.slack.callsTo('views.open')).toHaveLength(0);

    const response = await signed(
      viewSubmissionBody({
        userId: 'U0OTHER',
        callbackId: FOLLOW_UP_MODAL,
        privateMetadata: value,
        values: { follow_up_kind: { kind: { type: 'radio_buttons', selected_option: { value: 'call' } } } },
      }),
    );
    expect(await response.json()).toEqual({
      response_action: 'errors',
      errors: {
        follow_up_kind:
          'Only its owner <@U0OWNER> or a manager can log follow-ups or snooze reminders for this lead.',
      },
    });
  });

  it('counts the owner’s reply in the lead’s thread as a follow-up, and says so', async () => {
    const { ts } = await claimedLead();
    ctx.now = addMinutes(ctx.now, 30); // the owner replies half an hour after the lead arrived
    const response = await postEvent(ctx.port, SIGNING_SECRET, {
      type: 'message',
      channel: LEADS_CHANNEL,
      user: 'U0OWNER',
      text: 'Called her, all good',
      ts: `${Math.floor(Date.now() / 1000)}.999999`,
      thread_ts: ts,
      channel_type: 'channel',
    });
    expect(response.status).toBe(200);
    await vi.waitFor(() =>
      expect(ctx.slack.messages.some((m) => m.text === '📝 <@U0OWNER> logged a reply in this thread.')).toBe(
        true,
      ),
    );
    ctx.now = addMinutes(ctx.now, 3 * 24 * 60);
    expect(await ctx.bot.jobs.reminders()).toMatchObject({ reminded: 0, escalated: 0, dropped: 2 });
  });

  it('snoozes the reminder until tomorrow morning in the owner’s time zone, then reminds again', async () => {
    const { value } = await claimedLead();
    ctx.now = addMinutes(ctx.now, 24 * 60 + 5);
    await ctx.bot.jobs.reminders();
    await signed(
      blockActionsBody({
        userId: 'U0OWNER',
        actionId: LEAD_ACTIONS.snoozeTomorrow,
        blockId: 'b',
        value,
        responseUrl: ctx.slack.responseUrl,
      }),
    );
    await vi.waitFor(() => expect(responses()).toHaveLength(2));
    expect(responses()[1]).toMatch(/^😴 Snoozed: you will be reminded again <!date\^\d+\^/);
    expect(
      ctx.slack.messages.some((m) =>
        /^😴 <@U0OWNER> snoozed the follow-up reminders until <!date/.test(m.text),
      ),
    ).toBe(true);
    const snoozedStatus = blocksOf(ctx.slack.callsTo('chat.update').at(-1)?.args).find((b) =>
      b.text?.text.includes('Owned by'),
    );
    expect(snoozedStatus?.text?.text).toMatch(
      /\n⏰ Follow-up due <!date.* · 😴 reminders snoozed until <!date/,
    );

    // Someone else cannot snooze the owner's reminders.
    await signed(
      blockActionsBody({
        userId: 'U0OTHER',
        actionId: LEAD_ACTIONS.snooze1h,
        blockId: 'b',
        value,
        responseUrl: ctx.slack.responseUrl,
      }),
    );
    await vi.waitFor(() => expect(responses()).toHaveLength(3));
    expect(responses()[2]).toBe(
      'Only its owner <@U0OWNER> or a manager can log follow-ups or snooze reminders for this lead.',
    );
    expect(ctx.slack.callsTo('users.info')[0]?.args.user).toBe('U0OWNER');
    const until = Number(/<!date\^(\d+)\^/.exec(String(responses()[1]))?.[1]) * 1000;
    // 09:00 in Berlin: 08:00 UTC in winter, 07:00 UTC in summer.
    expect([7, 8]).toContain(new Date(until).getUTCHours());
    expect(new Date(until).getUTCMinutes()).toBe(0);
    expect(until).toBeGreaterThan(ctx.now.getTime());

    // Until then no reminder; at that time the owner is reminded again.
    expect(await ctx.bot.jobs.reminders()).toMatchObject({ reminded: 0 });
    ctx.now = new Date(until);
    expect(await ctx.bot.jobs.reminders()).toMatchObject({ reminded: 1 });
    expect(dmsTo('U0OWNER')).toHaveLength(2);
  });

  it('closes a lead as lost with a reason: no reminder, the message shows the outcome; a new active lead reopens it', async () => {
    const { ts, value } = await claimedLead();
    const view = await openModal(LEAD_ACTIONS.close, value);
    expect(view.callback_id).toBe(CLOSE_MODAL);
    const response = await signed(
      viewSubmissionBody({
        userId: 'U0OWNER',
        callbackId: CLOSE_MODAL,
        privateMetadata: view.private_metadata,
        values: {
          close_outcome: { outcome: { type: 'radio_buttons', selected_option: { value: 'lost' } } },
          close_reason: { reason: { type: 'plain_text_input', value: 'Chose a competitor' } },
        },
      }),
    );
    expect(response.status).toBe(200);
    await vi.waitFor(() =>
      expect(
        ctx.slack.messages.some(
          (m) => m.thread_ts === ts && m.text === '🏁 <@U0OWNER> closed this lead: *Lost*.',
        ),
      ).toBe(true),
    );
    const closedMessage = ctx.slack.callsTo('chat.update').at(-1)?.args;
    expect(blocksOf(closedMessage).some((b) => b.type === 'actions')).toBe(false);
    const outcome = blocksOf(closedMessage).at(-2);
    expect(outcome?.type).toBe('context');
    expect(outcome?.elements?.[0]?.text).toMatch(/^🏁 \*Closed: Lost\* by <@U0OWNER> <!date/);

    ctx.now = addMinutes(ctx.now, 3 * 24 * 60);
    expect(await ctx.bot.jobs.reminders()).toMatchObject({ reminded: 0, escalated: 0, dropped: 2 });

    // The customer comes back and creates the offer: a new opportunity, so the clock starts again.
    await insertLeads(leadTableClient(ctx.tables), [
      leadColumns({ LeadSource: 'AzurePortal-Create|x', ActionCode: 'Create' }),
    ]);
    await ctx.bot.jobs.poll();
    ctx.now = addMinutes(new Date(), 24 * 60 + 1);
    expect(await ctx.bot.jobs.reminders()).toMatchObject({ reminded: 1 });
  });

  it('refuses a closure without an outcome, in the modal', async () => {
    const { value } = await claimedLead();
    const response = await signed(
      viewSubmissionBody({ userId: 'U0OWNER', callbackId: CLOSE_MODAL, privateMetadata: value, values: {} }),
    );
    expect(await response.json()).toEqual({
      response_action: 'errors',
      errors: { close_outcome: 'Choose an outcome.' },
    });
  });

  it('changes nothing on a closed lead: close again, release, log follow-up and an old reminder’s snooze are refused', async () => {
    const { value } = await claimedLead();
    ctx.now = addMinutes(ctx.now, 24 * 60 + 5);
    await ctx.bot.jobs.reminders(); // an owner reminder DM, whose buttons stay in Slack
    const close = (outcome: string) =>
      signed(
        viewSubmissionBody({
          userId: 'U0OWNER',
          callbackId: CLOSE_MODAL,
          privateMetadata: value,
          values: {
            close_outcome: { outcome: { type: 'radio_buttons', selected_option: { value: outcome } } },
          },
        }),
      );
    expect((await close('won')).status).toBe(200);
    await vi.waitFor(() =>
      expect(ctx.slack.messages.some((m) => m.text.startsWith('🏁 <@U0OWNER> closed'))).toBe(true),
    );
    const notesBefore = ctx.slack.messages.length;

    // Close again with another outcome: refused in the modal; the first outcome stands.
    expect(await (await close('lost')).json()).toEqual({
      response_action: 'errors',
      errors: {
        close_outcome: expect.stringMatching(
          /^🏁 This lead was closed \(Won\) by <@U0OWNER>, so nothing was changed/,
        ),
      },
    });
    // Release, Log follow-up and an old reminder's snooze: each a private refusal.
    for (const actionId of [LEAD_ACTIONS.release, LEAD_ACTIONS.logFollowUp, LEAD_ACTIONS.snooze1h]) {
      await signed(
        blockActionsBody({
          userId: 'U0OWNER',
          actionId,
          blockId: 'b',
          value,
          responseUrl: ctx.slack.responseUrl,
        }),
      );
    }
    await vi.waitFor(() => expect(responses()).toHaveLength(4)); // the claim's answer and three refusals
    expect(responses().slice(1)).toEqual([
      expect.stringMatching(/^🏁 This lead was closed \(\*Won\*\) by <@U0OWNER>, so nothing was changed/),
      expect.stringMatching(/^🏁 This lead was closed/),
      expect.stringMatching(/^🏁 This lead was closed/),
    ]);
    expect(ctx.slack.callsTo('views.open')).toHaveLength(0);
    expect(ctx.slack.messages.length).toBe(notesBefore);
  });
});
