import type { CrmLookup } from '../domain/crm-customer.ts';

/**
 * What the CRM answered about each lead's customer before the lead was posted, kept by the lead's CRM
 * key so every redraw of its card shows it (any process redraws cards). The answer is the CRM's at
 * that moment: the first one kept stays (a second lookup of a retried post does not replace it).
 */
export interface CrmLookupStore {
  /** Keeps the answer unless one is kept already (a conditional insert). */
  keep(leadKey: string, lookup: CrmLookup): Promise<void>;
  /** The answer kept for the lead; null when none is (not asked, not answered, or no CRM). */
  lookupOf(leadKey: string): Promise<CrmLookup | null>;
}
