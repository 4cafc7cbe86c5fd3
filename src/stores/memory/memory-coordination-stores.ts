import type { CursorStore, PollCursor } from '../cursor-store.ts';
import type { DeliveryStore } from '../delivery-store.ts';
import type { LeaseStore } from '../lease-store.ts';
import type { OnceStore } from '../once-store.ts';
import type { PendingStore } from '../pending-store.ts';

// The small coordination stores in this process's memory, for services' and jobs' unit tests: each
// keeps its Azure adapter's contract (test/stores/coordination-stores.contract.test.ts).

export function createMemoryOnceStore(): OnceStore {
  const claimed = new Set<string>();
  return {
    async claim(key) {
      if (claimed.has(key)) return false;
      claimed.add(key);
      return true;
    },
  };
}

export function createMemoryCursorStore(): CursorStore {
  // Table names are case-insensitive, so the key is too.
  const cursors = new Map<string, PollCursor>();
  return {
    async get(table) {
      return cursors.get(table.toLowerCase()) ?? null;
    },
    async create(table, at) {
      if (cursors.has(table.toLowerCase())) return 'exists';
      cursors.set(table.toLowerCase(), { position: at, floor: at });
      return 'created';
    },
    async advance(table, to) {
      const current = cursors.get(table.toLowerCase());
      if (current && current.position.getTime() < to.getTime())
        cursors.set(table.toLowerCase(), { ...current, position: to });
    },
  };
}

export function createMemoryLeaseStore(): LeaseStore {
  let lease: { holder: string; expiresAt: Date } | null = null;
  return {
    async acquire(holder, now, ttlMs) {
      if (lease !== null && lease.holder !== holder && lease.expiresAt.getTime() > now.getTime())
        return false;
      lease = { holder, expiresAt: new Date(now.getTime() + ttlMs) };
      return true;
    },
    async release(holder) {
      if (lease?.holder === holder) lease = null;
    },
    async holder(now) {
      return lease !== null && lease.expiresAt.getTime() > now.getTime() ? lease.holder : null;
    },
  };
}

export function createMemoryDeliveryStore(): DeliveryStore {
  const steps = new Map<string, { sent: boolean }>();
  return {
    async begin(key) {
      const step = steps.get(key);
      if (step === undefined) {
        steps.set(key, { sent: false });
        return 'begun';
      }
      return step.sent ? 'sent' : 'unknown';
    },
    async finish(key) {
      steps.set(key, { sent: true });
    },
  };
}

export function createMemoryPendingStore(): PendingStore {
  const pending = new Map<string, { payload: string; by: string; at: Date }>();
  let ids = 0;
  return {
    async put(payload, by, at) {
      // Like the Azure adapter's: 24 hex digits.
      const id = (++ids).toString(16).padStart(24, '0');
      pending.set(id, { payload, by, at });
      return id;
    },
    async take(id, now, maxAgeMs) {
      const entry = pending.get(id);
      if (entry === undefined) return null;
      pending.delete(id);
      return now.getTime() - entry.at.getTime() > maxAgeMs ? null : { payload: entry.payload, by: entry.by };
    },
  };
}
