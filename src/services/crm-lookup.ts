import { type CrmLookup, crmCustomerQueryOf } from '../domain/crm-customer.ts';
import { crmExclusionOf, crmKeyOf } from '../domain/crm-lead.ts';
import { type Lead, leadIdText } from '../domain/lead.ts';
import type { Logger } from '../logger.ts';
import type { CrmLookupStore } from '../stores/crm-lookup-store.ts';
import type { CrmPort } from './crm-port.ts';

export interface CrmLookupDeps {
  readonly crm: Pick<CrmPort, 'name' | 'lookUpCustomer'>;
  readonly lookups: CrmLookupStore;
  /** How long a post waits for the CRM's answer (2 s): a later answer edits the card instead. */
  readonly budgetMs: number;
  readonly log: Logger;
}

/** What the CRM answered within the post's budget, and the answer still coming when it was late. */
export interface LookupWithinBudget {
  /** The answer, kept for the card's redraws; null when it was late, failed, or the lead is not looked up. */
  readonly inTime: CrmLookup | null;
  /** A late answer, kept when it comes (null if the CRM failed): the card is then redrawn with it. */
  readonly late: Promise<CrmLookup | null> | null;
}

/** After a late answer, posts wait this long for none: a slow CRM does not slow a backlog by 2 s a lead. */
export const SLOW_CRM_PAUSE_MS = 60_000;

/**
 * Looks a lead's customer up in the CRM before its post, within a budget. The answer is kept by the
 * lead's CRM key (an answer kept by an earlier attempt is used again), so every process's redraw of
 * the card shows it. A CRM that fails is logged and the lead is posted without it: the lookup never
 * blocks or fails a post. DNC and test leads, and leads without an e-mail, are not looked up.
 */
export function createCrmLookup(deps: CrmLookupDeps) {
  let waitFreeUntil = 0;

  /** The lead's customer e-mail when it is looked up at all (not DNC, not a test lead, with an e-mail). */
  const emailToLookUp = (lead: Lead) =>
    lead.customer.email !== null && crmExclusionOf(lead) === null ? lead.customer.email : null;

  /** Asks the CRM and keeps its answer (the first kept stays); null when the CRM failed (logged). */
  const ask = (lead: Lead, email: string): Promise<CrmLookup | null> =>
    deps.crm
      .lookUpCustomer(crmCustomerQueryOf(email))
      .then(async (found) => {
        const lookup = { found };
        await deps.lookups.keep(crmKeyOf(lead.id), lookup);
        return lookup;
      })
      .catch((error: unknown) => {
        deps.log.warn(`could not look the customer up in ${deps.crm.name}; the lead is shown without it`, {
          leadId: leadIdText(lead.id),
          error: error instanceof Error ? error.message : String(error),
        });
        return null;
      });

  return {
    crmName: deps.crm.name,
    async lookUp(lead: Lead, now: Date): Promise<LookupWithinBudget> {
      const email = emailToLookUp(lead);
      if (email === null) return { inTime: null, late: null };
      const kept = await deps.lookups.lookupOf(crmKeyOf(lead.id));
      if (kept !== null) return { inTime: kept, late: null };
      const asked = ask(lead, email);
      const budget = now.getTime() < waitFreeUntil ? 0 : deps.budgetMs;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), budget);
      });
      const first = await Promise.race([asked, timedOut]).finally(() => clearTimeout(timer));
      if (first !== 'late') return { inTime: first, late: null };
      waitFreeUntil = now.getTime() + SLOW_CRM_PAUSE_MS;
      return { inTime: null, late: asked };
    },
    /**
     * Looks the customer up, with no budget, unless an answer is kept: called just before the bot
     * writes the lead to the CRM, since afterwards the CRM would know the customer from that write.
     * So a post that never got its answer (its process stopped while the CRM was slow, or the lead was
     * recovered after a crash and posted without waiting) still gets what the CRM knew. True when
     * this asked the CRM; a failure is logged, and the write goes on without it.
     */
    async settle(lead: Lead): Promise<boolean> {
      const email = emailToLookUp(lead);
      if (email === null || (await deps.lookups.lookupOf(crmKeyOf(lead.id))) !== null) return false;
      return (await ask(lead, email)) !== null;
    },
  };
}

export type CrmLookupService = ReturnType<typeof createCrmLookup>;
