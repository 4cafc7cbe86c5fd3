import { addHours } from 'date-fns/addHours';
import { describe, expect, inject, it, vi } from 'vitest';
import { createAzureConversationStore } from '../../src/stores/azure/azure-conversation-store.ts';
import { createTableClient } from '../../src/stores/azure/tables.ts';
import { insertLeads, JANE, leadColumns } from '../fixtures/lead-rows.ts';
import { postToSlackEndpoint, slashCommandBody } from '../support/slack-requests.ts';
import { LEADS_CHANNEL, leadTableClient, SIGNING_SECRET, useStartedBot } from '../support/test-bot.ts';

const ctx = useStartedBot(
  { ADMIN_USER_IDS: 'U0ADMIN', MANAGER_USER_IDS: 'U0BOSS' },
  { controlledClock: true },
);

async function leads(text: string, user: string): Promise<string[]> {
  const before = ctx.slack.callsTo('response_url').length;
  await postToSlackEndpoint(
    ctx.port,
    slashCommandBody({ text, userId: user, responseUrl: ctx.slack.responseUrl }),
    {
      secret: SIGNING_SECRET,
    },
  );
  await vi.waitFor(() => expect(ctx.slack.callsTo('response_url').length).toBe(before + 1));
  const blocks = ctx.slack.callsTo('response_url').at(-1)?.args.blocks as Array<{
    text?: { text: string };
    elements?: Array<{ text: string }>;
  }>;
  return blocks.map((block) => block.text?.text ?? block.elements?.map((e) => e.text).join(' ') ?? '');
}

const conversations = () =>
  createAzureConversationStore(
    createTableClient(inject('azureConnectionString'), `${ctx.tables.statePrefix}Conversations`),
  );

/** Posts leads for the given companies; returns their conversation ids in order. */
async function postLeads(companies: string[], columns = {}) {
  await insertLeads(
    leadTableClient(ctx.tables),
    companies.map((company, i) =>
      leadColumns({
        CustomerInfo: JSON.stringify({
          ...JANE,
          Company: company,
          Email: `${company.replace(/\W/g, '')}${i}@x.example`,
        }),
        ...columns,
      }),
    ),
  );
  await ctx.bot.jobs.poll();
  const ids: string[] = [];
  for (const message of ctx.slack.messages.filter((m) => m.metadata !== undefined)) {
    const conversation = await conversations().findByMessage(message.channel, message.ts);
    if (conversation) ids.push(conversation.id);
  }
  return ids;
}

