import type { TableClient } from '@azure/data-tables';
import type { LeadId } from '../../domain/lead.ts';
import { type LeadRecord, type LeadRecordStore, StaleRecordError } from '../lead-record-store.ts';
import { conditionally, dateOf, getOrNull } from './tables.ts';

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
  };
  return store;
}
