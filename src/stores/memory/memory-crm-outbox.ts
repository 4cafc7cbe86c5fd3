import { leadKeyOfChange } from '../../domain/crm-change.ts';
import {
  type CrmOutbox,
  type CrmWrite,
  type CrmWritten,
  dueInLeadOrder,
  type SetAsideCrmWrite,
} from '../crm-outbox.ts';

// The CRM outbox in this process's memory, for services' unit tests and the local file CRM's demo:
// it keeps the Azure adapter's contract (test/stores/crm-outbox.contract.test.ts).

export function createMemoryCrmOutbox(): CrmOutbox {
  const due = new Map<string, CrmWrite>();
  const done = new Map<string, CrmWritten>();
  const aside = new Map<string, SetAsideCrmWrite & Pick<CrmWrite, 'change'>>();
  let version = 0;
  const nextEtag = () => `m${++version}`;
  /** The queued write as read, if it has not changed since. */
  const current = (write: CrmWrite) => {
    const stored = due.get(write.key);
    return stored !== undefined && stored.etag === write.etag ? stored : null;
  };

  return {
    async enqueue(key, leadId, at) {
      if (due.has(key) || done.has(key)) return;
      due.set(key, {
        key,
        leadId,
        change: null,
        queuedAt: at,
        notBefore: at,
        attempts: 0,
        lastError: null,
        etag: nextEtag(),
      });
    },
    async enqueueChange(key, leadId, change) {
      const leadKey = leadKeyOfChange(key);
      if (!due.has(leadKey) && !done.has(leadKey) && !aside.has(leadKey)) return false;
      if (due.has(key) || done.has(key)) return true;
      due.set(key, {
        key,
        leadId,
        change,
        queuedAt: change.at,
        notBefore: change.at,
        attempts: 0,
        lastError: null,
        etag: nextEtag(),
      });
      return true;
    },
    async listDue(now, limit) {
      return dueInLeadOrder([...due.values()], now, limit);
    },
    async countQueued() {
      return due.size;
    },
    async take(write, until) {
      if (current(write) === null) return null;
      const taken = { ...write, notBefore: until, attempts: write.attempts + 1, etag: nextEtag() };
      due.set(write.key, taken);
      return taken;
    },
    async complete(write, written) {
      if (!due.has(write.key)) return;
      due.delete(write.key);
      done.set(write.key, { key: write.key, leadId: write.leadId, ...written });
    },
    async postpone(write, error, notBefore) {
      if (current(write) === null) return;
      due.set(write.key, { ...write, notBefore, lastError: error.slice(0, 2000), etag: nextEtag() });
    },
    async drop(write) {
      due.delete(write.key);
    },
    async setAside(write, reason, at) {
      if (!due.has(write.key)) return;
      due.delete(write.key);
      aside.set(write.key, {
        key: write.key,
        leadId: write.leadId,
        change: write.change,
        reason: reason.slice(0, 2000),
        attempts: write.attempts,
        at,
      });
    },
    async listSetAside() {
      return [...aside.values()]
        .map(({ change: _change, ...setAside }) => setAside)
        .sort((a, b) => b.at.getTime() - a.at.getTime());
    },
    async retry(key, at) {
      const setAside = aside.get(key);
      if (setAside === undefined || due.has(key)) return false;
      aside.delete(key);
      due.set(key, {
        key,
        leadId: setAside.leadId,
        change: setAside.change,
        queuedAt: setAside.change?.at ?? at,
        notBefore: at,
        attempts: 0,
        lastError: null,
        etag: nextEtag(),
      });
      return true;
    },
    async writtenOf(key) {
      return done.get(key) ?? null;
    },
  };
}
