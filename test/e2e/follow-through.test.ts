import { TZDate } from '@date-fns/tz';
import { addDays } from 'date-fns/addDays';
import { addMinutes } from 'date-fns/addMinutes';
import { format } from 'date-fns/format';
import { describe, expect, inject, it, vi } from 'vitest';
import { FOLLOW_UP_MODAL, LEAD_ACTIONS } from '../../src/slack/blocks/actions.ts';
import { createAzureConversationStore } from '../../src/stores/azure/azure-conversation-store.ts';
import { createAzureSettingsStore } from '../../src/stores/azure/azure-settings-store.ts';
import { createTableClient } from '../../src/stores/azure/tables.ts';
import { insertLeads, leadColumns } from '../fixtures/lead-rows.ts';
import {
  blockActionsBody,
  postToSlackEndpoint,
  slashCommandBody,
  viewSubmissionBody,
} from '../support/slack-requests.ts';
import { createTestBot, leadTableClient, SIGNING_SECRET, useStartedBot } from '../support/test-bot.ts';

// After the first follow-up: next steps that become reminders, and leads that go quiet. The bot's
// clock is the test's; the fake Slack says every user is in Europe/Berlin.

const MANAGERS = 'C0MANAGERS';
const OWNER = 'U0OWNER';
const ctx = useStartedBot({ MANAGERS_CHANNEL: MANAGERS }, { controlledClock: true });

const signed = (body: string) => postToSlackEndpoint(ctx.port, body, { secret: SIGNING_SECRET });
const client = (name: string) =>
  createTableClient(inject('azureConnectionString'), `${ctx.tables.statePrefix}${name}`);
const conversations = () => createAzureConversationStore(client('Conversations'));
const textsTo = (channel: string) =>
  ctx.slack
    .callsTo('chat.postMessage')
    .filter((call) => call.args.channel === channel)
    .map((call) => String(call.args.text));

/** A Test Drive lead posted and claimed by OWNER; its conversation id. */
async function claimedLead(): Promise<string> {
  await insertLeads(leadTableClient(ctx.tables), [leadColumns()]);
  await ctx.bot.jobs.poll();
  // The lead's time is the table service's; the rep claims it a minute later.
  ctx.now = addMinutes(new Date(), 1);
  const message = ctx.slack.messages.find((m) => m.metadata !== undefined);
  const conversation = await conversations().findByMessage(message?.channel ?? '', message?.ts ?? '');
  const id = conversation?.id ?? '';
  const value = JSON.stringify({ v: 1, c: id });
  const before = ctx.slack.callsTo('response_url').length;
  await signed(
    blockActionsBody({
      userId: OWNER,
      actionId: LEAD_ACTIONS.claim,
      blockId: 'b',
      value,
      responseUrl: ctx.slack.responseUrl,
    }),
  );
  await vi.waitFor(() => expect(ctx.slack.callsTo('response_url').length).toBe(before + 1));
  return id;
}

/** Logs a call through the modal, as Slack submits it, with an optional next step. */
async function logCall(id: string, nextStep: { on: string; at?: string } | null) {
  const notes = ctx.slack.messages.filter((m) => m.text.startsWith('📝')).length;
  const response = await signed(
    viewSubmissionBody({
      userId: OWNER,
      callbackId: FOLLOW_UP_MODAL,
      privateMetadata: JSON.stringify({ v: 1, c: id }),
      values: {
        follow_up_kind: { kind: { type: 'radio_buttons', selected_option: { value: 'call' } } },
        ...(nextStep
          ? {
              follow_up_next: { next_step_on: { type: 'datepicker', selected_date: nextStep.on } },
              ...(nextStep.at
                ? {
                    follow_up_next_time: { next_step_at: { type: 'timepicker', selected_time: nextStep.at } },
                  }
                : {}),
            }
          : {}),
      },
    }),
  );
  expect(response.status).toBe(200);
  await vi.waitFor(() =>
    expect(ctx.slack.messages.filter((m) => m.text.startsWith('📝')).length).toBe(notes + 1),
  );
}

/** The Berlin date `days` after now, and that day at `time` in Berlin as an instant. */
function berlinDay(days: number, time: string) {
  const day = format(new TZDate(addDays(ctx.now, days), 'Europe/Berlin'), 'yyyy-MM-dd');
  const [year, month, date] = day.split('-').map(Number);
  const [hours, minutes] = time.split(':').map(Number);
  return {
    day,
    at: new Date(
      new TZDate(
        year ?? 0,
        (month ?? 1) - 1,
        date ?? 1,
        hours ?? 0,
        minutes ?? 0,
        0,
        'Europe/Berlin',
      ).getTime(),
    ),
  };
}

async function overdueList(): Promise<string> {
  const before = ctx.slack.callsTo('response_url').length;
  await signed(slashCommandBody({ text: 'overdue', userId: OWNER, responseUrl: ctx.slack.responseUrl }));
  await vi.waitFor(() => expect(ctx.slack.callsTo('response_url').length).toBe(before + 1));
  return JSON.stringify(ctx.slack.callsTo('response_url').at(-1)?.args.blocks);
}

