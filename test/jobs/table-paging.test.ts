import { afterEach, describe, expect, inject, it } from 'vitest';
import { LEAD_EVENT_TYPE } from '../../src/slack/slack-adapter.ts';
import { createTableClient } from '../../src/stores/azure/tables.ts';
import { insertLeads, JANE, leadColumns } from '../fixtures/lead-rows.ts';
import { createFakeSlack } from '../support/fake-slack.ts';
import { createPagingTableProxy } from '../support/paging-table-proxy.ts';
import { createTestBot, uniqueTables } from '../support/test-bot.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('reading a table the real service pages (empty pages, small pages, continuation tokens)', () => {
  it('polls and sweeps every lead once through empty pages and 2-entity pages', async () => {
    const slack = await createFakeSlack();
    cleanups.push(() => slack.close());
    const proxy = await createPagingTableProxy(inject('azureConnectionString'));
    cleanups.push(() => proxy.close());
    const tables = uniqueTables();
    const bot = await createTestBot({
      slack,
      tables,
      env: { AZURE_TABLES_CONNECTION_STRING: proxy.connectionString },
    });
    cleanups.push(() => bot.stop());
    await bot.jobs.poll(); // the first start

    const keys = await insertLeads(
      createTableClient(inject('azureConnectionString'), tables.leadsTable),
      Array.from({ length: 7 }, (_, i) =>
        leadColumns({ CustomerInfo: JSON.stringify({ ...JANE, Email: `p${i}@x.example` }) }),
      ),
    );
    const before = proxy.emptyPages();
    expect(await bot.jobs.poll()).toMatchObject({ readBy: 'partitions', read: 7, posted: 7 });
    expect(proxy.emptyPages()).toBeGreaterThan(before);
    expect(await bot.jobs.sweep()).toMatchObject({ read: 7, drifted: 0, posted: 0 });
    const posted = slack.messages
      .filter((m) => m.metadata?.event_type === LEAD_EVENT_TYPE)
      .map((m) => m.metadata?.event_payload.lead_rk);
    expect([...posted].sort()).toEqual(keys.map((key) => key.rowKey).sort());
  });
});
