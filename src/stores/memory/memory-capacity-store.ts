import type { CapacityStore } from '../capacity-store.ts';

/** Reps' held places in this process's memory, for services' unit tests; the Azure adapter's contract. */
export function createMemoryCapacityStore(): CapacityStore {
  const held = new Map<string, ReadonlyArray<{ readonly id: string; readonly at: Date }>>();
  return {
    async reserve({ userId, conversationId, cap, openLeads, now, holdMs }) {
      const live = (held.get(userId) ?? []).filter((place) => now.getTime() - place.at.getTime() < holdMs);
      const load = new Set([...openLeads, ...live.map((place) => place.id)]);
      if (load.has(conversationId)) return { ok: true };
      if (load.size >= cap) return { ok: false, load: load.size, held: load.size - new Set(openLeads).size };
      held.set(userId, [...live, { id: conversationId, at: now }]);
      return { ok: true };
    },
    async release(userId, conversationId) {
      held.set(
        userId,
        (held.get(userId) ?? []).filter((place) => place.id !== conversationId),
      );
    },
  };
}
