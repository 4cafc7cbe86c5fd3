import type { Settings, SettingsStore } from '../settings-store.ts';

/** The admin settings in this process's memory, for services' unit tests; the Azure adapter's contract. */
export function createMemorySettingsStore(): SettingsStore {
  let settings: Settings = {};
  return {
    async get() {
      return settings;
    },
    async update(change) {
      const before = settings;
      settings = change(before);
      return { before, after: settings };
    },
  };
}
