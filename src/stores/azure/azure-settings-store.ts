import type { TableClient } from '@azure/data-tables';
import type { Settings, SettingsStore } from '../settings-store.ts';
import { conditionally, getOrNull, updateGuarded } from './tables.ts';

interface SettingsEntity {
  /** The whole settings document: a few hundred bytes, far below a property's 64 KiB. */
  settings: string;
}

const KEYS = { partitionKey: 'settings', rowKey: 'admin' };

export function createAzureSettingsStore(client: TableClient): SettingsStore {
  return {
    async get() {
      const entity = await getOrNull<SettingsEntity>(client, KEYS.partitionKey, KEYS.rowKey);
      return entity === null ? {} : (JSON.parse(entity.settings) as Settings);
    },
    async update(change) {
      await conditionally(() => client.createEntity<SettingsEntity>({ ...KEYS, settings: '{}' }));
      let before: Settings = {};
      let after: Settings = {};
      await updateGuarded<SettingsEntity>(client, KEYS.partitionKey, KEYS.rowKey, (current) => {
        before = JSON.parse(current.settings) as Settings;
        after = change(before);
        return { settings: JSON.stringify(after) };
      });
      return { before, after };
    },
  };
}