describe('next steps', () => {
  it('remind the owner once at the time they picked, show as overdue, and give way to a newer follow-up', async () => {
    const id = await claimedLead();
    const step = berlinDay(2, '10:30');
    await logCall(id, { on: step.day, at: '10:30' });
    expect((await conversations().getById(id))?.nextStepDueAt).toEqual(step.at);

    ctx.now = addMinutes(step.at, -1);
    await ctx.bot.jobs.reminders();
    expect(textsTo(OWNER).filter((text) => text.startsWith('📅'))).toEqual([]);
    ctx.now = step.at;
    await ctx.bot.jobs.reminders();
    ctx.now = addMinutes(step.at, 90);
    await ctx.bot.jobs.reminders();
    const reminders = ctx.slack
      .callsTo('chat.postMessage')
      .filter((call) => call.args.channel === OWNER && String(call.args.text).startsWith('📅'));
    expect(reminders).toHaveLength(1);
    expect(String(reminders[0]?.args.text)).toMatch(
      new RegExp(
        `^📅 Next step due today: \\*Jane Doe · Fabrikam\\* \\(Test Drive started\\), planned for ${step.day} 10:30\\.`,
      ),
    );
    const buttons = JSON.stringify(reminders[0]?.args.blocks);
    for (const action of [LEAD_ACTIONS.logFollowUp, LEAD_ACTIONS.snooze1h, LEAD_ACTIONS.close])
      expect(buttons).toContain(action);
    expect(await overdueList()).toMatch(/📅 next step 1h30m late/);

    // A newer follow-up without a next step replaces it: nothing is overdue any more.
    await logCall(id, null);
    expect((await conversations().getById(id))?.nextStepDueAt).toBeNull();
    expect(await overdueList()).toContain('Nothing is overdue');
  });

  it('remind at the start of the working day by default, and only of the latest step planned', async () => {
    const id = await claimedLead();
    const first = berlinDay(3, '09:00');
    const second = berlinDay(5, '09:00');
    await logCall(id, { on: first.day });
    await logCall(id, { on: second.day });
    // Without business hours the working day starts at 09:00 in the owner's zone (weekends too).
    expect((await conversations().getById(id))?.nextStepDueAt).toEqual(second.at);
    ctx.now = addMinutes(first.at, 1);
    await ctx.bot.jobs.reminders();
    expect(textsTo(OWNER).filter((text) => text.startsWith('📅'))).toEqual([]);
    ctx.now = addMinutes(second.at, 1);
    await ctx.bot.jobs.reminders();
    expect(textsTo(OWNER).filter((text) => text.startsWith('📅'))).toHaveLength(1);
  });
});

describe('stale leads', () => {
  it('nudge the owner once per quiet period and tell the managers at twice the time', async () => {
    await createAzureSettingsStore(client('Settings')).update((current) => ({
      ...current,
      staleMinutes: 60,
    }));
    const id = await claimedLead();
    const claimedAt = (await conversations().getById(id))?.owner?.since ?? ctx.now;
    const nudges = () => textsTo(OWNER).filter((text) => text.startsWith('💤'));

    ctx.now = addMinutes(claimedAt, 59);
    await ctx.bot.jobs.reminders();
    expect(nudges()).toEqual([]);
    ctx.now = addMinutes(claimedAt, 60);
    await ctx.bot.jobs.reminders();
    ctx.now = addMinutes(claimedAt, 90);
    await ctx.bot.jobs.reminders();
    expect(nudges()).toEqual([
      expect.stringMatching(
        /^💤 \*Jane Doe · Fabrikam\* \(Test Drive started\) has had no follow-up, next step or change of stage for 1 hour\./,
      ),
    ]);
    ctx.now = addMinutes(claimedAt, 120);
    await ctx.bot.jobs.reminders();
    await ctx.bot.jobs.reminders();
    expect(textsTo(MANAGERS)).toEqual([
      expect.stringMatching(
        /its owner <@U0OWNER> did nothing with it for 2 hours \(no follow-up, next step or change of stage\)\./,
      ),
    ]);

    // A follow-up starts a new quiet period: a new nudge an hour after it, and only then.
    await logCall(id, null);
    const loggedAt = ctx.now;
    ctx.now = addMinutes(loggedAt, 30);
    await ctx.bot.jobs.reminders();
    expect(nudges()).toHaveLength(1);
    ctx.now = addMinutes(loggedAt, 60);
    await ctx.bot.jobs.reminders();
    expect(nudges()).toHaveLength(2);
    // The hourly sweep schedules nothing new for a lead that already has its check.
    expect(await ctx.bot.jobs.roster()).toMatchObject({ staleChecks: 1 });
    await ctx.bot.jobs.reminders();
    expect(nudges()).toHaveLength(2);
  });

  it('nudge once when Slack stored the nudge but its answer was lost: found by its delivery key', async () => {
    ctx.slack.useClock(() => ctx.now); // Slack's clock agrees with the bot's, which the test moves
    await createAzureSettingsStore(client('Settings')).update((current) => ({
      ...current,
      staleMinutes: 60,
    }));
    const id = await claimedLead();
    const claimedAt = (await conversations().getById(id))?.owner?.since ?? ctx.now;
    ctx.now = addMinutes(claimedAt, 60);
    ctx.slack.loseAnswer('chat.postMessage', 'drop');
    expect(await ctx.bot.jobs.reminders()).toMatchObject({ failed: 1 });
    const nudges = () => textsTo(OWNER).filter((text) => text.startsWith('💤'));
    expect(nudges()).toHaveLength(1); // Slack has it
    // After the claim of the attempt that lost its answer times out (5 minutes), the run looks first.
    ctx.now = addMinutes(claimedAt, 66);
    expect(await ctx.bot.jobs.reminders()).toMatchObject({ reminded: 1, failed: 0 });
    expect(nudges()).toHaveLength(1);
  });

  it('are checked for leads that were quiet before the setting, by the hourly sweep', async () => {
    const id = await claimedLead();
    await createAzureSettingsStore(client('Settings')).update((current) => ({
      ...current,
      staleMinutes: 60,
    }));
    const since = (await conversations().getById(id))?.owner?.since ?? ctx.now;
    ctx.now = addMinutes(since, 61);
    expect(await ctx.bot.jobs.reminders()).toMatchObject({ due: 0 });
    expect(await ctx.bot.jobs.roster()).toMatchObject({ staleChecks: 1 });
    await ctx.bot.jobs.reminders();
    expect(textsTo(OWNER).filter((text) => text.startsWith('💤'))).toHaveLength(1);
  });
});

