import { describe, expect, it, vi } from 'vitest';
import { createLeadership } from '../../src/jobs/leadership.ts';
import { createAzureLeaseStore } from '../../src/stores/azure/azure-lease-store.ts';
import { freshTable } from '../support/azurite.ts';

describe('the jobs lease while a job runs', () => {
  it('is renewed, so a job longer than the lease is never joined by a second process', async () => {
    const lease = createAzureLeaseStore(await freshTable('lease'));
    let now = new Date(Date.UTC(2026, 0, 5, 9));
    const leaseMs = 300;
    const leadership = createLeadership({
      lease,
      processId: 'leader',
      leaseMs,
      clock: () => now,
      onLeaderChange: () => {},
      prepare: async () => {},
    });
    let finish: () => void = () => {};
    const running = leadership.asLeader(() => new Promise<void>((resolve) => (finish = resolve)))();
    await vi.waitFor(async () => expect(await lease.holder(now)).toBe('leader'));

    // Time passes past the first expiry while the job still runs: the holder renewed it meanwhile.
    const firstExpiry = now.getTime() + leaseMs;
    now = new Date(firstExpiry - 50);
    await vi.waitFor(async () => expect(await lease.holder(new Date(firstExpiry + 100))).toBe('leader'));
    now = new Date(firstExpiry + 100);
    expect(await lease.acquire('standby', now, leaseMs)).toBe(false);

    finish();
    await running;
  });
});