describe('/leads mine, overdue and stats', () => {
  it('lists my open leads, soonest due first, with links', async () => {
    const [a, b, c] = await postLeads(['Alpha', 'Beta', 'Gamma']);
    await conversations().setOwner(a ?? '', null, 'U0ANNA', ctx.now, true);
    await conversations().setOwner(b ?? '', null, 'U0ANNA', ctx.now, true);
    await conversations().setOwner(c ?? '', null, 'U0BEN', ctx.now, true);
    const lines = await leads('mine', 'U0ANNA');
    expect(lines[0]).toBe('*Your open leads* (2)');
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(
        /^• \*Jane Doe · Alpha\* — Test Drive started · <@U0ANNA> · arrived <!date.*· ⏰ due <!date.*· <https:\/\/example\.slack\.com\/archives\/.*\|open>$/,
      ),
      expect.stringMatching(/^• \*Jane Doe · Beta\* — Test Drive started · <@U0ANNA>/),
    ]);
    expect(await leads('mine', 'U0NOBODY')).toEqual(['*Your open leads*\nYou own no open leads.']);
  });

  it('lists overdue follow-ups, most overdue first, across owners, and pages a long list', async () => {
    const ids = await postLeads(
      Array.from({ length: 22 }, (_, i) => `Company ${String(i).padStart(2, '0')} <!here>`),
    );
    await conversations().setOwner(ids[0] ?? '', null, 'U0ANNA', ctx.now, true);
    await conversations().recordFollowUp(ids[1] ?? '', {
      by: 'U0ANNA',
      at: ctx.now,
      kind: 'call',
      note: null,
      nextStepOn: null,
    });
    expect(await leads('overdue', 'U0ANNA')).toEqual([
      '*Overdue follow-ups in the channels you are in*\nNothing is overdue. 🎉',
    ]);

    ctx.now = addHours(ctx.now, 26);
    const first = await leads('overdue', 'U0ANNA');
    expect(first[0]).toBe('*Overdue follow-ups in the channels you are in* (page 1 of 2, 21 in all)');
    expect(first[1]).toMatch(
      /^• \*Jane Doe · Company 00 &lt;!here&gt;\* — Test Drive started · <@U0ANNA> · arrived .* · 🔴 \*2h\d*m? late\*/,
    );
    expect(first).toHaveLength(22);
    expect(first.at(-1)).toBe('Next page: `/leads overdue 2`');
    const second = await leads('overdue 2', 'U0ANNA');
    expect(second[0]).toBe('*Overdue follow-ups in the channels you are in* (page 2 of 2, 21 in all)');
    expect(second).toHaveLength(2);
  });

  it('reports speed to lead, SLA hit rate, sources, actions and reps', async () => {
    const [a, b] = await postLeads(['Alpha', 'Beta']);
    await postLeads(['Gamma'], { LeadSource: 'SPZA-PLT|x', ActionCode: 'PLT' });
    await conversations().setOwner(a ?? '', null, 'U0ANNA', ctx.now, true);
    const arrival = (await conversations().getById(a ?? ''))?.stages[0]?.at ?? ctx.now;
    await conversations().recordFollowUp(a ?? '', {
      by: 'U0ANNA',
      at: addHours(arrival, 2),
      kind: 'call',
      note: null,
      nextStepOn: null,
    });
    await conversations().setOwner(b ?? '', null, 'U0BEN', ctx.now, true);
    ctx.now = addHours(ctx.now, 30);
    const [summary, reps, tiers] = await leads('stats 7d', 'U0ANNA');
    expect(summary).toBe(
      [
        '*Last 7 days*: 3 lead(s)',
        '*Speed to lead*: median 2h, 90th percentile 2h (1 followed up)',
        // Gamma (Contact me) is chased too, by default: late, like Beta.
        '*SLA hit rate*: 33% (1 in time, 2 late, 0 pending)',
        '*By source*: AzureMarketplace 2, AppSource 1',
        '*By action*: StartTestDrive 2, PLT 1',
      ].join('\n'),
    );
    expect(reps).toBe(
      '*Per rep*\n• <@U0ANNA>: 1 lead(s), speed to lead 2h (median), SLA 100%\n• <@U0BEN>: 1 lead(s), speed to lead — (median), SLA 0%',
    );
    // Alpha and Beta were owned at once, Gamma never; Alpha was first touched after 2 hours.
    expect(tiers).toBe(
      [
        '*Speed to lead against the tiers* (share of the leads decided so far)',
        '• Claimed within 5 min: 67% (2 of 3)',
        '• First touch within 1 h: 0% (0 of 3)',
        '• First touch within 24 h: 33% (1 of 3)',
        '*By rep*',
        '• <@U0ANNA>: claimed 5 min 100% · 1 h 0% · 24 h 100%',
        '• <@U0BEN>: claimed 5 min 100% · 1 h 0% · 24 h 0%',
        '*By action*',
        '• Test Drive started: claimed 5 min 100% · 1 h 0% · 24 h 50%',
        '• Contact me: claimed 5 min 0% · 1 h 0% · 24 h 0%',
      ].join('\n'),
    );
  });
});

describe('what each user may see of other teams', () => {
  it('lists overdue leads and figures only of channels the asker is in; managers see every team', async () => {
    await leads('route offer=contoso.secret <#C0PRIVATE|deals>', 'U0ADMIN');
    await postLeads(['Secret'], {
      ProductId: 'contoso.secret',
      LeadSource: 'AzureMarketplace-StartTestDrive|contoso.secret',
    });
    await postLeads(['Public']);
    expect(
      ctx.slack.messages
        .filter((m) => m.metadata !== undefined)
        .map((m) => m.channel)
        .sort(),
    ).toEqual(['C0PRIVATE', LEADS_CHANNEL]);
    ctx.slack.setMembership('U0REP', [LEADS_CHANNEL]);
    ctx.now = addHours(ctx.now, 26);

    const repOverdue = await leads('overdue', 'U0REP');
    expect(repOverdue[0]).toBe('*Overdue follow-ups in the channels you are in* (1)');
    expect(repOverdue.join('\n')).toContain('Public');
    expect(repOverdue.join('\n')).not.toContain('Secret');
    const [repStats] = await leads('stats 7d', 'U0REP');
    expect(repStats).toMatch(/^\*Last 7 days\*: 1 lead\(s\)/);

    const bossOverdue = await leads('overdue', 'U0BOSS');
    expect(bossOverdue[0]).toBe('*Overdue follow-ups* (2)');
    const [bossStats] = await leads('stats 7d', 'U0BOSS');
    expect(bossStats).toMatch(/^\*Last 7 days\*: 2 lead\(s\)/);

    // Someone in no channel sees nothing, not everything.
    ctx.slack.setMembership('U0OUTSIDER', []);
    expect(await leads('overdue', 'U0OUTSIDER')).toEqual([
      '*Overdue follow-ups in the channels you are in*\nNothing is overdue. 🎉',
    ]);
  });
});
