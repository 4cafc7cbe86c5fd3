import type { IncomingMessage } from 'node:http';
import { addMinutes } from 'date-fns/addMinutes';
import { afterEach, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { decodeConversationRef, LEAD_ACTIONS } from '../../src/slack/blocks/actions.ts';
import { LEAD_EVENT_TYPE } from '../../src/slack/slack-adapter.ts';
import { createAzureConversationStore } from '../../src/stores/azure/azure-conversation-store.ts';
import { createTableClient } from '../../src/stores/azure/tables.ts';
import { insertLeads, JANE, leadColumns } from '../fixtures/lead-rows.ts';
import { createFakeHubSpot, DANA_OWNED_BY_ANNA, type FakeHubSpot } from '../support/fake-hubspot.ts';
import { createFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import { blockActionsBody, postToSlackEndpoint, slashCommandBody } from '../support/slack-requests.ts';
import { startTableProxy, type TableProxy } from '../support/table-proxy.ts';
import {
  createTestBot,
  LEADS_CHANNEL,
  leadTableClient,
  SIGNING_SECRET,
  type TestTables,
  uniqueTables,
} from '../support/test-bot.ts';

// A process stops between two writes. Two bots share the tables; the doomed one reaches them through a
// proxy that, once the chosen write is answered, answers nothing more from it (the process is gone), and
// the survivor settles what it left:
// - a rep's claim, stopped between recording the owner in the conversation and queueing the change for
//   the CRM: the survivor's CRM job writes the change, or drops it;
// - a lead posted to Slack, stopped before the post was recorded: the survivor's poll takes the lead
//   over, finds the card, and routes it as a new post would be (to the customer's CRM owner).

const REP = 'U0REP1'; // u0rep1@team.example in Slack: HubSpot's owner 7001
const ADMIN = 'U0ADMIN01';
type Bot = Awaited<ReturnType<typeof createTestBot>>;
let slack: FakeSlack;
let hubspot: FakeHubSpot;
let tables: TestTables;
let proxy: TableProxy;
let now: Date;
let survivor: Bot;
let survivorPort: number;
let doomed: Bot;
type TableRequest = (req: IncomingMessage, path: string) => boolean;
/** The doomed bot's last write: once it is answered, the proxy answers nothing more from it. */
let lastWrite: TableRequest | null = null;
/** Or the first request the doomed bot makes once this holds: it is not answered, nor anything after. */
let deadOnceTrue: (() => boolean) | null = null;
let dead = false;

beforeEach(async () => {
  slack = await createFakeSlack();
  hubspot = await createFakeHubSpot();
  tables = uniqueTables();
  now = new Date();
  lastWrite = null;
  deadOnceTrue = null;
  dead = false;
  proxy = await startTableProxy(inject('azureConnectionString'), (req, url, res) => {
    if (deadOnceTrue?.()) dead = true;
    if (dead) return new Promise<void>(() => {}); // never answered: the process is gone
    if (lastWrite?.(req, decodeURIComponent(url.pathname))) {
      res.on('finish', () => {
        dead = true;
      });
    }
    return false;
  });
  const env = {
    CRM: 'hubspot',
    HUBSPOT_TOKEN: hubspot.token,
    HUBSPOT_API_URL: hubspot.apiUrl,
    ADMIN_USER_IDS: ADMIN,
  };
  survivor = await createTestBot({ slack, tables, clock: () => now, env });
  doomed = await createTestBot({
    slack,
    tables,
    clock: () => now,
    env: { ...env, AZURE_TABLES_CONNECTION_STRING: proxy.connectionString },
  });
  survivorPort = (await survivor.start()).port;
});

afterEach(async () => {
  await proxy.close(); // the doomed bot's held requests fail, so it can stop
  await Promise.all([survivor.stop(), doomed.stop()]);
  await Promise.all([slack.close(), hubspot.close()]);
});

/** A lead posted and written to HubSpot by the survivor; the value of its card's buttons. */
async function postedLeadWrittenToHubSpot(): Promise<string> {
  await survivor.jobs.poll(); // the first start
  await insertLeads(leadTableClient(tables), [
    leadColumns({ CustomerInfo: JSON.stringify({ ...JANE, Email: 'ann@contoso.example' }) }),
  ]);
  await survivor.jobs.poll();
  expect(await handOff()).toMatchObject({ written: 1, backlog: 0 });
  const card = slack.messages.find((m) => m.metadata?.event_type === LEAD_EVENT_TYPE);
  const blocks = (card?.blocks ?? []) as Array<{ type: string; elements?: { value?: string }[] }>;
  return blocks.find((block) => block.type === 'actions')?.elements?.[0]?.value ?? '';
}

/** The rep clicks Claim on the doomed bot, which dies after `last`; resolves once it has. */
async function claimOnDoomedBot(value: string, last: TableRequest) {
  const { port } = await doomed.start();
  lastWrite = last;
  const body = blockActionsBody({
    userId: REP,
    actionId: LEAD_ACTIONS.claim,
    blockId: 'b',
    value,
    responseUrl: slack.responseUrl,
  });
  // Not awaited: a process that died answers nothing.
  postToSlackEndpoint(port, body, { secret: SIGNING_SECRET }).catch(() => {});
  await vi.waitFor(() => expect(dead).toBe(true), { timeout: 10_000 });
}

const handOff = async () => {
  const run = survivor.jobs.crm;
  if (run === null) throw new Error('no CRM connected');
  return run();
};
const conversations = () =>
  createAzureConversationStore(
    createTableClient(inject('azureConnectionString'), `${tables.statePrefix}Conversations`),
  );
const leadCards = () => slack.messages.filter((m) => m.metadata?.event_type === LEAD_EVENT_TYPE);
const threadTexts = (ts: string | undefined) =>
  slack.messages.filter((m) => m.thread_ts === ts).map((m) => m.text);
const ownerOfDeal = () => [...hubspot.deals.values()][0]?.properties.hubspot_owner_id;
const isWrite = (req: IncomingMessage) => ['PUT', 'MERGE', 'PATCH', 'POST'].includes(req.method ?? '');

describe('a process that stops between recording a claim and queueing it for the CRM', () => {
  it('dies just after the owner is recorded: the claim still reaches the deal', async () => {
    const value = await postedLeadWrittenToHubSpot();
    await claimOnDoomedBot(
      value,
      (req, path) => isWrite(req) && path.includes(`${tables.statePrefix}Conversations(`),
    );
    const conversation = await conversations().getById(decodeConversationRef(value) ?? '');
    expect(conversation?.owner?.userId).toBe(REP);

    expect(await handOff()).toMatchObject({ written: 1, backlog: 0 });
    expect(ownerOfDeal()).toBe('7001');
  });

  it('dies just after the change is queued, before the owner is recorded: nothing reaches the deal', async () => {
    const value = await postedLeadWrittenToHubSpot();
    await claimOnDoomedBot(
      value,
      (req, path) => req.method === 'POST' && path.endsWith(`${tables.statePrefix}Crm`),
    );
    expect((await conversations().getById(decodeConversationRef(value) ?? ''))?.owner).toBeNull();

    // The change may still be recorded by a slow process: it waits, then is dropped.
    expect(await handOff()).toMatchObject({ written: 0, postponed: 1, backlog: 1 });
    now = addMinutes(now, 3);
    expect(await handOff()).toMatchObject({ written: 0, dropped: 1, backlog: 0 });
    expect(ownerOfDeal()).toBeUndefined();
    expect(survivor.log.lines.some((line) => line.message.includes('never recorded in Slack'))).toBe(true);
  });
});

describe('a process that stops after posting a lead, before recording the post', () => {
  it("the next poll takes the lead over and gives it to the customer's CRM owner, not the rotation", async () => {
    hubspot.seedCustomer(DANA_OWNED_BY_ANNA);
    for (const text of [`rotation <#${LEADS_CHANNEL}> <@U0REP2>`, 'route crm-owner on'])
      await postToSlackEndpoint(
        survivorPort,
        slashCommandBody({ text, userId: ADMIN, responseUrl: slack.responseUrl }),
        { secret: SIGNING_SECRET },
      );
    await vi.waitFor(() => expect(slack.callsTo('response_url')).toHaveLength(2));
    await survivor.jobs.poll(); // the first start
    await insertLeads(leadTableClient(tables), [
      leadColumns({ CustomerInfo: JSON.stringify({ ...JANE, Email: 'dana@northwind.example' }) }),
    ]);

    // The doomed bot posts the card, then is gone before its next request to the tables (recording the post).
    deadOnceTrue = () => leadCards().length > 0;
    void doomed.jobs.poll().catch(() => {}); // never ends: its tables stopped answering
    await vi.waitFor(() => expect(dead).toBe(true), { timeout: 10_000 });
    expect(leadCards()).toHaveLength(1);
    const [card] = leadCards();
    expect(threadTexts(card?.ts)).toEqual([]); // nobody was given the lead

    now = addMinutes(now, 6); // the dead process's claim on the lead has expired
    expect(await survivor.jobs.poll()).toMatchObject({ posted: 0, recovered: 1 });
    expect(leadCards()).toHaveLength(1);
    expect(threadTexts(card?.ts)).toContain('🗂️ Assigned to <@U0REP1>: they own this customer in the CRM.');
  });
});
