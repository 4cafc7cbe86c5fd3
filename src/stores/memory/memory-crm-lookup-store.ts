import type { CrmLookup } from '../../domain/crm-customer.ts';
import type { CrmLookupStore } from '../crm-lookup-store.ts';

// In this process's memory, keeping the Azure adapter's contract (test/stores/crm-outbox.contract.test.ts).
export function createMemoryCrmLookupStore(): CrmLookupStore {
  const kept = new Map<string, CrmLookup>();
  return {
    async keep(leadKey, lookup) {
      if (!kept.has(leadKey)) kept.set(leadKey, lookup);
    },
    async lookupOf(leadKey) {
      return kept.get(leadKey) ?? null;
    },
  };
}
