import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { createFakeSlack } from '../support/fake-slack.ts';
import { createTcpProxy } from '../support/tcp-proxy.ts';
import { createTestBot, uniqueTables } from '../support/test-bot.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('a standby replica and a storage outage', () => {
  it('is unready while it cannot reach storage, and ready again once it can, though it never polls', {
    timeout: 60_000,
  }, async () => {
    const slack = await createFakeSlack();
    cleanups.push(() => slack.close());
    const azurite = inject('azureConnectionString');
    const tables = uniqueTables();
    // The leader reaches Azurite directly; the standby through a proxy that can be cut.
    const leader = await createTestBot({ slack, tables });
    cleanups.push(() => leader.stop());
    await leader.start();
    const proxy = await createTcpProxy(Number(/:(\d+)\//.exec(azurite)?.[1]));
    cleanups.push(() => proxy.down());
    await proxy.up();
    const standby = await createTestBot({
      slack,
      tables,
      env: { AZURE_TABLES_CONNECTION_STRING: azurite.replace(/:\d+\//, `:${proxy.port}/`) },
    });
    cleanups.push(() => standby.stop());
    await standby.start();

    leader.pollNow();
    await vi.waitFor(() => expect(leader.health.report()).toMatchObject({ leader: true, ready: true }));
    standby.pollNow(); // as the schedule does: a lease request, answered "held by another"
    await vi.waitFor(() => expect(standby.health.report()).toMatchObject({ leader: false, ready: true }), {
      timeout: 10_000,
    });

    await proxy.down();
    standby.pollNow();
    await vi.waitFor(() => expect(standby.health.report()).toMatchObject({ ready: false }), {
      timeout: 20_000,
      interval: 200,
    });
    expect(standby.health.report().problems).toEqual([expect.stringMatching(/^the last poll failed: /)]);

    await proxy.up();
    standby.pollNow();
    await vi.waitFor(
      () => expect(standby.health.report()).toMatchObject({ leader: false, ready: true, problems: [] }),
      { timeout: 20_000, interval: 200 },
    );
  });
});