describe('several processes', () => {
  it('send each next-step reminder and each nudge once, however many run the due work at once', async () => {
    await createAzureSettingsStore(client('Settings')).update((current) => ({
      ...current,
      staleMinutes: 60,
    }));
    const id = await claimedLead();
    const step = berlinDay(1, '11:00');
    await logCall(id, { on: step.day, at: '11:00' });
    const others = await Promise.all(
      [1, 2].map(() =>
        createTestBot({
          slack: ctx.slack,
          tables: ctx.tables,
          clock: () => ctx.now,
          env: { MANAGERS_CHANNEL: MANAGERS },
        }),
      ),
    );
    try {
      const everyone = [ctx.bot, ...others];
      ctx.now = step.at;
      await Promise.all(everyone.map((bot) => bot.jobs.reminders()));
      ctx.now = addMinutes(step.at, 60);
      await Promise.all(everyone.map((bot) => bot.jobs.reminders()));
      await Promise.all(everyone.map((bot) => bot.jobs.reminders()));
      expect(textsTo(OWNER).filter((text) => text.startsWith('📅'))).toHaveLength(1);
      expect(textsTo(OWNER).filter((text) => text.startsWith('💤'))).toHaveLength(1);
    } finally {
      await Promise.all(others.map((other) => other.stop()));
    }
  });
});

describe('stages', () => {
  it('go New → Contacted → Qualified → an outcome, each shown on the message and noted in the thread', async () => {
    const id = await claimedLead();
    const stageLine = () => {
      const update = ctx.slack.callsTo('chat.update').at(-1);
      return JSON.stringify(update?.args.blocks).match(/📍 Stage: \*(\w[\w ]*)\*/)?.[1];
    };
    const value = JSON.stringify({ v: 1, c: id });
    expect(stageLine()).toBe('New');
    await logCall(id, null);
    expect(stageLine()).toBe('Contacted');

    const press = async (userId: string) => {
      const before = ctx.slack.callsTo('response_url').length;
      await signed(
        blockActionsBody({
          userId,
          actionId: LEAD_ACTIONS.qualify,
          blockId: 'b',
          value,
          responseUrl: ctx.slack.responseUrl,
        }),
      );
      await vi.waitFor(() => expect(ctx.slack.callsTo('response_url').length).toBe(before + 1));
      return String(ctx.slack.callsTo('response_url').at(-1)?.args.text);
    };
    expect(await press('U0STRANGER')).toBe(
      'Only its owner <@U0OWNER> or a manager can log follow-ups or snooze reminders for this lead.',
    );
    expect(await press(OWNER)).toMatch(/^🎯 Marked \*Qualified\*/);
    expect(stageLine()).toBe('Qualified');
    expect(await press(OWNER)).toBe('This lead is qualified already.');
    expect(
      ctx.slack.messages.filter((m) => m.text === `🎯 <@${OWNER}> marked this lead *Qualified*.`),
    ).toHaveLength(1);
    expect((await conversations().getById(id))?.qualified).toEqual({ by: OWNER, at: ctx.now });
  });
});
