import type { CrmConfig } from '../config.ts';
import type { CrmPort } from '../services/crm-port.ts';

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
