import type { Config, CrmConfig } from '../config.ts';
import type { LeadId } from '../domain/lead.ts';
import { refreshCardOfLead } from '../services/conversation-message.ts';
import type { CrmHandOffDeps } from '../services/crm-hand-off.ts';
import { createCrmLookup } from '../services/crm-lookup.ts';
import type { CrmPort } from '../services/crm-port.ts';
import type { PostLeadDeps } from '../services/post-lead.ts';
import type { JobContext } from './jobs.ts';

/** CRM writes under way at once: enough to use a HubSpot app's 100 calls per 10 s at 200 ms a call. */
const CRM_CONCURRENCY = 4;
/**
 * A CRM write is left to the process that took it this long: its calls (at most four, HubSpot's
 * account details included) each end within CRM_TIMEOUT_SECONDS, with room to record the outcome.
 */
const crmTakeMs = (config: Config) => (4 * config.crmTimeoutSeconds + 10) * 1000;

/** The team's CRM as configured; null when none is. HubSpot's client is loaded only when it is used. */
export async function openCrm(
  config: CrmConfig | null,
  timeoutMs: number,
  clock: () => Date,
): Promise<CrmPort | null> {
  if (config === null) return null;
  switch (config.kind) {
    case 'file': {
      const { createFileCrm } = await import('../crm/file-crm.ts');
      return createFileCrm(config.path, clock);
    }
    case 'salesforce': {
      const [{ createSalesforceCrm, SALESFORCE_DEFAULT_LEAD_STATUSES }, { readFile }] = await Promise.all([
        import('../crm/salesforce-crm.ts'),
        import('node:fs/promises'),
      ]);
      const privateKey = await readFile(config.privateKeyFile, 'utf8');
      return createSalesforceCrm({
        ...config,
        privateKey,
        timeoutMs,
        leadStatuses: { ...SALESFORCE_DEFAULT_LEAD_STATUSES, ...config.stages },
      });
    }
    case 'dataverse': {
      const [{ createDataverseCrm, DATAVERSE_DEFAULT_STATUSES, dataverseStatusesOf }, identity] =
        await Promise.all([import('../crm/dataverse-crm.ts'), import('@azure/identity')]);
      const { clientSecret } = config;
      const credential = clientSecret
        ? new identity.ClientSecretCredential(
            clientSecret.tenantId,
            clientSecret.clientId,
            clientSecret.secret,
          )
        : new identity.DefaultAzureCredential();
      return createDataverseCrm({
        url: config.url,
        credential,
        timeoutMs,
        statuses: { ...DATAVERSE_DEFAULT_STATUSES, ...dataverseStatusesOf(config.stages) },
      });
    }
    case 'hubspot': {
      const { createHubSpotCrm, HUBSPOT_DEFAULT_STAGE_IDS } = await import('../crm/hubspot-crm.ts');
      return createHubSpotCrm({
        ...config,
        timeoutMs,
        stageIds: { ...HUBSPOT_DEFAULT_STAGE_IDS, ...config.stages },
      });
    }
  }
}

/**
 * What the CRM adds to the jobs: the post's lookup of the customer and queueing of the lead, and the
 * hand-off job that writes the queue to the CRM.
 */
export function composeCrmJobs(
  config: Config,
  crm: CrmPort,
  { stores, services, slack, clock, log }: JobContext,
): {
  posting: Pick<PostLeadDeps, 'crmOutbox' | 'crmLookup' | 'redrawCard'>;
  handOff: Omit<CrmHandOffDeps, 'log'>;
} {
  const redrawCard = (leadId: LeadId) =>
    refreshCardOfLead(leadId, { ...services.ownership, leadRecords: stores.leadRecords });
  const crmLookup = createCrmLookup({
    crm,
    lookups: stores.crmLookups,
    budgetMs: config.crmLookupBudgetMs,
    log: log.child({ component: 'crm-lookup' }),
  });
  return {
    posting: { crmOutbox: stores.crmOutbox, crmLookup, redrawCard },
    handOff: {
      crm,
      outbox: stores.crmOutbox,
      leadTable: stores.leadTable,
      conversations: stores.conversations,
      ownershipLog: stores.ownershipLog,
      fieldMap: () => stores.rules.crmFieldMap(),
      settleLookup: (lead) => crmLookup.settle(lead),
      // The card links to the record: a failure to show it leaves the write recorded.
      afterLeadWritten: (leadId: LeadId) =>
        redrawCard(leadId).catch((error: unknown) =>
          log.warn('could not link a lead’s card to its CRM record', {
            error: error instanceof Error ? error.message : String(error),
          }),
        ),
      slack,
      clock,
      concurrency: CRM_CONCURRENCY,
      takeMs: crmTakeMs(config),
    },
  };
}
