import type { Arrival } from '../../domain/arrival.ts';
import type { ArrivalIndex } from '../arrival-index.ts';
import type { PushRateStore } from '../push-rate-store.ts';

// What the intake of leads keeps, in this process's memory, for services' unit tests: each keeps its
// Azure adapter's contract (test/stores/intake-stores.contract.test.ts).

export function createMemoryArrivalIndex(): ArrivalIndex {
  const latest = new Map<string, Arrival>();
  return {
    async record(key, arrival, isSame) {
      const existing = latest.get(key);
      const mine =
        existing !== undefined &&
        existing.leadId.partitionKey === arrival.leadId.partitionKey &&
        existing.leadId.rowKey === arrival.leadId.rowKey;
      if (existing !== undefined && !mine && isSame(existing)) return { kind: 'same', existing };
      latest.set(key, arrival);
      return { kind: 'recorded' };
    },
  };
}

export function createMemoryPushRateStore(): PushRateStore {
  const counts = new Map<string, number>();
  return {
    async admit(customer, windowStart, limit) {
      const key = `${customer}\n${windowStart.toISOString()}`;
      const count = counts.get(key) ?? 0;
      if (count >= limit) return false;
      counts.set(key, count + 1);
      return true;
    },
  };
}
