import { beforeEach, describe, expect, it } from 'vitest';
import { createAzureLeaseStore } from '../../src/stores/azure/azure-lease-store.ts';
import { freshTable } from '../support/azurite.ts';

let lease: ReturnType<typeof createAzureLeaseStore>;
const t = (seconds: number) => new Date(Date.UTC(2026, 0, 5) + seconds * 1000);

beforeEach(async () => {
  lease = createAzureLeaseStore(await freshTable('lease'));
});

describe('jobs lease (Azure Tables)', () => {
  it('goes to exactly one of several processes asking at once, however often they try', async () => {
    for (let round = 0; round < 5; round++) {
      const results = await Promise.all(
        ['a', 'b', 'c', 'd'].map((holder) => lease.acquire(holder, t(round), 60_000)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    }
  });

  it('is kept by a holder that renews it twice at the same moment (two of its jobs starting together)', async () => {
    await lease.acquire('a', t(0), 60_000);
    expect(await Promise.all([lease.acquire('a', t(1), 60_000), lease.acquire('a', t(1), 60_000)])).toEqual([
      true,
      true,
    ]);
  });

  it('is renewed by its holder and refused to others until it expires', async () => {
    expect(await lease.acquire('a', t(0), 60_000)).toBe(true);
    expect(await lease.acquire('b', t(30), 60_000)).toBe(false);
    expect(await lease.acquire('a', t(50), 60_000)).toBe(true); // renewed until t(110)
    expect(await lease.acquire('b', t(100), 60_000)).toBe(false);
    expect(await lease.holder(t(100))).toBe('a');
  });

  it('passes to another process once the holder stops renewing it (a dead holder)', async () => {
    expect(await lease.acquire('a', t(0), 60_000)).toBe(true);
    expect(await lease.acquire('b', t(60), 60_000)).toBe(true);
    expect(await lease.holder(t(61))).toBe('b');
    expect(await lease.acquire('a', t(62), 60_000)).toBe(false);
  });

  it('is free at once when its holder releases it; others cannot release it', async () => {
    await lease.acquire('a', t(0), 60_000);
    await lease.release('b');
    expect(await lease.holder(t(1))).toBe('a');
    await lease.release('a');
    expect(await lease.holder(t(1))).toBeNull();
    expect(await lease.acquire('b', t(1), 60_000)).toBe(true);
  });
});
