import { odata, type TableClient } from '@azure/data-tables';
import type { LeadId } from '../../domain/lead.ts';
import {
  type LeadRecord,
  type LeadRecordStore,
  type QuarantinedLead,
  StaleRecordError,
} from '../lead-record-store.ts';
import { conditionally, dateOf, getOrNull, isStorableKey, statusOf } from './tables.ts';

// The record's keys are the lead's own keys: they are valid table keys, since Microsoft's table uses them.
interface LeadRecordEntity {
  status: LeadRecord['status'];
  claimedBy: string;
  claimedAt: Date;
  receivedAt: Date;
  channel: string;
  threadTs: string;
  ts: string;
  conversationKey: string;
  attempts: number;
  lastError: string;
}

// Tables cannot store null: an empty string stands for "not set".
const orNull = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

function fromEntity(id: LeadId, entity: LeadRecordEntity & { etag: string }): LeadRecord {
  return {
    id,
    status: entity.status,
    claimedBy: entity.claimedBy,
    claimedAt: dateOf(entity.claimedAt) ?? new Date(0),
    receivedAt: dateOf(entity.receivedAt) ?? new Date(0),
    channel: orNull(entity.channel),
    threadTs: orNull(entity.threadTs),
    ts: orNull(entity.ts),
    conversationKey: orNull(entity.conversationKey),
    attempts: Number(entity.attempts ?? 0),
    lastError: orNull(entity.lastError),
    etag: entity.etag,
  };
}

/**
 * Quarantined leads are also indexed in a partition of their own (lead keys are dates like
 * `11:2F15:2F2025`, never this), so listing them reads only them.
 */
const QUARANTINE = 'quarantine';
const indexKey = (id: LeadId) => `${id.partitionKey}|${id.rowKey}`;
const idOfIndexKey = (key: string): LeadId => {
  const bar = key.indexOf('|');
  return { partitionKey: key.slice(0, bar), rowKey: key.slice(bar + 1) };
};

interface QuarantineEntity {
  reason: string;
  attempts: number;
  at: Date;
  retryRequested: boolean;
}

export function createAzureLeadRecordStore(client: TableClient): LeadRecordStore {
  type RecordPatch = Partial<Omit<LeadRecord, 'id' | 'etag'>>;

  async function write(record: LeadRecord, patch: RecordPatch): Promise<LeadRecord> {
    const { partitionKey, rowKey } = record.id;
    const columns = Object.fromEntries(Object.entries(patch).map(([name, value]) => [name, value ?? '']));
    const written = await conditionally(() =>
      client.updateEntity({ partitionKey, rowKey, ...columns }, 'Merge', { etag: record.etag }),
    );
    if (!written.ok) throw new StaleRecordError(record.id);
    return { ...record, ...patch, etag: written.value.etag ?? '' };
  }

  const store: LeadRecordStore = {
    async get(id) {
      const entity = await getOrNull<LeadRecordEntity>(client, id.partitionKey, id.rowKey);
      return entity === null ? null : fromEntity(id, entity);
    },
    async claim(id, claim) {
      const entity: LeadRecordEntity = {
        status: 'posting',
        claimedBy: claim.by,
        claimedAt: claim.at,
        receivedAt: claim.receivedAt,
        channel: '',
        threadTs: '',
        ts: '',
        conversationKey: '',
        attempts: 1,
        lastError: '',
      };
      const created = await conditionally(() =>
        client.createEntity({ partitionKey: id.partitionKey, rowKey: id.rowKey, ...entity }),
      );
      if (created.ok)
        return { kind: 'claimed', record: fromEntity(id, { ...entity, etag: created.value.etag ?? '' }) };
      const existing = await store.get(id);
      // The insert was refused because the record exists; it cannot have vanished since (records are never deleted).
      if (existing === null)
        throw new Error(`lead record ${id.partitionKey}/${id.rowKey} exists but cannot be read`);
      return { kind: 'exists', record: existing };
    },
    async takeOver(record, claim) {
      try {
        const taken = await write(record, {
          status: 'posting',
          claimedBy: claim.by,
          claimedAt: claim.at,
          attempts: record.attempts + 1,
        });
        return { kind: 'claimed', record: taken };
      } catch (error) {
        if (error instanceof StaleRecordError) return { kind: 'lost' };
        throw error;
      }
    },
    setDestination(record, destination) {
      return write(record, {
        channel: destination.channel,
        threadTs: destination.threadTs,
        conversationKey: destination.conversationKey,
      });
    },
    markPosted(record, ts) {
      return write(record, { status: 'posted', ts, lastError: null });
    },
    markFailed(record, error) {
      return write(record, { status: 'failed', lastError: error.slice(0, 1000) });
    },
    async quarantine(record, reason, at) {
      const set = await write(record, { status: 'quarantined', lastError: reason.slice(0, 1000) });
      await client.upsertEntity<QuarantineEntity>(
        {
          partitionKey: QUARANTINE,
          rowKey: indexKey(record.id),
          reason: reason.slice(0, 1000),
          attempts: record.attempts,
          at,
          retryRequested: false,
        },
        'Replace',
      );
      return set;
    },
    async listQuarantined() {
      const found: QuarantinedLead[] = [];
      const entities = client.listEntities<QuarantineEntity>({
        queryOptions: { filter: odata`PartitionKey eq ${QUARANTINE}` },
      });
      for await (const entity of entities) {
        found.push({
          id: idOfIndexKey(entity.rowKey ?? ''),
          reason: entity.reason,
          attempts: Number(entity.attempts),
          at: dateOf(entity.at) ?? new Date(0),
          retryRequested: entity.retryRequested === true,
        });
      }
      return found.sort((a, b) => b.at.getTime() - a.at.getTime());
    },
    async requestRetry(id) {
      if (!isStorableKey(indexKey(id))) return false;
      try {
        await client.updateEntity(
          { partitionKey: QUARANTINE, rowKey: indexKey(id), retryRequested: true },
          'Merge',
        );
        return true;
      } catch (error) {
        if (statusOf(error) === 404) return false;
        throw error;
      }
    },
    async release(id) {
      const record = await store.get(id);
      if (record === null || record.status !== 'quarantined') return null;
      const released = await write(record, { status: 'failed', attempts: 0 });
      await client.deleteEntity(QUARANTINE, indexKey(id)).catch((error: unknown) => {
        if (statusOf(error) !== 404) throw error; // released by another process at the same time
      });
      return released;
    },
  };
  return store;
}
