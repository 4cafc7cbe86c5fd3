import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { createAzureArrivalIndex } from '../stores/azure/azure-arrival-index.ts';
import { createAzureAuditLog } from '../stores/azure/azure-audit-log.ts';
import { createAzureCapacityStore } from '../stores/azure/azure-capacity-store.ts';
import { createAzureConversationStore } from '../stores/azure/azure-conversation-store.ts';
import { createAzureCrmLookupStore } from '../stores/azure/azure-crm-lookup-store.ts';
import { createAzureCrmOutbox } from '../stores/azure/azure-crm-outbox.ts';
import { createAzureCursorStore } from '../stores/azure/azure-cursor-store.ts';
import { createAzureDeliveryStore } from '../stores/azure/azure-delivery-store.ts';
import { createAzureDueStore } from '../stores/azure/azure-due-store.ts';
import { createAzureLeadRecordStore } from '../stores/azure/azure-lead-record-store.ts';
import { createAzureLeadTable, createAzureLeadTableWriter } from '../stores/azure/azure-lead-table.ts';
import { createAzureLeaseStore } from '../stores/azure/azure-lease-store.ts';
import { createAzureOnceStore } from '../stores/azure/azure-once-store.ts';
import { createAzureOwnershipLog } from '../stores/azure/azure-ownership-log.ts';
import { createAzurePendingStore } from '../stores/azure/azure-pending-store.ts';
import { createAzurePushRateStore } from '../stores/azure/azure-push-rate-store.ts';
import { createAzureRulesStore } from '../stores/azure/azure-rules-store.ts';
import { createAzureSettingsStore } from '../stores/azure/azure-settings-store.ts';
import { openStorage } from '../stores/azure/open-storage.ts';
import type { ServiceClock } from '../stores/azure/service-clock.ts';
import { createStateTables } from '../stores/azure/state-tables.ts';
import { createTableClient, type StorageAccess } from '../stores/azure/tables.ts';
import { describeFailure } from '../stores/failure.ts';

/** Every store the bot uses, each behind its port, all in the one storage account. */
export async function openStores(config: Config, serviceClock: ServiceClock, log: Logger) {
  const storage = await openStorage(config.storage, config.dataFolder, { joinRunning: false });
  log.info(`storage: ${storage.description}`, {
    ...(storage.embeddedPort === null
      ? {}
      : { tableEndpoint: `http://127.0.0.1:${storage.embeddedPort}/devstoreaccount1` }),
  });
  const stateTables = createStateTables(storage.access, config.stateTablePrefix, serviceClock);
  const tables = stateTables.clients;
  // If the table service is unreachable at start, the bot still starts (health says why) and every job
  // tries again first, backing off while it fails.
  await stateTables.ensure().catch((error: unknown) =>
    log.error('the table service is unreachable; jobs will retry with backoff', {
      error: describeFailure(error),
    }),
  );
  const leadTableClient = () => createTableClient(storage.access, config.leadsTable, serviceClock);
  return {
    /** The storage account in use (the embedded Azurite's when none was configured). */
    access: storage.access satisfies StorageAccess,
    /** Creates the bot's tables unless they exist; retried by each job while the service is down. */
    ensureTables: () => stateTables.ensure(),
    close: () => storage.close(),
    leadTable: createAzureLeadTable(leadTableClient()),
    leadTableWriter: createAzureLeadTableWriter(leadTableClient()),
    conversations: createAzureConversationStore(tables.Conversations),
    rules: createAzureRulesStore(tables.Rules),
    due: createAzureDueStore(tables.Due),
    settings: createAzureSettingsStore(tables.Settings),
    once: createAzureOnceStore(tables.Settings),
    pending: createAzurePendingStore(tables.Settings),
    lease: createAzureLeaseStore(tables.Lease),
    leadRecords: createAzureLeadRecordStore(tables.Leads),
    arrivals: createAzureArrivalIndex(tables.Leads),
    deliveries: createAzureDeliveryStore(tables.Due),
    capacity: createAzureCapacityStore(tables.Rules),
    cursors: createAzureCursorStore(tables.Cursors),
    pushRates: createAzurePushRateStore(tables.Leads),
    ownershipLog: createAzureOwnershipLog(tables.Ownership),
    auditLog: createAzureAuditLog(tables.Audit),
    crmOutbox: createAzureCrmOutbox(tables.Crm),
    crmLookups: createAzureCrmLookupStore(tables.Crm),
  };
}

export type Stores = Awaited<ReturnType<typeof openStores>>;
