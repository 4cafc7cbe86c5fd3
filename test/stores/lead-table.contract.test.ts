import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import type { LeadId } from '../../src/domain/lead.ts';
import { createAzureLeadTable, createAzureLeadTableWriter } from '../../src/stores/azure/azure-lead-table.ts';
import { createTableClient } from '../../src/stores/azure/tables.ts';
import type { LeadTable, LeadTableWriter } from '../../src/stores/lead-table.ts';
import { createMemoryLeadTable } from '../../src/stores/memory/memory-lead-table.ts';

// One contract for Microsoft's lead table as the bot reads it (and writes pushed leads into it), run
// against Azurite and the in-memory twin. The table does not exist until its first row.

interface LeadTableUnderTest {
  readonly table: LeadTable;
  readonly writer: LeadTableWriter;
  /** A row as Microsoft's own writer stores it. */
  insertRow(row: Readonly<Record<string, string>> & LeadId): Promise<void>;
}

const implementations = [
  {
    name: 'Azure Tables',
    create: (): LeadTableUnderTest => {
      const client = createTableClient(
        inject('azureConnectionString'),
        `leads${randomBytes(4).toString('hex')}`,
      );
      return {
        table: createAzureLeadTable(client),
        writer: createAzureLeadTableWriter(client),
        insertRow: async (row) => {
          await client.createTable();
          await client.createEntity(row);
        },
      };
    },
  },
  {
    name: 'memory',
    create: (): LeadTableUnderTest => {
      const memory = createMemoryLeadTable('leads', () => new Date());
      return { ...memory, insertRow: async (row) => memory.insertRow(row) };
    },
  },
];

const columns = (email: string) => ({
  LeadSource: 'AzureMarketplace',
  ActionCode: 'PLT',
  CustomerInfo: JSON.stringify({ Email: email }),
  Description: 'hello',
  OfferDisplayName: 'Contoso',
});
const pause = () => new Promise((resolve) => setTimeout(resolve, 20));
const keysOf = (result: Awaited<ReturnType<LeadTable['listSince']>>) =>
  result.kind === 'rows' ? result.rows.map((row) => row.rowKey) : result.kind;

describe.each(implementations)('LeadTable contract: $name', ({ create }) => {
  let leads: LeadTableUnderTest;
  beforeEach(() => {
    leads = create();
  });

  it('is missing until its first row: no leads yet, nothing to count', async () => {
    const epoch = new Date(0);
    expect(await leads.table.listSince(epoch)).toEqual({ kind: 'missing' });
    expect(await leads.table.listSinceInPartitions(epoch, ['12:2F4:2F2026'])).toEqual({ kind: 'missing' });
    expect(await leads.table.countBefore(new Date())).toBe(0);
    expect(await leads.table.get({ partitionKey: 'p', rowKey: 'r' })).toBeNull();
  });

  it('stores a pushed lead once however often it comes on one day, and reads it back as written', async () => {
    const now = new Date('2026-12-04T10:00:00Z');
    const first = await leads.writer.insert(columns('ann@x.example'), now);
    const again = await leads.writer.insert(columns('ann@x.example'), now);
    const other = await leads.writer.insert(columns('bob@x.example'), now);
    expect([first.created, again.created, other.created]).toEqual([true, false, true]);
    expect(again.id).toEqual(first.id);
    expect(first.id.partitionKey).toBe('12:2F4:2F2026'); // the date as Microsoft writes it, 12/4/2026
    expect(await leads.table.get(first.id)).toMatchObject({ ...columns('ann@x.example'), ...first.id });
  });

  it('lists rows at or after a time in arrival order, counts the older ones, and reads only the partitions asked', async () => {
    await leads.insertRow({ partitionKey: 'A', rowKey: 'old', ...columns('old@x.example') });
    await pause();
    const since = new Date();
    await pause();
    await leads.insertRow({ partitionKey: 'B', rowKey: 'second', ...columns('b@x.example') });
    await pause();
    await leads.insertRow({ partitionKey: 'A', rowKey: 'third', ...columns('c@x.example') });
    expect(keysOf(await leads.table.listSince(new Date(0)))).toEqual(['old', 'second', 'third']);
    expect(keysOf(await leads.table.listSince(since))).toEqual(['second', 'third']);
    expect(await leads.table.countBefore(since)).toBe(1);
    // A partition asked twice is read once: no duplicates.
    expect(keysOf(await leads.table.listSinceInPartitions(since, ['A', 'A']))).toEqual(['third']);
    expect(keysOf(await leads.table.listSinceInPartitions(new Date(0), ['B', 'A']))).toEqual([
      'old',
      'second',
      'third',
    ]);
    expect(keysOf(await leads.table.listSinceInPartitions(new Date(0), ['C']))).toEqual([]);
    const row = await leads.table.get({ partitionKey: 'B', rowKey: 'second' });
    expect(row?.timestamp.getTime()).toBeGreaterThanOrEqual(since.getTime());
  });
});
