import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { PipelineStage } from '../domain/conversation.ts';
import type { CrmActivity, CrmUpdate } from '../domain/crm-change.ts';
import { type CrmCustomer, type CrmCustomerQuery, crmCustomerQueryOf } from '../domain/crm-customer.ts';
import type { CrmLead } from '../domain/crm-lead.ts';
import { CrmCallError, type CrmPort, type CrmRecord, type CrmRecordRef } from '../services/crm-port.ts';

/** One lead as the local file keeps it: readable, so a newcomer sees what a real CRM would get. */
export interface FileCrmEntry {
  readonly id: string;
  readonly key: string;
  readonly email: string;
  readonly title: string;
  readonly source: string;
  readonly offerName: string | null;
  readonly customer: CrmLead['customer'];
  readonly description: string | null;
  /** The admin's `crm.fieldMap` properties, as a real CRM would get them. */
  readonly mappedFields?: Readonly<Record<string, string>>;
  readonly receivedAt: string;
  readonly writtenAt: string;
  /** How many times the lead was written: 1, however often it was retried (writes are idempotent). */
  readonly writes: number;
  /** What happened in Slack since: the stage and owner it set, and one activity per change, in order. */
  readonly stage?: PipelineStage;
  readonly ownerEmail?: string;
  readonly activities?: readonly (CrmActivity & { readonly key: string; readonly at: string })[];
}

interface FileCrmDocument {
  readonly records: Record<string, FileCrmEntry>;
}

/**
 * The local mode's CRM: a JSON file of records keyed like a real CRM's upsert key, so the demo shows
 * the hand-off without an account. One process writes it (the lease holder); writes are serialised
 * and each replaces the file whole (write then rename), so a crash never leaves half a file. It has
 * no users of its own: an owner is recorded by the e-mail it is given.
 */
export function createFileCrm(
  path: string,
  clock: () => Date,
): CrmPort & { read(): Promise<FileCrmDocument> } {
  let queue: Promise<unknown> = Promise.resolve();

  async function read(): Promise<FileCrmDocument> {
    try {
      return JSON.parse(await readFile(path, 'utf8')) as FileCrmDocument;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: {} };
      throw error;
    }
  }

  async function write(lead: CrmLead): Promise<CrmRecord> {
    const document = await read();
    const existing = document.records[lead.key];
    const entry: FileCrmEntry = {
      id: existing?.id ?? `local-${Object.keys(document.records).length + 1}`,
      key: lead.key,
      email: lead.email,
      title: lead.title,
      source: lead.source,
      offerName: lead.offerName,
      customer: lead.customer,
      description: lead.description,
      mappedFields: lead.mappedFields,
      receivedAt: lead.receivedAt.toISOString(),
      writtenAt: existing?.writtenAt ?? clock().toISOString(),
      writes: (existing?.writes ?? 0) + 1,
    };
    await save({ records: { ...document.records, [lead.key]: { ...existing, ...entry } } });
    return { id: entry.id, contactId: null, url: null };
  }

  async function save(document: FileCrmDocument): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    const next = `${path}.${process.pid}.tmp`;
    await writeFile(next, `${JSON.stringify(document, null, 2)}\n`);
    await rename(next, path);
  }

  async function update(record: CrmRecordRef, change: CrmUpdate): Promise<void> {
    const document = await read();
    const entry = Object.values(document.records).find((candidate) => candidate.id === record.id);
    if (entry === undefined) throw new CrmCallError('refused', `no record ${record.id} in ${path}`);
    const activities = entry.activities ?? [];
    const { activity } = change;
    const updated: FileCrmEntry = {
      ...entry,
      ...(change.stage === null ? {} : { stage: change.stage }),
      ...(change.ownerEmail === null ? {} : { ownerEmail: change.ownerEmail }),
      activities:
        activity === null || activities.some((known) => known.key === change.key)
          ? activities
          : [...activities, { key: change.key, at: change.at.toISOString(), ...activity }],
    };
    await save({ records: { ...document.records, [entry.key]: updated } });
  }

  /** One write at a time: each reads the file, changes it and replaces it whole. */
  function serialised<T>(call: () => Promise<T>): Promise<T> {
    const done = queue.then(call);
    queue = done.catch(() => undefined);
    return done;
  }

  /**
   * The file's records as a CRM's contacts: the records with the e-mail (the customer is known since
   * the first of them), else those whose e-mail has the domain; open deals are their records not
   * closed (Won, Lost, Not a fit). The owner is the latest record's.
   */
  async function lookUp(query: CrmCustomerQuery): Promise<CrmCustomer | null> {
    const records = Object.values((await read()).records).sort((a, b) =>
      a.writtenAt.localeCompare(b.writtenAt),
    );
    const byEmail = records.filter((entry) => entry.email.toLowerCase() === query.email.toLowerCase());
    const matches =
      byEmail.length > 0 || query.domain === null
        ? byEmail
        : records.filter((entry) => crmCustomerQueryOf(entry.email).domain === query.domain);
    const [first] = matches;
    if (first === undefined) return null;
    const matchedBy = byEmail.length > 0 ? 'email' : 'domain';
    const owner = matches.findLast((entry) => entry.ownerEmail !== undefined)?.ownerEmail ?? null;
    const name =
      matchedBy === 'email'
        ? [first.customer.firstName, first.customer.lastName].filter(Boolean).join(' ')
        : (first.customer.company ?? '');
    return {
      matchedBy,
      name: name === '' ? null : name,
      since: new Date(first.writtenAt),
      owner: owner === null ? null : { name: null, email: owner },
      openDeals: matches.filter((entry) => !['Won', 'Lost', 'Not a fit'].includes(entry.stage ?? '')).length,
      url: null,
    };
  }

  return {
    name: 'the local CRM file',
    lookUpCustomer: lookUp,
    writeLead: (lead) => serialised(() => write(lead)),
    updateRecord: (record, change) => serialised(() => update(record, change)),
    read,
  };
}
