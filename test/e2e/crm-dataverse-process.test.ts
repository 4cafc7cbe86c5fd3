import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dataverseIdOf } from '../../src/crm/dataverse-crm.ts';
import { crmKeyOf } from '../../src/domain/crm-lead.ts';
import { insertLeads, JANE, leadColumns } from '../fixtures/lead-rows.ts';
import { startBotProcess } from '../support/bot-process.ts';
import { createFakeDataverse } from '../support/fake-dataverse.ts';
import { createFakeSlack } from '../support/fake-slack.ts';
import { leadTableClient, processEnv, uniqueTables } from '../support/test-bot.ts';

// The bot as an operator runs it in Azure with CRM=dataverse and no client secret: its token comes
// from the managed identity (here App Service's endpoint, served by the Dataverse stand-in), through
// @azure/identity's DefaultAzureCredential, as in production.

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

describe('CRM=dataverse in a real bot process, with a managed identity', () => {
  it('gets its token from the managed identity endpoint and writes each posted lead to Dataverse once', async () => {
    const [slack, dataverse] = await Promise.all([createFakeSlack(), createFakeDataverse()]);
    const tables = uniqueTables();
    try {
      const bot = startBotProcess({
        ...processEnv(slack, tables),
        PORT: '0',
        POLL_SCHEDULE: '* * * * * *',
        CRM_SCHEDULE: '* * * * * *',
        SLACK_POST_INTERVAL_MS: '0',
        CRM: 'dataverse',
        DATAVERSE_URL: dataverse.url,
        IDENTITY_ENDPOINT: dataverse.identityEndpoint,
        IDENTITY_HEADER: dataverse.identityHeader,
      });
      children.push(bot.child);
      await bot.ready;
      const ids = await insertLeads(leadTableClient(tables), [
        leadColumns({ CustomerInfo: JSON.stringify({ ...JANE, Email: 'ann@contoso.example' }) }),
        leadColumns({ CustomerInfo: JSON.stringify({ ...JANE, Email: 'bob@fabrikam.example' }) }),
      ]);
      await vi.waitFor(() => expect(dataverse.leads.size).toBe(2), { timeout: 30_000, interval: 200 });
      expect([...dataverse.leads.keys()].sort()).toEqual(ids.map((id) => dataverseIdOf(crmKeyOf(id))).sort());
      expect(dataverse.identityRequests.length).toBeGreaterThan(0);
      expect(new Set(dataverse.identityRequests.map((resource) => resource.replace(/\/+$/, '')))).toEqual(
        new Set([dataverse.url]),
      );
      expect(dataverse.requests.filter((request) => request.status === 401)).toEqual([]);
    } finally {
      await Promise.all([slack.close(), dataverse.close()]);
    }
  }, 60_000);
});
