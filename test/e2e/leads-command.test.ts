import { describe, expect, inject, it, vi } from 'vitest';
import { createAzureAuditLog } from '../../src/stores/azure/azure-audit-log.ts';
import { createTableClient } from '../../src/stores/azure/tables.ts';
import { insertLeads, leadColumns } from '../fixtures/lead-rows.ts';
import { blockActionsBody, postToSlackEndpoint, slashCommandBody } from '../support/slack-requests.ts';
import {
  createTestBot,
  LEADS_CHANNEL,
  leadsCommandAnswer,
  leadTableClient,
  SIGNING_SECRET,
  useStartedBot,
  visibleText,
} from '../support/test-bot.ts';

const ADMIN = 'U0ADMIN01';
const ctx = useStartedBot({ ADMIN_USER_IDS: ADMIN });

const leads = (text: string, user = ADMIN) => leadsCommandAnswer(ctx, text, user);

const audit = () =>
  createAzureAuditLog(
    createTableClient(inject('azureConnectionString'), `${ctx.tables.statePrefix}Audit`),
  ).latest(10);

describe('/leads for admins', () => {
  it('changes an SLA, answers with before and after, and audits it', async () => {
    expect(await leads('sla Create 4h')).toBe('SLA for Create: 1d ⟶ 4h. New Create leads use it.');
    const [entry] = await audit();
    expect(entry).toMatchObject({
      by: ADMIN,
      command: 'sla Create 4h',
      allowed: true,
      before: '1d',
      after: '4h',
    });
  });

  it('refuses a non-admin clearly, changes nothing, and audits the attempt', async () => {
    expect(await leads('sla Create 1m', 'U0REP0001')).toBe(
      '⛔ `/leads sla` is for admins only. Ask an admin to run it, or to add you with `/leads admins add`.',
    );
    expect(await audit()).toMatchObject([
      { by: 'U0REP0001', command: 'sla Create 1m', allowed: false, before: null, after: null },
    ]);
    expect(await leads('rules')).toContain('Create 1d');
  });

  it.each([
    [
      'sla Create tomorrow',
      '⚠️ "tomorrow" is not a duration from 1m to 90d, like 30m, 4h, 24h or 2d.\nTry: `/leads sla PLT 1h` (or `/leads help` for every command).',
    ],
    [
      'sla Create 99999999d',
      '⚠️ "99999999d" is not a duration from 1m to 90d, like 30m, 4h, 24h or 2d.\nTry: `/leads sla PLT 1h` (or `/leads help` for every command).',
    ],
    [
      'stale 99999999d',
      expect.stringMatching(/^⚠️ Give a duration from 1m to 90d, like 30m, 4h, 24h or 2d, or off\./),
    ],
    [
      'unclaimed 5000d',
      expect.stringMatching(/^⚠️ Give a duration from 1m to 90d, like 30m, 4h, 24h or 2d, or off\./),
    ],
    [
      'rotation accept <#C0SALES|sales> 99999999d',
      expect.stringMatching(/^⚠️ Give the channel, a time to accept \(a duration from 1m to 90d/),
    ],
    ['away until 2027-02-31', expect.stringMatching(/^⚠️ 2027-02-31 is not a day of the calendar\./)],
    ['overdue 0', expect.stringMatching(/^⚠️ The page must be a page number from 1, like 2\./)],
    [
      'sla Buy 4h',
      '⚠️ "Buy" is not an action: use PLT, INS, DNC, Create, StartTestDrive, other.\nTry: `/leads sla PLT 1h` (or `/leads help` for every command).',
    ],
    [
      'route offer=contoso.*',
      '⚠️ The last argument must be the channel to route to, like #sales.\nTry: `/leads route offer=contoso.* country=DE #sales-emea` (or `/leads help` for every command).',
    ],
    [
      'hours <#C0SALES|sales> weekdays',
      expect.stringMatching(/^⚠️ Business hours: expected days, hours and a time zone/),
    ],
    [
      'unroute 5',
      '⚠️ There is no rule 5: there are 0.\nTry: `/leads unroute 2` (or `/leads help` for every command).',
    ],
    ['frobnicate', '⚠️ Unknown command "frobnicate".\nTry: `/leads help`.'],
  ])('answers a bad command %j with what was wrong and an example', async (text, answer) => {
    expect(await leads(text)).toEqual(answer);
  });

  it('checks rights before reading arguments: a non-admin with a malformed command is refused and audited', async () => {
    expect(await leads('sla Create tomorrow', 'U0REP0001')).toMatch(/^⛔ `\/leads sla` is for admins only/);
    expect(await leads(`rules import ${'['.repeat(20_000)}`, 'U0REP0001')).toMatch(/is for admins only/);
    const entries = await audit();
    expect(entries.map((entry) => [entry.by, entry.allowed, entry.command.length <= 1000])).toEqual([
      ['U0REP0001', false, true],
      ['U0REP0001', false, true],
    ]);
  });

  it('answers a 10,000-character command within Slack’s limits, showing what was typed literally', async () => {
    const typed = `*EVIL*<!channel>https://evil.example${'x'.repeat(10_000)}`;
    const response = await postToSlackEndpoint(
      ctx.port,
      slashCommandBody({ text: `sla ${typed} 4h`, userId: ADMIN, responseUrl: ctx.slack.responseUrl }),
      { secret: SIGNING_SECRET },
    );
    expect(response.status).toBe(200);
    await vi.waitFor(() => expect(ctx.slack.callsTo('response_url')).toHaveLength(1));
    const answer = ctx.slack.callsTo('response_url')[0]?.args as {
      text: string;
      blocks: Array<{ text: { text: string } }>;
    };
    expect(answer.text.length).toBeLessThanOrEqual(4000);
    expect(answer.blocks[0]?.text.text.length).toBeLessThanOrEqual(3000);
    expect(answer.blocks[0]?.text.text).toMatch(
      /^⚠️ "\u200B\*\u200BEVIL\u200B\*\u200B&lt;!channel&gt;https:\u200B\/\/evil\.\u200Bexamplex+… \(truncated\)$/,
    );
  });

  it('routes new leads by a rule added in Slack, shown with /leads routes', async () => {
    expect(await leads('route offer=contoso.* <#C0EMEA0001|sales-emea>')).toBe(
      `Routing rules:\n1. offer=contoso.* → <#C0EMEA0001>\notherwise → <#${LEADS_CHANNEL}> (LEADS_CHANNEL)`,
    );
    await leads('route country=DE <#C0GERMANY|de>');
    await leads('route move 2 1');
    expect(await leads('routes')).toBe(
      `1. country=DE → <#C0GERMANY>\n2. offer=contoso.* → <#C0EMEA0001>\notherwise → <#${LEADS_CHANNEL}> (LEADS_CHANNEL)`,
    );
    await insertLeads(leadTableClient(ctx.tables), [leadColumns()]);
    await ctx.bot.jobs.poll();
    expect(ctx.slack.messages.find((m) => m.metadata !== undefined)?.channel).toBe('C0EMEA0001');
    await leads('unroute 1');
    expect((await audit())[0]).toMatchObject({ command: 'unroute 1', allowed: true });
  });

  it('previews and imports a 40 KB document of 300 routes, answering at each step', async () => {
    const document = {
      routes: Array.from({ length: 300 }, (_, i) => ({
        match: { offer: `contoso.offer-${i}-${'x'.repeat(80)}` },
        channel: 'C0SALES001',
      })),
      rotations: {},
    };
    const json = JSON.stringify(document);
    expect(json.length).toBeGreaterThan(32_768);
    expect(await leads(`rules import ${json}`)).toMatch(/^This import would set:\n1\. offer=contoso/);
    const preview = ctx.slack.callsTo('response_url').at(-1)?.args.blocks as Array<{
      elements?: Array<{ action_id: string; value: string }>;
    }>;
    const importButton = preview
      .flatMap((block) => block.elements ?? [])
      .find((e) => e.action_id === 'rules_import_confirm');
    await postToSlackEndpoint(
      ctx.port,
      blockActionsBody({
        userId: ADMIN,
        actionId: 'rules_import_confirm',
        blockId: 'b',
        value: importButton?.value ?? '',
        responseUrl: ctx.slack.responseUrl,
      }),
      { secret: SIGNING_SECRET },
    );
    await vi.waitFor(() =>
      expect(String(ctx.slack.callsTo('response_url').at(-1)?.args.text)).toMatch(
        /^Imported 300 routing rule\(s\) and 0 rotation\(s\)\./,
      ),
    );
    expect((await audit())[0]).toMatchObject({ command: 'rules import', allowed: true });
  });

  it('answers a route dry run: the rule that matches and why others did not, and who is next, taking no turn', async () => {
    await leads('route country=DE <#C0EMEA001|emea>');
    await leads('route offer=contoso.* <#C0SALES01|sales>');
    await leads('rotation <#C0SALES01|sales> <@U0ANNA> <@U0BEN> <@U0CARL>');
    await leads('rotation pause <@U0ANNA>');
    const dryRun = () => leads('route test offer=contoso.lead-insights country=FR action=Create');
    const expected = [
      '1. country=DE → <#C0EMEA001>: no (country is FR, not DE)',
      '2. offer=contoso.* → <#C0SALES01>: *matches*',
      'The lead goes to <#C0SALES01> (rule 2).',
      'Next in its rotation: <@U0BEN>, after skipping <@U0ANNA> (paused).',
      '_A dry run: no turn was taken, nothing was changed._',
    ].join('\n');
    expect(await dryRun()).toBe(expected);
    expect(await dryRun()).toBe(expected); // the turn is still Ben's
    // And the next real lead there goes to Ben, as the dry run said.
    await insertLeads(leadTableClient(ctx.tables), [leadColumns()]);
    await ctx.bot.jobs.poll();
    expect(
      ctx.slack
        .callsTo('chat.postMessage')
        .filter((call) => String(call.args.text).startsWith('The rotation assigned you'))
        .map((call) => call.args.channel),
    ).toEqual(['U0BEN']);

    expect(await leads('route test country=JP')).toBe(
      [
        '1. country=DE → <#C0EMEA001>: no (country is JP, not DE)',
        '2. offer=contoso.* → <#C0SALES01>: no (offer not given, not contoso.*)',
        `No rule matches: the lead goes to <#${LEADS_CHANNEL}> (LEADS_CHANNEL).`,
        'It has no rotation: the lead waits to be claimed.',
        '_A dry run: no turn was taken, nothing was changed._',
      ].join('\n'),
    );
    expect(await leads('route test colour=blue')).toContain('"colour=blue" is not a lead value');
  });

  it('lets a rep mark themself away and back, a manager anyone; rotations skip them; each change audited', async () => {
    await leads('route offer=* <#C0SALES01|sales>');
    await leads('rotation <#C0SALES01|sales> <@U0ANNA> <@U0BEN>');
    expect(await leads('away until 2099-01-05', 'U0BEN')).toBe(
      '<@U0BEN> is away until 2099-01-05: <#C0SALES01> skip them until then.',
    );
    expect(await leads('away <@U0ANNA>', 'U0BEN')).toContain(
      'Only a manager or an admin can change someone else’s availability.',
    );
    expect(await leads('away until 2020-01-01', 'U0BEN')).toContain('2020-01-01 has begun');
    expect(await leads('away <@U0ANNA>')).toBe(
      '<@U0ANNA> is away until back: <#C0SALES01> skip them until then.',
    );
    expect(await leads('route test offer=x')).toContain(
      'Nobody in its rotation is available (<@U0ANNA> (away until back), <@U0BEN> (away until 2099-01-05))',
    );
    expect(await leads('back', 'U0BEN')).toBe('<@U0BEN> is back: <#C0SALES01> give them leads again.');
    expect(await leads('route test offer=x')).toContain(
      'Next in its rotation: <@U0BEN>, after skipping <@U0ANNA> (away until back).',
    );
    ctx.slack.setUser('U0BEN', { statusEmoji: ':palm_tree:', statusText: 'Holiday' });
    expect(await leads('route test offer=x')).toContain(
      'Nobody in its rotation is available (<@U0ANNA> (away until back), <@U0BEN> (Slack status :palm_tree: Holiday))',
    );
    const entries = await audit();
    expect(entries.find((entry) => entry.by === 'U0BEN' && entry.command === 'back')).toMatchObject({
      allowed: true,
      before: 'away',
      after: 'back',
    });
  });

  it('sets a rotation with mentions, pauses and resumes a rep', async () => {
    expect(await leads('rotation <#C0SALES01|sales> <@U0ANNA|anna> <@U0BEN>')).toBe(
      'Rotation of <#C0SALES01>: no rotation ⟶ <@U0ANNA> → <@U0BEN>',
    );
    expect(await leads('rotation pause <@U0ANNA>')).toBe('<@U0ANNA> is now paused in <#C0SALES01>.');
    expect(await leads('rotation resume <@U0ANNA>')).toBe('<@U0ANNA> is now active in <#C0SALES01>.');
  });

  it('makes someone an admin, who can then change the rules', async () => {
    expect(await leads('admins add <@U0NEWADMIN|new>')).toBe(
      'Admins: <@U0ADMIN01> ⟶ <@U0ADMIN01>, <@U0NEWADMIN>.',
    );
    expect(await leads('escalation <#C0MANAGERS|managers>', 'U0NEWADMIN')).toBe(
      "Escalations go to: each lead's own channel ⟶ <#C0MANAGERS>.",
    );
    expect(await leads('admins remove <@U0ADMIN01>')).toMatch(/through ADMIN_USER_IDS/);
  });

  it('sets active actions and business hours, shown together in /leads rules', async () => {
    await leads('active Create,PLT');
    await leads('sla PLT 4h');
    await leads('hours <#C0SALES01|sales> Mon-Fri 09:00-17:00 Europe/Berlin');
    expect(await leads('rules')).toBe(
      [
        `*Routing*\nall leads → <#${LEADS_CHANNEL}> (LEADS_CHANNEL)`,
        '*Speed to lead*\nno claim SLA; first touch: Create 1d, PLT 4h',
        '*Business hours*\ndefault round the clock; <#C0SALES01> Mon,Tue,Wed,Thu,Fri 09:00-17:00 Europe/Berlin',
        "*Escalations*\neach lead's own channel",
      ].join('\n\n'),
    );
    // A Contact me lead now carries a follow-up deadline: the settings reach the pipeline.
    await insertLeads(leadTableClient(ctx.tables), [
      leadColumns({ LeadSource: 'SPZA-PLT|x', ActionCode: 'PLT' }),
    ]);
    await ctx.bot.jobs.poll();
    const posted = ctx.slack.messages.find((m) => m.metadata !== undefined);
    const status = ((posted?.blocks ?? []) as Array<{ type: string; text?: { text: string } }>).find(
      (block) => block.text?.text.startsWith('🙋 *Unclaimed:*'),
    );
    expect(status?.text?.text).toMatch(/\n⏰ Follow-up due <!date\^\d+\^/);
  });

  it('exports the rules as JSON that import accepts', async () => {
    await leads('route offer=contoso.* <#C0EMEA0001>');
    await leads('rotation <#C0EMEA0001> <@U0ANNA>');
    const exported = await leads('rules export');
    const json = exported.replace(/^```|```$/g, '');
    expect(JSON.parse(json)).toEqual({
      routes: [{ match: { offer: 'contoso.*' }, channel: 'C0EMEA0001' }],
      rotations: { C0EMEA0001: ['U0ANNA'] },
      // The tiers in force (this file's bot: SLA 24h, no claim SLA), so an import sets them as they were.
      sla: {
        claimMinutes: null,
        firstTouchMinutes: { PLT: 1440, INS: 1440, Create: 1440, StartTestDrive: 1440, other: 1440 },
      },
    });
    await leads('unroute 1');
    expect(await leads('rules import {"routes": 1}')).toMatch(
      /^⚠️ The JSON was not imported: "routes" must be a list\./,
    );

    // An import is only previewed: nothing changes until an admin presses Import.
    expect(await leads(`rules import ${json}`)).toBe(
      `This import would set:\n1. offer=contoso.* → <#C0EMEA0001>\notherwise → <#${LEADS_CHANNEL}> (LEADS_CHANNEL)\nSpeed to lead: no claim SLA; first touch: PLT 1d, INS 1d, Create 1d, StartTestDrive 1d, other 1d\nPress *Import* to apply it (within an hour).`,
    );
    expect(await leads('routes')).toBe(`all leads → <#${LEADS_CHANNEL}> (LEADS_CHANNEL)`);
    const preview = ctx.slack.callsTo('response_url').at(-2)?.args.blocks as Array<{
      elements?: Array<{ action_id: string; value: string }>;
    }>;
    const importButton = preview[1]?.elements?.[0];
    expect(importButton?.action_id).toBe('rules_import_confirm');
    const click = (user: string) =>
      postToSlackEndpoint(
        ctx.port,
        blockActionsBody({
          userId: user,
          actionId: 'rules_import_confirm',
          blockId: 'b',
          value: importButton?.value ?? '',
          responseUrl: ctx.slack.responseUrl,
        }),
        { secret: SIGNING_SECRET },
      );

    await click('U0REP0001');
    await vi.waitFor(() =>
      expect(ctx.slack.callsTo('response_url').at(-1)?.args.text).toBe(
        '⛔ Only an admin can confirm an import.',
      ),
    );
    await click(ADMIN);
    await vi.waitFor(() =>
      expect(String(ctx.slack.callsTo('response_url').at(-1)?.args.text)).toMatch(
        /^Imported 1 routing rule\(s\) and 1 rotation\(s\)\./,
      ),
    );
    expect(await leads('routes')).toBe(
      `1. offer=contoso.* → <#C0EMEA0001>\notherwise → <#${LEADS_CHANNEL}> (LEADS_CHANNEL)`,
    );
    expect((await audit()).slice(0, 2)).toMatchObject([
      { command: 'rules import', allowed: true },
      { command: 'rules import (confirm)', by: 'U0REP0001', allowed: false },
    ]);

    // A second press finds nothing to apply.
    await click(ADMIN);
    await vi.waitFor(() =>
      expect(String(ctx.slack.callsTo('response_url').at(-1)?.args.text)).toMatch(
        /already applied, cancelled/,
      ),
    );
  });

  it('lists the latest admin actions with /leads audit', async () => {
    await leads('sla Create 4h');
    await leads('sla Create 1m', 'U0REP0001');
    const blocks = ctx.slack.callsTo('response_url');
    expect(blocks).toHaveLength(2);
    await leads('audit');
    const answer = ctx.slack.callsTo('response_url').at(-1)?.args.blocks as Array<{ text: { text: string } }>;
    expect(answer.map((block) => visibleText(block.text.text))).toEqual([
      expect.stringMatching(/<@U0REP0001> \/leads sla Create 1m — \*refused\* \(not an admin\)$/),
      expect.stringMatching(/<@U0ADMIN01> \/leads sla Create 4h: 1d ⟶ 4h$/),
    ]);
  });

  it('lets Slack workspace admins and owners act as admins only when ALLOW_WORKSPACE_ADMINS is set', async () => {
    expect(await leads('sla Create 4h', 'U0WSADMIN1')).toMatch(/^⛔/);
    await ctx.bot.stop();
    ctx.bot = await createTestBot({
      slack: ctx.slack,
      tables: ctx.tables,
      env: { ADMIN_USER_IDS: ADMIN, ALLOW_WORKSPACE_ADMINS: 'true' },
    });
    ctx.port = (await ctx.bot.start()).port;
    expect(await leads('sla Create 4h', 'U0WSADMIN1')).toBe(
      'SLA for Create: 1d ⟶ 4h. New Create leads use it.',
    );
    expect(await leads('sla Create 2h', 'U0REP0001')).toMatch(/^⛔/);
  });
});
