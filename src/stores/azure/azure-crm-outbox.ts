import type { TableClient, TransactionAction } from '@azure/data-tables';
import { leadKeyOfChange, parseCrmChange, serialiseCrmChange } from '../../domain/crm-change.ts';
import type { LeadId } from '../../domain/lead.ts';
import { type CrmOutbox, type CrmWrite, dueInLeadOrder, type SetAsideCrmWrite } from '../crm-outbox.ts';
import { conditionally, dateOf, getOrNull, isStorableKey, statusOf } from './tables.ts';

// One partition, so a write leaves the queue and its outcome is recorded in one transaction (the
// table service's transactions span one partition). Rows are `due-key`, `done-key` and `aside-key`;
// the queue is read by a RowKey range, so it never scans the written leads.
const PARTITION = 'outbox';
const DUE = 'due-';
const DONE = 'done-';
const ASIDE = 'aside-';
/** `.` follows `-`: the RowKey range [`due-`, `due.`) holds the queue's rows and nothing else. */
const rangeOf = (prefix: string) =>
  `PartitionKey eq '${PARTITION}' and RowKey ge '${prefix}' and RowKey lt '${prefix.slice(0, -1)}.'`;

interface DueEntity {
  rowKey: string;
  leadPartitionKey: string;
  leadRowKey: string;
  /** The change as JSON; empty for the lead's own write (and rows written before changes existed). */
  change?: string;
  queuedAt: Date;
  notBefore: Date;
  attempts: number;
  lastError: string;
}

interface DoneEntity {
  leadPartitionKey: string;
  leadRowKey: string;
  recordId: string;
  contactId: string;
  url: string;
  at: Date;
}

interface AsideEntity {
  rowKey: string;
  leadPartitionKey: string;
  leadRowKey: string;
  change?: string;
  reason: string;
  attempts: number;
  at: Date;
}

const leadIdOf = (entity: { leadPartitionKey: string; leadRowKey: string }): LeadId => ({
  partitionKey: entity.leadPartitionKey,
  rowKey: entity.leadRowKey,
});

/**
 * The queued write a row holds; null for a change this version cannot read (written by a newer one
 * during an upgrade): it stays queued, counted in the backlog, for a process that can.
 */
function writeOf(entity: DueEntity & { etag: string }): CrmWrite | null {
  const change = entity.change ? parseCrmChange(entity.change) : null;
  if (entity.change && change === null) return null;
  return {
    key: entity.rowKey.slice(DUE.length),
    leadId: leadIdOf(entity),
    change,
    queuedAt: dateOf(entity.queuedAt) ?? new Date(0),
    notBefore: dateOf(entity.notBefore) ?? new Date(0),
    attempts: entity.attempts,
    lastError: entity.lastError === '' ? null : entity.lastError,
    etag: entity.etag,
  };
}

/** A queued write as first stored: due at `at`, no attempt yet; `change` is JSON, empty for a lead's own. */
function queuedEntity(key: string, leadId: LeadId, at: Date, change: string) {
  return {
    partitionKey: PARTITION,
    rowKey: `${DUE}${key}`,
    leadPartitionKey: leadId.partitionKey,
    leadRowKey: leadId.rowKey,
    change,
    queuedAt: at,
    notBefore: at,
    attempts: 0,
    lastError: '',
  };
}

