import type { LeadId } from '../../domain/lead.ts';
import {
  type LeadRecord,
  type LeadRecordStore,
  type QuarantinedLead,
  StaleRecordError,
} from '../lead-record-store.ts';

// The lead record store in this process's memory, for services' unit tests: it keeps the Azure
// adapter's contract (test/stores/lead-record-store.contract.test.ts), ETag guards included.

const keyOf = (id: LeadId) => `${id.partitionKey}|${id.rowKey}`;

export function createMemoryLeadRecordStore(): LeadRecordStore {
  const records = new Map<string, LeadRecord>();
  const quarantined = new Map<string, QuarantinedLead>();
  let version = 0;

  /** Writes `patch` over the record as read, unless it changed since (the Azure adapter's ETag guard). */
  function write(record: LeadRecord, patch: Partial<Omit<LeadRecord, 'id' | 'etag'>>): LeadRecord {
    const stored = records.get(keyOf(record.id));
    if (stored === undefined || stored.etag !== record.etag) throw new StaleRecordError(record.id);
    const written = { ...stored, ...patch, etag: `m${++version}` };
    records.set(keyOf(record.id), written);
    return written;
  }

  const store: LeadRecordStore = {
    async get(id) {
      return records.get(keyOf(id)) ?? null;
    },
    async claim(id, claim) {
      const existing = records.get(keyOf(id));
      if (existing !== undefined) return { kind: 'exists', record: existing };
      const record: LeadRecord = {
        id,
        status: 'posting',
        claimedBy: claim.by,
        claimedAt: claim.at,
        receivedAt: claim.receivedAt,
        channel: null,
        threadTs: null,
        ts: null,
        conversationKey: null,
        attempts: 1,
        lastError: null,
        etag: `m${++version}`,
      };
      records.set(keyOf(id), record);
      return { kind: 'claimed', record };
    },
    async takeOver(record, claim) {
      try {
        const patch = { status: 'posting' as const, claimedBy: claim.by, claimedAt: claim.at };
        return { kind: 'claimed', record: write(record, { ...patch, attempts: record.attempts + 1 }) };
      } catch (error) {
        if (error instanceof StaleRecordError) return { kind: 'lost' };
        throw error;
      }
    },
    async setDestination(record, destination) {
      return write(record, destination);
    },
    async markPosted(record, ts) {
      return write(record, { status: 'posted', ts, lastError: null });
    },
    async markFailed(record, error) {
      return write(record, { status: 'failed', lastError: error.slice(0, 1000) });
    },
    async quarantine(record, reason, at) {
      const set = write(record, { status: 'quarantined', lastError: reason.slice(0, 1000) });
      const entry = { id: record.id, reason: reason.slice(0, 1000), attempts: record.attempts, at };
      quarantined.set(keyOf(record.id), { ...entry, retryRequested: false });
      return set;
    },
    async listQuarantined() {
      return [...quarantined.values()].sort((a, b) => b.at.getTime() - a.at.getTime());
    },
    async requestRetry(id) {
      const entry = quarantined.get(keyOf(id));
      if (entry === undefined) return false;
      quarantined.set(keyOf(id), { ...entry, retryRequested: true });
      return true;
    },
    async release(id) {
      const record = records.get(keyOf(id));
      if (record === undefined || record.status !== 'quarantined') return null;
      const released = write(record, { status: 'failed', attempts: 0 });
      quarantined.delete(keyOf(id));
      return released;
    },
  };
  return store;
}
