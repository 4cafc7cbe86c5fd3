import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { crmChangeKeyOf } from '../../src/domain/crm-change.ts';
import { crmKeyOf } from '../../src/domain/crm-lead.ts';
import { createAzureCrmOutbox } from '../../src/stores/azure/azure-crm-outbox.ts';
import { createTableClient } from '../../src/stores/azure/tables.ts';
import { startTableProxy, type TableProxy } from '../support/table-proxy.ts';

// The real table service answers parallel reads in any order; Azurite mostly answers them in the order
// they were sent. A proxy orders them as the service may, to show a change is queued whatever the order.

const proxies: TableProxy[] = [];
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
});

describe('the Azure CRM outbox, with reads answered out of order', () => {
  it('queues a change whose reads straddle the transaction that moves its lead from queued to written', async () => {
    const leadId = { partitionKey: '03:2F02:2F2026', rowKey: randomBytes(6).toString('hex') };
    const leadKey = crmKeyOf(leadId);
    let releaseQueuedRead = () => {};
    const queuedReadHeld = new Promise<void>((resolve) => {
      releaseQueuedRead = resolve;
    });
    let writtenReadAnswered = () => {};
    const writtenRead = new Promise<void>((resolve) => {
      writtenReadAnswered = resolve;
    });
    let holding = false;
    let queuedReadsHeld = 0;
    const proxy = await startTableProxy(inject('azureConnectionString'), (req, url, res) => {
      if (!holding || req.method !== 'GET') return false;
      const path = decodeURIComponent(url.pathname);
      // The first read of the lead's queued row is answered only after the lead was written...
      if (path.includes(`RowKey='due-${leadKey}'`) && queuedReadsHeld === 0) {
        queuedReadsHeld += 1;
        return queuedReadHeld;
      }
      // ...and its read of the written row before: each read finds the lead where it is not.
      if (path.includes(`RowKey='done-${leadKey}'`)) res.on('finish', () => writtenReadAnswered());
      return false;
    });
    proxies.push(proxy);
    const table = `race${randomBytes(4).toString('hex')}`;
    const direct = createAzureCrmOutbox(createTableClient(inject('azureConnectionString'), table));
    const proxied = createAzureCrmOutbox(createTableClient(proxy.connectionString, table));
    await createTableClient(inject('azureConnectionString'), table).createTable();

    const at = new Date('2026-03-02T09:00:00Z');
    await direct.enqueue(leadKey, leadId, at);
    const [write] = await direct.listDue(at, 10);
    const taken = write && (await direct.take(write, new Date(at.getTime() + 60_000)));
    if (!taken) throw new Error('not taken');
    const change = { kind: 'owner' as const, at, by: 'U0REP1', ownerId: 'U0REP1' };
    const changeKey = crmChangeKeyOf(leadKey, change);

    holding = true;
    const queued = proxied.enqueueChange(changeKey, leadId, change);
    await writtenRead;
    await direct.complete(taken, { recordId: 'r1', contactId: null, url: null, at });
    releaseQueuedRead();

    expect(await queued).toBe(true);
    expect(queuedReadsHeld).toBe(1);
    expect((await direct.listDue(at, 10)).map((due) => due.key)).toEqual([changeKey]);
  });
});
