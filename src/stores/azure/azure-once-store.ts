import type { TableClient } from '@azure/data-tables';
import type { OnceStore } from '../once-store.ts';
import { conditionally } from './tables.ts';

export function createAzureOnceStore(client: TableClient): OnceStore {
  return {
    async claim(key, at) {
      const created = await conditionally(() =>
        client.createEntity({ partitionKey: 'once', rowKey: key, at }),
      );
      return created.ok;
    },
  };
}
