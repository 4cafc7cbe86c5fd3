import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { insertLeads, leadColumns } from '../fixtures/lead-rows.ts';
import { createFakeSlack } from '../support/fake-slack.ts';
import { createTcpProxy } from '../support/tcp-proxy.ts';
import { createTestBot, leadTableClient, uniqueTables } from '../support/test-bot.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('the table service down at the very first start', () => {
  it('creates its tables, takes the lease and posts every lead once the service is back; health says why until then', {
    timeout: 60_000,
  }, async () => {
    const slack = await createFakeSlack();
    cleanups.push(() => slack.close());
    const azurite = inject('azureConnectionString');
    const proxy = await createTcpProxy(Number(/:(\d+)\//.exec(azurite)?.[1]));
    cleanups.push(() => proxy.down());
    const tables = uniqueTables();
    const bot = await createTestBot({
      slack,
      tables,
      env: { AZURE_TABLES_CONNECTION_STRING: azurite.replace(/:\d+\//, `:${proxy.port}/`) },
    });
    cleanups.push(() => bot.stop());
    await bot.start();

    bot.pollNow(); // the scheduled path: lease first, as in production
    // The storage client retries a refused connection a few times (seconds) before it gives up.
    await vi.waitFor(
      () => expect(bot.health.report()).toMatchObject({ status: 'degraded', lastPoll: { ok: false } }),
      { timeout: 20_000, interval: 200 },
    );

    await proxy.up();
    const keys = await insertLeads(leadTableClient(tables), [leadColumns(), leadColumns()]);
    bot.pollNow();
    await vi.waitFor(
      () => expect(slack.messages.filter((m) => m.metadata !== undefined)).toHaveLength(keys.length),
      { timeout: 10_000 },
    );
    // The poll records its outcome once its last lead is posted.
    await vi.waitFor(() =>
      expect(bot.health.report()).toMatchObject({ status: 'ok', leader: true, lastPoll: { ok: true } }),
    );
  });
});
