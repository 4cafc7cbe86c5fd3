import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addMinutes } from 'date-fns/addMinutes';
import { addSeconds } from 'date-fns/addSeconds';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { crmKeyOf } from '../../src/domain/crm-lead.ts';
import { literalMrkdwn } from '../../src/domain/mrkdwn.ts';
import { CLOSE_MODAL, FOLLOW_UP_MODAL, LEAD_ACTIONS } from '../../src/slack/blocks/actions.ts';
import { LEAD_EVENT_TYPE } from '../../src/slack/slack-adapter.ts';
import { insertLeads, JANE, leadColumns } from '../fixtures/lead-rows.ts';
import { createFakeHubSpot, DANA_OWNED_BY_ANNA, type FakeHubSpot } from '../support/fake-hubspot.ts';
import { createFakeSalesforce } from '../support/fake-salesforce.ts';
import { createFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import {
  blockActionsBody,
  postToSlackEndpoint,
  slashCommandBody,
  viewSubmissionBody,
} from '../support/slack-requests.ts';
import {
  createTestBot,
  LEADS_CHANNEL,
  leadTableClient,
  SIGNING_SECRET,
  type TestTables,
  uniqueTables,
} from '../support/test-bot.ts';

// The real bot (HTTP mode, Azurite) with CRM=hubspot against HubSpot's stand-in.
const ADMIN = 'U0ADMIN01';
let slack: FakeSlack;
let hubspot: FakeHubSpot;
let tables: TestTables;
let now: Date;
let bot: Awaited<ReturnType<typeof createTestBot>>;
let port: number;

beforeEach(async () => {
  slack = await createFakeSlack();
  hubspot = await createFakeHubSpot();
  tables = uniqueTables();
  now = new Date();
  bot = await createTestBot({
    slack,
    tables,
    clock: () => now,
    env: {
      CRM: 'hubspot',
      HUBSPOT_TOKEN: hubspot.token,
      HUBSPOT_API_URL: hubspot.apiUrl,
      ADMIN_USER_IDS: ADMIN,
    },
  });
  port = (await bot.start()).port;
});

afterEach(async () => {
  await bot.stop();
  await Promise.all([slack.close(), hubspot.close()]);
});

const handOff = async () => {
  const run = bot.jobs.crm;
  if (run === null) throw new Error('no CRM connected');
  return run();
};
const leadPosts = () => slack.messages.filter((m) => m.metadata?.event_type === LEAD_EVENT_TYPE);
const customer = (email: string) => JSON.stringify({ ...JANE, Email: email });
const signed = (body: string) => postToSlackEndpoint(port, body, { secret: SIGNING_SECRET });
const answers = () => slack.callsTo('response_url').map((call) => call.args);
const contextTexts = (blocks: unknown) =>
  (blocks as Array<{ type: string; elements?: { text: string }[] }>)
    .filter((block) => block.type === 'context')
    .flatMap((block) => block.elements?.map((element) => element.text) ?? []);
/** The card's line of what HubSpot knows of the customer (not the record's link). */
const lookupLine = (blocks: unknown) =>
  contextTexts(blocks).find((text) => text.includes('HubSpot') && !text.startsWith('🔗'));

describe('CRM hand-off to HubSpot', () => {
  it('posts to Slack while HubSpot is down, then writes each lead once; DNC and test leads stay out', async () => {
    await bot.jobs.poll(); // the first start
    hubspot.failNext(1_000, 503);
    const leads = await insertLeads(leadTableClient(tables), [
      leadColumns({ CustomerInfo: customer('ann@contoso.example') }),
      leadColumns({ CustomerInfo: customer('bob@fabrikam.example') }),
      leadColumns({ ActionCode: 'DNC', CustomerInfo: customer('carl@other.example') }),
      leadColumns({ CustomerInfo: customer('MSFT_TEST@microsoft.example') }),
    ]);
    expect(await bot.jobs.poll()).toMatchObject({ posted: 4 });
    expect(leadPosts()).toHaveLength(4);

    expect(await handOff()).toMatchObject({ written: 0, postponed: 2, backlog: 2 });
    expect(bot.health.report().crm).toMatchObject({ name: 'HubSpot', backlog: 2, setAside: 0 });
    // Not due again until its backoff passed: a run now asks HubSpot nothing.
    const asked = hubspot.requests.length;
    expect(await handOff()).toMatchObject({ written: 0, postponed: 0, backlog: 2 });
    expect(hubspot.requests.length).toBe(asked);

    hubspot.failNext(0, 503);
    now = addSeconds(now, 31);
    expect(await handOff()).toMatchObject({ written: 2, postponed: 0, backlog: 0 });
    expect([...hubspot.contacts.values()].map((c) => c.properties.email).sort()).toEqual([
      'ann@contoso.example',
      'bob@fabrikam.example',
    ]);
    expect([...hubspot.deals.values()].map((d) => d.properties.marketplace_lead_key).sort()).toEqual(
      [leads[0], leads[1]].map((id) => id && crmKeyOf(id)).sort(),
    );
    // Polled and handed off again: nothing new anywhere.
    expect(await bot.jobs.poll()).toMatchObject({ posted: 0 });
    expect(await handOff()).toMatchObject({ written: 0, backlog: 0 });
    expect(hubspot.deals.size).toBe(2);
    expect(bot.health.report()).toMatchObject({ status: 'ok' });
  });

  it("links the lead's card to its deal once written, and keeps the link when the card changes", async () => {
    await bot.jobs.poll();
    await insertLeads(leadTableClient(tables), [
      leadColumns({ CustomerInfo: customer('ann@contoso.example') }),
    ]);
    await bot.jobs.poll();
    const [post] = leadPosts();
    const contextOf = (blocks: unknown) =>
      (blocks as Array<{ type: string; elements?: { text: string }[] }>)
        .filter((block) => block.type === 'context')
        .flatMap((block) => block.elements?.map((element) => element.text) ?? []);
    // Before the write the card says what HubSpot knew of the customer, but has no link to a record.
    expect(contextOf(post?.blocks)).toContain(
      '🆕 New to HubSpot: no contact or company there matches this customer.',
    );
    expect(contextOf(post?.blocks).some((text) => text.startsWith('🔗'))).toBe(false);

    expect(await handOff()).toMatchObject({ written: 1 });
    const [deal] = [...hubspot.deals.values()];
    const link = `🔗 <https://app-eu1.hubspot.com/contacts/4242/record/0-3/${deal?.id}|Open in HubSpot>`;
    const lastCard = () => slack.callsTo('chat.update').at(-1)?.args;
    expect(lastCard()?.ts).toBe(post?.ts);
    expect(contextOf(lastCard()?.blocks)).toContain(link);

    const blocks = (post?.blocks ?? []) as Array<{ type: string; elements?: { value?: string }[] }>;
    const value = blocks.find((block) => block.type === 'actions')?.elements?.[0]?.value ?? '';
    const updates = slack.callsTo('chat.update').length;
    await signed(
      blockActionsBody({
        userId: 'U0REP1',
        actionId: LEAD_ACTIONS.claim,
        blockId: 'b',
        value,
        responseUrl: slack.responseUrl,
      }),
    );
    await vi.waitFor(() => expect(slack.callsTo('chat.update').length).toBeGreaterThan(updates));
    expect(contextOf(lastCard()?.blocks)).toContain(link);
  });

  it('an answer lost after HubSpot wrote the deal, and a 429 storm, give one deal per lead', async () => {
    await bot.jobs.poll();
    await insertLeads(leadTableClient(tables), [
      leadColumns({ CustomerInfo: customer('ann@contoso.example') }),
      leadColumns({ CustomerInfo: customer('ann@contoso.example'), ActionCode: 'PLT' }),
    ]);
    await bot.jobs.poll();
    hubspot.loseAnswers(2, /deals\/batch/);
    expect(await handOff()).toMatchObject({ written: 0, postponed: 2 });
    expect(hubspot.deals.size).toBe(2); // HubSpot wrote both; the bot did not hear it
    now = addSeconds(now, 31);
    hubspot.failNext(5, 429);
    expect(await handOff()).toMatchObject({ rateLimited: true, written: 0, backlog: 2 });
    // Runs after each wait until the storm is over: the writes that were rate-limited wait HubSpot's 10 s.
    let written = 0;
    for (let run = 0; run < 6 && written < 2; run += 1) {
      now = addSeconds(now, 11);
      written += (await handOff()).written;
    }
    expect(written).toBe(2);
    expect(hubspot.requests.filter((request) => request.status === 429)).toHaveLength(5);
    expect([hubspot.deals.size, hubspot.contacts.size, hubspot.associations.size]).toEqual([2, 1, 2]);
  });

  it('a refused lead is set aside, listed in /leads failed, and written on an admin Retry', async () => {
    await bot.jobs.poll();
    hubspot.refuseProperty('dealname', 'dealname is locked by a validation rule');
    const [lead] = await insertLeads(leadTableClient(tables), [leadColumns()]);
    await bot.jobs.poll();
    expect(leadPosts()).toHaveLength(1);
    expect(await handOff()).toMatchObject({ setAside: 1, backlog: 0 });
    expect(bot.health.report()).toMatchObject({ status: 'degraded', crm: { setAside: 1 } });

    await signed(slashCommandBody({ text: 'failed', userId: ADMIN, responseUrl: slack.responseUrl }));
    await vi.waitFor(() => expect(answers()).toHaveLength(1));
    const list = answers()[0]?.blocks as Array<{ text?: { text: string }; accessory?: { value: string } }>;
    expect(list[0]?.text?.text).toContain('Leads HubSpot refused');
    expect(list[1]?.text?.text.replaceAll('\u200B', '')).toContain('dealname is locked by a validation rule');
    expect(list[1]?.accessory?.value).toBe(lead && crmKeyOf(lead));

    hubspot.refuseProperty('dealname', null);
    for (const userId of ['U0REP0001', ADMIN])
      await signed(
        blockActionsBody({
          userId,
          actionId: LEAD_ACTIONS.retryCrmWrite,
          blockId: 'b',
          value: list[1]?.accessory?.value ?? '',
          responseUrl: slack.responseUrl,
        }),
      );
    await vi.waitFor(() => expect(answers()).toHaveLength(3));
    expect(answers()[1]?.text).toMatch(/^⛔ Only an admin/);
    expect(answers()[2]?.text).toMatch(/^🔁 Retry requested/);
    expect(await handOff()).toMatchObject({ written: 1, setAside: 0 });
    expect(hubspot.deals.size).toBe(1);
    expect(bot.health.report()).toMatchObject({ status: 'ok', crm: { setAside: 0, backlog: 0 } });
  });

  it('a revoked token stops the run and says so in /healthz; the leads wait, nothing is set aside', async () => {
    await bot.jobs.poll();
    await insertLeads(leadTableClient(tables), [
      leadColumns({ CustomerInfo: customer('ann@contoso.example') }),
      leadColumns({ CustomerInfo: customer('bob@fabrikam.example') }),
    ]);
    await bot.jobs.poll();
    hubspot.revokeToken();
    // The writes under way when the refusal came are postponed too (4 run at once); none is set aside.
    expect(await handOff()).toMatchObject({ written: 0, setAside: 0, backlog: 2 });
    expect(bot.health.report().problems.join(' ')).toContain(
      "HubSpot: the CRM refused the bot's credentials",
    );
    hubspot.restoreToken();
    now = addMinutes(now, 2);
    expect(await handOff()).toMatchObject({ written: 2, backlog: 0 });
    expect(bot.health.report().crm).toMatchObject({ problem: null });
  });
});

describe("the admin's CRM field map", () => {
  it('is imported with the rules (a wrong one refused, naming the field) and written on the next deals', async () => {
    await bot.jobs.poll();
    const leads = async (text: string) => {
      const before = answers().length;
      await signed(slashCommandBody({ text, userId: ADMIN, responseUrl: slack.responseUrl }));
      await vi.waitFor(() => expect(answers().length).toBeGreaterThan(before));
      const answer = answers().at(-1);
      // Slack would link "crm.fieldMap" as a web address: the bot breaks it with a zero-width space.
      return { text: String(answer?.text ?? '').replaceAll('\u200B', ''), blocks: answer?.blocks };
    };
    expect((await leads('rules import {"crm":{"fieldMap":{"companySize":"size"}}}')).text).toMatch(
      /^⚠️ The JSON was not imported: crm\.fieldMap\.companySize: Microsoft's leads do not say the company's size/,
    );
    const preview = await leads(
      'rules import {"crm":{"fieldMap":{"offer":"marketplace_offer","action":"marketplace_action"}}}',
    );
    expect(preview.text).toContain('CRM fields: offer → `marketplace_offer`, action → `marketplace_action`');
    const button = (preview.blocks as Array<{ elements?: Array<{ action_id: string; value: string }> }>)[1]
      ?.elements?.[0];
    await signed(
      blockActionsBody({
        userId: ADMIN,
        actionId: 'rules_import_confirm',
        blockId: 'b',
        value: button?.value ?? '',
        responseUrl: slack.responseUrl,
      }),
    );
    await vi.waitFor(() =>
      expect(answers().at(-1)?.text).toMatch(/^Imported 0 routing rule\(s\) and 0 rotation\(s\)\./),
    );

    await insertLeads(leadTableClient(tables), [
      leadColumns({ OfferDisplayName: 'Contoso <b>Analytics</b>', ActionCode: 'FreeTrial' }),
    ]);
    await bot.jobs.poll();
    expect(await handOff()).toMatchObject({ written: 1 });
    expect([...hubspot.deals.values()][0]?.properties).toMatchObject({
      marketplace_offer: 'Contoso <b>Analytics</b>',
      marketplace_action: 'FreeTrial',
    });
  });
});

describe('what HubSpot knows of the customer, on the card', () => {
  it('shows the known contact (owner, open deals, link) on the card as posted, its name as written', async () => {
    const name = '<@U0BOSS> *Dana* <!channel> <https://evil.example|click>';
    hubspot.seedCustomer({
      email: 'dana@northwind.example',
      name,
      createdAt: '2024-03-04T10:00:00.000Z',
      ownerEmail: 'u0rep1@team.example',
      openDeals: 2,
      closedDeals: 1,
    });
    await bot.jobs.poll();
    await insertLeads(leadTableClient(tables), [
      leadColumns({ CustomerInfo: customer('dana@northwind.example') }),
      leadColumns({ CustomerInfo: customer('eve@gmail.com') }),
    ]);
    await bot.jobs.poll();
    const [known, unknown] = leadPosts();
    const line = lookupLine(known?.blocks) ?? '';
    const [contact] = [...hubspot.contacts.values()].filter(
      (c) => c.properties.email === 'dana@northwind.example',
    );
    expect(line).toContain(
      `*Known in HubSpot:* contact ${literalMrkdwn(name)} since <!date^1709546400^{date_short}|2024-03-04>`,
    );
    expect(line).toContain(
      `owner Anna Berg · 2 open deals · <https://app-eu1.hubspot.com/contacts/4242/record/0-1/${contact?.id}|Open contact in HubSpot>`,
    );
    for (const raw of ['<@U0BOSS>', '<!channel>', '<https://evil.example|click>', '*Dana*'])
      expect(line).not.toContain(raw);
    // A mailbox provider's domain is never looked up as a company: the customer is new to HubSpot.
    expect(lookupLine(unknown?.blocks)).toContain('New to HubSpot');
    expect(
      hubspot.requests.filter((request) => request.path === '/crm/v3/objects/companies/search'),
    ).toHaveLength(0);

    // Claimed and written to HubSpot: the card keeps what HubSpot knew, and gains the deal's link.
    const blocks = (known?.blocks ?? []) as Array<{ type: string; elements?: { value?: string }[] }>;
    const value = blocks.find((block) => block.type === 'actions')?.elements?.[0]?.value ?? '';
    await signed(
      blockActionsBody({
        userId: 'U0REP1',
        actionId: LEAD_ACTIONS.claim,
        blockId: 'b',
        value,
        responseUrl: slack.responseUrl,
      }),
    );
    await handOff();
    const lastCard = slack
      .callsTo('chat.update')
      .filter((call) => call.args.ts === known?.ts)
      .at(-1)?.args;
    expect(lookupLine(lastCard?.blocks)).toBe(line);
    expect(contextTexts(lastCard?.blocks).some((text) => text.startsWith('🔗 <'))).toBe(true);
  });

  it('posts without waiting past its 2 s budget, then edits the card when HubSpot answers', async () => {
    hubspot.seedCustomer({
      email: 'dana@northwind.example',
      name: 'Dana',
      createdAt: '2024-03-04T10:00:00.000Z',
      ownerEmail: null,
      openDeals: 0,
      closedDeals: 0,
    });
    await bot.jobs.poll();
    hubspot.setLatency(1_500); // a search, then three calls at once: about 3 s
    await insertLeads(leadTableClient(tables), [
      leadColumns({ CustomerInfo: customer('dana@northwind.example') }),
    ]);
    const started = Date.now();
    expect(await bot.jobs.poll()).toMatchObject({ posted: 1 });
    const [post] = leadPosts();
    expect(lookupLine(post?.blocks)).toBeUndefined();
    // Asserted loosely: the budget is 2 s and HubSpot needs about 3; the point is that Slack did not wait.
    expect(Date.now() - started).toBeLessThan(2_900);
    await vi.waitFor(
      () => {
        const edited = slack
          .callsTo('chat.update')
          .filter((call) => call.args.ts === post?.ts)
          .at(-1);
        expect(lookupLine(edited?.args.blocks)).toContain('*Known in HubSpot:* contact Dana');
      },
      { timeout: 15_000, interval: 100 },
    );
  });
});

describe('what HubSpot knew, for a lead posted without it', () => {
  const lastCard = (ts: string | undefined) =>
    slack
      .callsTo('chat.update')
      .filter((call) => call.args.ts === ts)
      .at(-1)?.args.blocks;

  it('looks the customer up just before the deal is written, so the card shows what HubSpot knew before the bot', async () => {
    // The lookup failed at the post (it could as well have been lost with a process that stopped, or
    // skipped by a post recovered after a crash): nothing was kept for the card.
    hubspot.seedCustomer({
      email: 'dana@northwind.example',
      name: 'Dana',
      createdAt: '2024-03-04T10:00:00.000Z',
      ownerEmail: null,
      openDeals: 1,
      closedDeals: 0,
    });
    await bot.jobs.poll();
    hubspot.failNext(1_000, 503);
    await insertLeads(leadTableClient(tables), [
      leadColumns({ CustomerInfo: customer('dana@northwind.example') }),
      leadColumns({ CustomerInfo: customer('frank@fabrikam.example') }),
    ]);
    await bot.jobs.poll();
    const [known, unknown] = leadPosts();
    expect([lookupLine(known?.blocks), lookupLine(unknown?.blocks)]).toEqual([undefined, undefined]);

    hubspot.failNext(0, 503);
    expect(await handOff()).toMatchObject({ written: 2 });
    expect(lookupLine(lastCard(known?.ts))).toContain('*Known in HubSpot:* contact Dana');
    // Frank is new to HubSpot: looked up after the bot's own write, HubSpot would have known him.
    expect(lookupLine(lastCard(unknown?.ts))).toContain('New to HubSpot');
    expect([...hubspot.contacts.values()].some((c) => c.properties.email === 'frank@fabrikam.example')).toBe(
      true,
    );
  });
});

describe('/leads route crm-owner', () => {
  const leads = async (text: string) => {
    const before = answers().length;
    await signed(slashCommandBody({ text, userId: ADMIN, responseUrl: slack.responseUrl }));
    await vi.waitFor(() => expect(answers().length).toBeGreaterThan(before));
    return `${answers().at(-1)?.text}\n${JSON.stringify(answers().at(-1)?.blocks ?? [])}`.replaceAll(
      '\u200B',
      '',
    );
  };
  const lookupLineOf = (blocks: unknown) => JSON.stringify(blocks ?? []).match(/🗂️[^"]*/)?.[0] ?? '';
  /** Who the lead was given to, as its thread says. */
  const ownerOfPost = async (ts: string | undefined) =>
    slack.messages
      .filter((m) => m.thread_ts === ts)
      .map((m) => m.text.match(/Assigned to <@(\w+)>/)?.[1])
      .find((userId) => userId !== undefined) ?? null;

  it("gives a known customer's lead to its CRM owner before the rotation; the others, and all when off, to the rotation", async () => {
    hubspot.seedCustomer({
      email: 'dana@northwind.example',
      name: 'Dana',
      createdAt: '2024-03-04T10:00:00.000Z',
      ownerEmail: 'u0rep1@team.example', // HubSpot's Anna Berg: U0REP1 in Slack
      openDeals: 1,
      closedDeals: 0,
    });
    expect(await leads(`rotation <#${LEADS_CHANNEL}> <@U0REP2>`)).toContain('U0REP2');
    expect(await leads('route crm-owner maybe')).toContain('Give on or off.');
    expect(await leads('route crm-owner on')).toContain('Routing to the CRM owner: off ⟶ on');
    await bot.jobs.poll();
    await insertLeads(leadTableClient(tables), [
      leadColumns({ CustomerInfo: customer('dana@northwind.example') }),
      leadColumns({ CustomerInfo: customer('erin@contoso.example') }),
    ]);
    await bot.jobs.poll();
    const [known, unknown] = leadPosts();
    expect(await ownerOfPost(known?.ts)).toBe('U0REP1');
    expect(await ownerOfPost(unknown?.ts)).toBe('U0REP2');
    const notes = slack.messages.filter((m) => m.thread_ts === known?.ts).map((m) => m.text);
    expect(notes).toContain('🗂️ Assigned to <@U0REP1>: they own this customer in the CRM.');
    const dm = slack.callsTo('chat.postMessage').find((call) => call.args.channel === 'U0REP1');
    expect(JSON.stringify(dm?.args.blocks)).toContain('You own this customer in the CRM');

    expect(await leads('route crm-owner off')).toContain('Routing to the CRM owner: on ⟶ off');
    // Another customer Anna owns in HubSpot: with routing off, the rotation decides.
    hubspot.seedCustomer({
      email: 'finn@northwind.example',
      name: 'Finn',
      createdAt: '2024-05-01T10:00:00.000Z',
      ownerEmail: 'u0rep1@team.example',
      openDeals: 0,
      closedDeals: 0,
    });
    await insertLeads(leadTableClient(tables), [
      leadColumns({ CustomerInfo: customer('finn@northwind.example') }),
    ]);
    await bot.jobs.poll();
    const latest = leadPosts()
      .filter((m) => m.thread_ts === undefined)
      .at(-1);
    expect(lookupLineOf(latest?.blocks)).toContain('owner Anna Berg');
    expect(await ownerOfPost(latest?.ts)).toBe('U0REP2');
  });
});

describe('/leads route crm-owner, for a post Slack stored but whose answer was lost', () => {
  it("still gives the known customer's lead to its CRM owner, not to the rotation", async () => {
    hubspot.seedCustomer(DANA_OWNED_BY_ANNA);
    const admin = (text: string) =>
      signed(slashCommandBody({ text, userId: ADMIN, responseUrl: slack.responseUrl }));
    await admin(`rotation <#${LEADS_CHANNEL}> <@U0REP2>`);
    await admin('route crm-owner on');
    await vi.waitFor(() => expect(answers()).toHaveLength(2));
    await bot.jobs.poll();
    slack.loseAnswer('chat.postMessage', 'http_500'); // stored, then answered 500
    await insertLeads(leadTableClient(tables), [
      leadColumns({ CustomerInfo: customer('dana@northwind.example') }),
    ]);
    expect(await bot.jobs.poll()).toMatchObject({ posted: 0, recovered: 1 });
    const [post] = leadPosts();
    expect(leadPosts()).toHaveLength(1);
    const notes = slack.messages.filter((m) => m.thread_ts === post?.ts).map((m) => m.text);
    expect(notes).toContain('🗂️ Assigned to <@U0REP1>: they own this customer in the CRM.');
  });
});

describe('write-back to HubSpot of what happens in Slack', () => {
  const REP = 'U0REP1'; // u0rep1@team.example in Slack: HubSpot's owner 7001
  const click = (actionId: string, value: string) =>
    signed(blockActionsBody({ userId: REP, actionId, blockId: 'b', value, responseUrl: slack.responseUrl }));
  const submit = (callbackId: string, value: string, values: Record<string, Record<string, unknown>>) =>
    signed(viewSubmissionBody({ userId: REP, callbackId, privateMetadata: value, values }));
  /** Runs the CRM job until nothing is due, moving the clock past each backoff. */
  const handOffAll = async () => {
    for (let run = 0; run < 12; run += 1) {
      const summary = await handOff();
      if (summary.backlog === 0) return;
      now = addSeconds(now, 31);
    }
    throw new Error('the CRM backlog did not drain');
  };

  it('claim, follow-up and close reach the deal in order, once each, though HubSpot was down and lost an answer', async () => {
    await bot.jobs.poll();
    hubspot.failNext(1_000, 503); // HubSpot is down while the rep works the lead
    await insertLeads(leadTableClient(tables), [
      leadColumns({ CustomerInfo: customer('ann@contoso.example') }),
    ]);
    await bot.jobs.poll();
    const blocks = (leadPosts()[0]?.blocks ?? []) as Array<{ type: string; elements?: { value?: string }[] }>;
    const value = blocks.find((block) => block.type === 'actions')?.elements?.[0]?.value ?? '';
    await click(LEAD_ACTIONS.claim, value);
    await vi.waitFor(() => expect(answers()).toHaveLength(1));
    now = addMinutes(now, 5);
    const hostileNote = 'Called <script>x</script> & sent <@U0BOSS> the *quote*';
    await submit(FOLLOW_UP_MODAL, value, {
      follow_up_kind: { kind: { type: 'radio_buttons', selected_option: { value: 'call' } } },
      follow_up_note: { note: { type: 'plain_text_input', value: hostileNote } },
    });
    now = addMinutes(now, 5);
    await submit(CLOSE_MODAL, value, {
      close_outcome: { outcome: { type: 'radio_buttons', selected_option: { value: 'lost' } } },
      close_reason: { reason: { type: 'plain_text_input', value: 'Chose a competitor' } },
    });
    await vi.waitFor(() => expect(slack.messages.some((m) => m.text.startsWith('🏁'))).toBe(true));
    expect(await handOff()).toMatchObject({ written: 0, postponed: 1, backlog: 4 });

    hubspot.failNext(0, 503);
    hubspot.loseAnswers(1, /objects\/notes$/); // the follow-up's note is made; its answer is lost
    now = addSeconds(now, 31);
    await handOffAll();

    const [deal] = [...hubspot.deals.values()];
    expect(deal?.properties).toMatchObject({ hubspot_owner_id: '7001', dealstage: 'closedlost' });
    const notes = hubspot.notes.map((note) => note.properties.hs_note_body ?? '');
    expect(notes).toHaveLength(2);
    expect(notes[0]).toContain('Call logged in Slack by u0rep1@team.example');
    expect(notes[0]).toContain(
      'Called &lt;script&gt;x&lt;/script&gt; &amp; sent &lt;@U0BOSS&gt; the *quote*',
    );
    expect(notes[1]).toContain('Stage Lost, set in Slack by u0rep1@team.example');
    expect(notes[1]).toContain('Chose a competitor');
    expect(hubspot.notes.every((note) => note.dealId === deal?.id)).toBe(true);
    // Two deal updates (the owner, then the stage Lost: Contacted keeps HubSpot's first stage) and two
    // notes made: the retry after the lost answer found the follow-up's note instead of making another.
    const calls = (method: string, path: string) =>
      hubspot.requests.filter((request) => request.method === method && request.path.startsWith(path));
    expect(calls('PATCH', '/crm/v3/objects/deals/').map((request) => request.status)).toEqual([200, 200]);
    expect(calls('POST', '/crm/v3/objects/notes').map((request) => [request.path, request.status])).toEqual([
      ['/crm/v3/objects/notes', 0],
      ['/crm/v3/objects/notes/search', 200],
      ['/crm/v3/objects/notes', 200],
    ]);
  });
});

describe('CRM hand-off to Salesforce (the bot as configured: JWT login with a key file)', () => {
  it('writes a posted lead to Salesforce once, and again after the session expired', async () => {
    const salesforce = await createFakeSalesforce();
    const folder = await mkdtemp(join(tmpdir(), 'leadbot-sf-'));
    const keyFile = join(folder, 'salesforce.key');
    await writeFile(keyFile, salesforce.privateKey, { mode: 0o600 });
    const sfTables = uniqueTables();
    const sfBot = await createTestBot({
      slack,
      tables: sfTables,
      clock: () => now,
      env: {
        CRM: 'salesforce',
        SALESFORCE_LOGIN_URL: salesforce.loginUrl,
        SALESFORCE_CLIENT_ID: salesforce.clientId,
        SALESFORCE_USERNAME: salesforce.username,
        SALESFORCE_PRIVATE_KEY_FILE: keyFile,
      },
    });
    try {
      await sfBot.jobs.poll();
      const [first, second] = await insertLeads(leadTableClient(sfTables), [
        leadColumns({ CustomerInfo: customer('ann@contoso.example') }),
        leadColumns({ CustomerInfo: customer('bob@fabrikam.example') }),
      ]);
      await sfBot.jobs.poll();
      salesforce.loseAnswers(1);
      // One answer lost after Salesforce wrote the Lead: that write is postponed.
      expect(await sfBot.jobs.crm?.()).toMatchObject({ written: 1, postponed: 1, backlog: 1 });
      expect(salesforce.leads.size).toBe(2);
      // Its retry, after the backoff and with the session expired meanwhile: a new login, the same Lead.
      salesforce.expireSessions();
      now = addSeconds(now, 31);
      expect(await sfBot.jobs.crm?.()).toMatchObject({ written: 1, backlog: 0 });
      expect([...salesforce.leads.keys()].sort()).toEqual(
        [first, second].map((id) => id && crmKeyOf(id)).sort(),
      );
      expect(salesforce.requests.filter((request) => request.path === '/services/oauth2/token')).toHaveLength(
        2,
      );
    } finally {
      await sfBot.stop();
      await salesforce.close();
      await rm(folder, { recursive: true, force: true });
    }
  });
});
