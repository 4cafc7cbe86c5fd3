import type { TableClient } from '@azure/data-tables';
import { parseCrmLookup, serialiseCrmLookup } from '../../domain/crm-customer.ts';
import type { CrmLookupStore } from '../crm-lookup-store.ts';
import { getOrNull, statusOf } from './tables.ts';

/** Beside the outbox in the Crm table, in a partition of its own: read one row at a time, by key. */
const PARTITION = 'lookup';

export function createAzureCrmLookupStore(client: TableClient): CrmLookupStore {
  return {
    async keep(leadKey, lookup) {
      try {
        await client.createEntity({
          partitionKey: PARTITION,
          rowKey: leadKey,
          lookup: serialiseCrmLookup(lookup),
        });
      } catch (error) {
        if (statusOf(error) !== 409) throw error; // kept already: the first answer stays
      }
    },
    async lookupOf(leadKey) {
      const entity = await getOrNull<{ lookup?: string }>(client, PARTITION, leadKey);
      return typeof entity?.lookup === 'string' ? parseCrmLookup(entity.lookup) : null;
    },
  };
}