export function createAzureCrmOutbox(client: TableClient): CrmOutbox {
  const dueRow = (write: CrmWrite) => ({ partitionKey: PARTITION, rowKey: `${DUE}${write.key}` });

  async function listRows<T extends object>(prefix: string): Promise<(T & { etag: string })[]> {
    const rows: (T & { etag: string })[] = [];
    try {
      for await (const entity of client.listEntities<T>({ queryOptions: { filter: rangeOf(prefix) } }))
        rows.push(entity as T & { etag: string });
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
    return rows;
  }

  /**
   * A transaction that fails because a row went (404) or is there already (409) reports it as false.
   * Deletes in a transaction cannot carry an ETag (the SDK sends `If-Match: *`): a write that left the
   * queue is therefore the guard, and a process whose take expired still records the CRM call it made.
   */
  async function transact(actions: TransactionAction[]): Promise<boolean> {
    try {
      await client.submitTransaction(actions);
      return true;
    } catch (error) {
      const status = statusOf(error);
      if (status === 404 || status === 409 || status === 412) return false;
      throw error;
    }
  }

  return {
    async enqueue(key, leadId, at) {
      // A lead written already is not queued again (a Slack retry re-queues after the CRM was written).
      if ((await getOrNull<DoneEntity>(client, PARTITION, `${DONE}${key}`)) !== null) return;
      await conditionally(() => client.createEntity(queuedEntity(key, leadId, at, '')));
    },
    async enqueueChange(key, leadId, change) {
      const leadKey = leadKeyOfChange(key);
      if (!isStorableKey(`${ASIDE}${key}`)) return false;
      const leadRow = (prefix: string) => getOrNull<object>(client, PARTITION, `${prefix}${leadKey}`);
      const leadRows = await Promise.all([DUE, DONE, ASIDE].map(leadRow));
      // Parallel reads can miss a lead moving from the queue to the written list between two of them;
      // read again one at a time, in the order a lead moves (queued, then written or set aside), they
      // miss it only if an admin's Retry of the set-aside lead lands between the last two reads.
      if (leadRows.every((row) => row === null) && (await leadRow(DUE)) === null) {
        if ((await leadRow(DONE)) === null && (await leadRow(ASIDE)) === null) return false;
      }
      if ((await getOrNull<DoneEntity>(client, PARTITION, `${DONE}${key}`)) !== null) return true;
      await conditionally(() =>
        client.createEntity(queuedEntity(key, leadId, change.at, serialiseCrmChange(change))),
      );
      return true;
    },
    async listDue(now, limit) {
      const rows = await listRows<DueEntity>(DUE);
      const queued = rows.map(writeOf).filter((write): write is CrmWrite => write !== null);
      return dueInLeadOrder(queued, now, limit);
    },
    async countQueued() {
      return (await listRows<DueEntity>(DUE)).length;
    },
    async take(write, until) {
      const attempts = write.attempts + 1;
      const taken = await conditionally(() =>
        client.updateEntity({ ...dueRow(write), notBefore: until, attempts }, 'Merge', { etag: write.etag }),
      ).catch((error: unknown) => {
        if (statusOf(error) === 404) return { ok: false as const };
        throw error;
      });
      return taken.ok ? { ...write, notBefore: until, attempts, etag: taken.value.etag ?? '' } : null;
    },
    async complete(write, written) {
      await transact([
        ['delete', dueRow(write)],
        [
          'upsert',
          {
            partitionKey: PARTITION,
            rowKey: `${DONE}${write.key}`,
            leadPartitionKey: write.leadId.partitionKey,
            leadRowKey: write.leadId.rowKey,
            recordId: written.recordId,
            contactId: written.contactId ?? '',
            url: written.url ?? '',
            at: written.at,
          },
          'Replace',
        ],
      ]);
    },
    async postpone(write, error, notBefore) {
      await conditionally(() =>
        client.updateEntity({ ...dueRow(write), notBefore, lastError: error.slice(0, 2000) }, 'Merge', {
          etag: write.etag,
        }),
      ).catch((failure: unknown) => {
        if (statusOf(failure) !== 404) throw failure;
      });
    },
    async drop(write) {
      await transact([['delete', dueRow(write)]]);
    },
    async setAside(write, reason, at) {
      await transact([
        ['delete', dueRow(write)],
        [
          'upsert',
          {
            partitionKey: PARTITION,
            rowKey: `${ASIDE}${write.key}`,
            leadPartitionKey: write.leadId.partitionKey,
            leadRowKey: write.leadId.rowKey,
            change: write.change === null ? '' : serialiseCrmChange(write.change),
            reason: reason.slice(0, 2000),
            attempts: write.attempts,
            at,
          },
          'Replace',
        ],
      ]);
    },
    async listSetAside() {
      const rows = await listRows<AsideEntity>(ASIDE);
      return rows
        .map(
          (entity): SetAsideCrmWrite => ({
            key: entity.rowKey.slice(ASIDE.length),
            leadId: leadIdOf(entity),
            reason: entity.reason,
            attempts: entity.attempts,
            at: dateOf(entity.at) ?? new Date(0),
          }),
        )
        .sort((a, b) => b.at.getTime() - a.at.getTime());
    },
    async retry(key, at) {
      if (!isStorableKey(`${ASIDE}${key}`)) return false;
      const aside = await getOrNull<AsideEntity>(client, PARTITION, `${ASIDE}${key}`);
      if (aside === null) return false;
      // A change keeps its place among the lead's changes: it is queued at the time it happened.
      const queuedAt = (aside.change ? parseCrmChange(aside.change)?.at : undefined) ?? at;
      // Of two simultaneous Retries one moves it back; the other finds it gone (or queued) and says so.
      return transact([
        ['delete', { partitionKey: PARTITION, rowKey: `${ASIDE}${key}` }],
        ['create', { ...queuedEntity(key, leadIdOf(aside), queuedAt, aside.change ?? ''), notBefore: at }],
      ]);
    },
    async writtenOf(key) {
      if (!isStorableKey(`${DONE}${key}`)) return null;
      const entity = await getOrNull<DoneEntity>(client, PARTITION, `${DONE}${key}`);
      if (entity === null) return null;
      return {
        key,
        leadId: leadIdOf(entity),
        recordId: entity.recordId,
        contactId: entity.contactId === '' ? null : entity.contactId,
        url: entity.url === '' ? null : entity.url,
        at: dateOf(entity.at) ?? new Date(0),
      };
    },
  };
}
