import type { ChildProcess } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { crmKeyOf } from '../../src/domain/crm-lead.ts';
import { LEAD_EVENT_TYPE } from '../../src/slack/slack-adapter.ts';
import { insertLeadsInBulk, JANE, leadColumns } from '../fixtures/lead-rows.ts';
import { startBotProcess } from '../support/bot-process.ts';
import { createFakeHubSpot, type FakeHubSpot } from '../support/fake-hubspot.ts';
import { createFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import { leadTableClient, processEnv, type TestTables, uniqueTables } from '../support/test-bot.ts';

// Real bot processes with CRM=hubspot, against HubSpot's stand-in losing answers after it wrote, and
// a process SIGKILLed every few seconds: every lead in HubSpot once, none lost, Slack unaffected.

let slack: FakeSlack;
let hubspot: FakeHubSpot;
let tables: TestTables;
const processes: ChildProcess[] = [];

beforeEach(async () => {
  slack = await createFakeSlack();
  hubspot = await createFakeHubSpot({ latencyMs: 20 });
  tables = uniqueTables();
});

afterEach(async () => {
  for (const child of processes.splice(0)) child.kill('SIGKILL');
  await Promise.all([slack.close(), hubspot.close()]);
});

function startProcess() {
  const bot = startBotProcess({
    ...processEnv(slack, tables),
    PORT: '0',
    POLL_SCHEDULE: '* * * * * *',
    CRM_SCHEDULE: '* * * * * *',
    LEASE_SECONDS: '3',
    CLAIM_TIMEOUT_SECONDS: '2',
    SLACK_TIMEOUT_SECONDS: '1',
    SLACK_POST_INTERVAL_MS: '0',
    LOG_LEVEL: 'info',
    CRM: 'hubspot',
    HUBSPOT_TOKEN: hubspot.token,
    HUBSPOT_API_URL: hubspot.apiUrl,
    HUBSPOT_REQUESTS_PER_10_SECONDS: '1000',
    // A write taken by a killed process is free again after 4 × 1 + 10 s.
    CRM_TIMEOUT_SECONDS: '1',
  });
  processes.push(bot.child);
  return bot;
}

describe('CRM hand-off across processes', () => {
  it('writes 300 leads to HubSpot once each while answers are lost and a process is SIGKILLed every 3 s', async () => {
    // 250 customers, 50 of whom come back: 300 deals, 250 contacts.
    const rows = Array.from({ length: 300 }, (_, i) =>
      leadColumns({
        LeadSource: 'SPZA-PLT|x',
        ActionCode: 'PLT',
        CustomerInfo: JSON.stringify({ ...JANE, Email: `crm${i % 250}@x.example` }),
      }),
    );
    const keys = (await insertLeadsInBulk(leadTableClient(tables), rows)).map(crmKeyOf);
    hubspot.loseRandomly(0.1);
    const alive = [startProcess(), startProcess(), startProcess()];
    await Promise.all(alive.map((bot) => bot.ready));
    let kills = 0;
    while (kills < 6) {
      await new Promise((resolve) => setTimeout(resolve, 3_000)); // the fault's rhythm, not a wait for a result
      const victim = alive.splice(Math.floor(Math.random() * alive.length), 1)[0];
      victim?.child.kill('SIGKILL');
      kills += 1;
      const replacement = startProcess();
      alive.push(replacement);
      await replacement.ready;
    }
    expect(kills).toBeGreaterThan(0);
    hubspot.loseRandomly(0);
    // Every lead's deal, each associated with its customer's contact. A write that failed k times waits
    // at most 30 s × 2^(k-1) for its next attempt, which now succeeds.
    await vi.waitFor(() => expect(hubspot.associations.size).toBe(rows.length), {
      timeout: 150_000,
      interval: 500,
    });
    const dealKeys = [...hubspot.deals.values()].map((deal) => deal.properties.marketplace_lead_key);
    expect(dealKeys.sort()).toEqual([...keys].sort());
    expect(hubspot.contacts.size).toBe(250);
    expect(hubspot.dealsCreated()).toBe(rows.length);
    expect(hubspot.requests.filter((request) => request.status === 0).length).toBeGreaterThan(0);
    // Slack got every lead once, too.
    const posts = slack.messages.filter((m) => m.metadata?.event_type === LEAD_EVENT_TYPE);
    expect(new Set(posts.map((post) => post.metadata?.event_payload.lead_rk)).size).toBe(rows.length);
    expect(posts).toHaveLength(rows.length);
  }, 300_000);
});
