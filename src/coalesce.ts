/** A run that never overlaps itself: see `coalesce`. */
export interface Coalesced<T> {
  (): Promise<T>;
  /** Resolves once no run is in progress or waiting (whatever they resolved to). */
  settled(): Promise<void>;
}

/**
 * One run of `run` at a time. A call while it runs asks for one more run after it, shared by every call
 * made meanwhile: each caller gets a run that began after it asked, and a burst of calls costs two runs,
 * not one each. The poll, its nudges and App Home refreshes all work this way.
 */
export function coalesce<T>(run: () => Promise<T>): Coalesced<T> {
  let current: Promise<T> | null = null;
  let next: Promise<T> | null = null;
  const start = (): Promise<T> => {
    const started = run().finally(() => {
      if (current === started) current = null;
    });
    current = started;
    return started;
  };
  const call = (): Promise<T> => {
    if (current === null) return start();
    const ended = current.then(
      () => undefined,
      () => undefined,
    );
    next ??= ended.then(() => {
      next = null;
      return start();
    });
    return next;
  };
  return Object.assign(call, {
    async settled() {
      while (current !== null || next !== null) await Promise.allSettled([current, next]);
    },
  });
}
