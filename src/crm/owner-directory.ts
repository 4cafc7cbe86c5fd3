/** How long a CRM user found (or not found) by e-mail is remembered: a new hire is found within the hour. */
export const OWNER_CACHE_MS = 60 * 60_000;

/**
 * The CRM's users by e-mail, each looked up once an hour at most: every write-back of an owner needs
 * one, and a team has few owners. Failed lookups are not remembered (the write is tried again).
 */
export function createOwnerDirectory(
  lookUp: (email: string) => Promise<string | null>,
  now: () => number = Date.now,
): { idOf(email: string): Promise<string | null> } {
  const known = new Map<string, { id: string | null; at: number }>();
  return {
    async idOf(email) {
      const key = email.trim().toLowerCase();
      const cached = known.get(key);
      if (cached !== undefined && now() - cached.at < OWNER_CACHE_MS) return cached.id;
      const id = await lookUp(key);
      known.set(key, { id, at: now() });
      return id;
    },
  };
}
