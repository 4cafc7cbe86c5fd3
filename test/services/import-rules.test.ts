import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { RulesDocument } from '../../src/domain/rules-document.ts';
import { type AdminDeps, admin, ImportFailedError } from '../../src/services/admin-rules.ts';
import { createAzureRulesStore } from '../../src/stores/azure/azure-rules-store.ts';
import { createAzureSettingsStore } from '../../src/stores/azure/azure-settings-store.ts';
import { createTableClient } from '../../src/stores/azure/tables.ts';
import { ADMIN_DEFAULTS } from '../fixtures/admin-defaults.ts';
import { startTableProxy, type TableProxy } from '../support/table-proxy.ts';

const proxies: TableProxy[] = [];
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
});

/**
 * Admin deps over a rules store behind a proxy that refuses, with the table service's own 400, every
 * write to one rotation while `refusing` is set: as Azure refuses an entity too large for a property.
 */
async function adminRefusingWritesTo(channel: string) {
  const state = { refusing: false };
  const proxy = await startTableProxy(inject('azureConnectionString'), (req, url, res) => {
    const write = req.method === 'PUT' || req.method === 'MERGE' || req.method === 'PATCH';
    const target = decodeURIComponent(url.pathname).includes(`RowKey='${channel}'`);
    if (!state.refusing || !write || !target) return false;
    res.writeHead(400, { 'content-type': 'application/json;odata=nometadata' });
    res.end(
      JSON.stringify({
        'odata.error': {
          code: 'PropertyValueTooLarge',
          message: { value: 'The property value exceeds the maximum allowed size (64KB).' },
        },
      }),
    );
    return true;
  });
  proxies.push(proxy);
  const client = createTableClient(proxy.connectionString, `import${randomBytes(4).toString('hex')}`);
  await client.createTable();
  const deps: AdminDeps = {
    rules: createAzureRulesStore(client),
    settings: createAzureSettingsStore(client),
    clock: () => new Date('2026-12-01T10:00:00Z'),
    defaults: ADMIN_DEFAULTS,
  };
  return { deps, state };
}

const reps = (count: number, prefix: string) =>
  Array.from({ length: count }, (_, i) => ({ userId: `U${prefix}${String(i).padStart(8, '0')}` }));

describe('a rules import (against Azurite)', () => {
  it('stores 300 routes and a 900-rep rotation whole, though neither fits one property', async () => {
    const { deps } = await adminRefusingWritesTo('C0NONE0001');
    const document: RulesDocument = {
      routes: Array.from({ length: 300 }, (_, i) => ({
        match: { offer: `contoso.offer-${i}-${'x'.repeat(80)}` },
        channel: 'C0SALES001',
      })),
      rotations: { C0SALES001: reps(900, 'R') },
      acceptance: { C0SALES001: { minutes: 15, maxHops: 2 } },
    };
    expect(JSON.stringify(document.routes).length).toBeGreaterThan(32_768);
    const change = await admin.importRules(deps, document);
    expect(change).toMatchObject({ kind: 'import', after: document.routes, rotations: 1 });
    expect(await deps.rules.routingRules()).toEqual(document.routes);
    const rotation = await deps.rules.rotation('C0SALES001');
    expect(rotation.members.map((member) => member.userId)).toEqual(reps(900, 'R').map((rep) => rep.userId));
    expect(rotation.acceptance).toEqual({ minutes: 15, maxHops: 2 });
  });

  it('applies whole or not at all: a write refused half-way puts back what it had written', async () => {
    const { deps, state } = await adminRefusingWritesTo('C0BROKEN01');
    await deps.rules.setRoutingRules([{ match: { country: 'DE' }, channel: 'C0GERMANY1' }]);
    await deps.rules.setRotation('C0SALES001', ['U0ANNA0001', 'U0BEN00001']);
    await deps.rules.setPaused('U0BEN00001', true);
    const before = {
      routes: await deps.rules.routingRules(),
      sales: await deps.rules.rotation('C0SALES001'),
      broken: await deps.rules.rotation('C0BROKEN01'),
    };

    state.refusing = true;
    const failed = await admin
      .importRules(deps, {
        routes: [{ match: { offer: 'fabrikam.*' }, channel: 'C0SALES001' }],
        rotations: { C0SALES001: reps(3, 'S'), C0BROKEN01: reps(2, 'B') },
        acceptance: {},
      })
      .catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(ImportFailedError);
    expect(failed).toMatchObject({ rolledBack: true, message: expect.stringMatching(/nothing changed$/) });

    expect(await deps.rules.routingRules()).toEqual(before.routes);
    expect(await deps.rules.rotation('C0SALES001')).toEqual(before.sales);
    expect(await deps.rules.rotation('C0BROKEN01')).toEqual(before.broken);
  });

  it('sets the CRM field map when the document has one (undone with the rest), and keeps it when it has none', async () => {
    const { deps, state } = await adminRefusingWritesTo('C0BROKEN01');
    const change = await admin.importRules(deps, {
      routes: [],
      rotations: {},
      acceptance: {},
      crm: { fieldMap: { offer: 'marketplace_offer' } },
    });
    expect(change.crmFieldMap).toEqual({ before: {}, after: { offer: 'marketplace_offer' } });
    expect(await admin.importRules(deps, { routes: [], rotations: {}, acceptance: {} })).toMatchObject({
      crmFieldMap: null,
    });
    expect(await deps.rules.crmFieldMap()).toEqual({ offer: 'marketplace_offer' });
    expect(await admin.exportRules(deps)).toMatchObject({
      crm: { fieldMap: { offer: 'marketplace_offer' } },
    });

    state.refusing = true;
    await expect(
      admin.importRules(deps, {
        routes: [],
        rotations: { C0BROKEN01: reps(2, 'B') },
        acceptance: {},
        crm: { fieldMap: { action: 'marketplace_action' } },
      }),
    ).rejects.toBeInstanceOf(ImportFailedError);
    expect(await deps.rules.crmFieldMap()).toEqual({ offer: 'marketplace_offer' });
  });
});
