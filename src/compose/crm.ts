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
    case 'hubspot': {
      const { createHubSpotCrm } = await import('../crm/hubspot-crm.ts');
      return createHubSpotCrm({ ...config, timeoutMs });
    }
  }
}
