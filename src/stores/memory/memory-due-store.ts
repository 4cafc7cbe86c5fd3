import type { ClaimedDueItem, DueItem, DueStore } from '../due-store.ts';

// The due store in this process's memory, for services' and jobs' unit tests: it keeps the Azure
// adapter's contract (test/stores/due-store.contract.test.ts).

const keyOf = (item: DueItem) => `${item.at.toISOString()}|${item.conversationId}|${item.kind}`;

export function createMemoryDueStore(): DueStore {
  const items = new Map<
    string,
    { item: DueItem; claimedBy: string | null; claimedAt: Date | null; etag: number }
  >();
  let nextEtag = 1;
  return {
    async schedule(item) {
      const key = keyOf(item);
      if (!items.has(key)) items.set(key, { item, claimedBy: null, claimedAt: null, etag: nextEtag++ });
    },
    async listDue(now, limit) {
      // Ordered as the Azure adapter's row keys are: by time, then conversation and kind.
      return [...items.entries()]
        .filter(([, entry]) => entry.item.at.getTime() <= now.getTime())
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .slice(0, limit)
        .map(([, entry]) => entry.item);
    },
    async claim(item, by, at, timeoutMs) {
      const entry = items.get(keyOf(item));
      if (entry === undefined) return null;
      if (entry.claimedBy && entry.claimedAt && at.getTime() - entry.claimedAt.getTime() < timeoutMs)
        return null;
      const etag = nextEtag++;
      items.set(keyOf(item), { ...entry, claimedBy: by, claimedAt: at, etag });
      return { ...item, etag: String(etag) };
    },
    async complete(item: ClaimedDueItem) {
      const entry = items.get(keyOf(item));
      if (entry !== undefined && String(entry.etag) === item.etag) items.delete(keyOf(item));
    },
  };
}
