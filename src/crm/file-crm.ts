import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CrmLead } from '../domain/crm-lead.ts';
import type { CrmPort, CrmRecord } from '../services/crm-port.ts';

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
  readonly receivedAt: string;
  readonly writtenAt: string;
  /** How many times the lead was written: 1, however often it was retried (writes are idempotent). */
  readonly writes: number;
}

interface FileCrmDocument {
  readonly records: Record<string, FileCrmEntry>;
}

/**
 * The local mode's CRM: a JSON file of records keyed like a real CRM's upsert key, so the demo shows
 * the hand-off without an account. One process writes it (the lease holder); writes are serialised
 * and each replaces the file whole (write then rename), so a crash never leaves half a file.
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
      receivedAt: lead.receivedAt.toISOString(),
      writtenAt: existing?.writtenAt ?? clock().toISOString(),
      writes: (existing?.writes ?? 0) + 1,
    };
    await mkdir(dirname(path), { recursive: true });
    const next = `${path}.${process.pid}.tmp`;
    await writeFile(
      next,
      `${JSON.stringify({ records: { ...document.records, [lead.key]: entry } }, null, 2)}\n`,
    );
    await rename(next, path);
    return { id: entry.id, contactId: null, url: null };
  }

  return {
    name: 'the local CRM file',
    writeLead(lead) {
      const written = queue.then(() => write(lead));
      queue = written.catch(() => undefined);
      return written;
    },
    read,
  };
}
