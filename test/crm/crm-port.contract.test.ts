import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openCrm } from '../../src/compose/crm.ts';
import {
  createDataverseCrm,
  DATAVERSE_DEFAULT_STATUSES,
  dataverseIdOf,
  dataverseNoteIdOf,
  dataverseStatusesOf,
} from '../../src/crm/dataverse-crm.ts';
import { createFileCrm } from '../../src/crm/file-crm.ts';
import {
  createHubSpotCrm,
  HUBSPOT_DEFAULT_STAGE_IDS,
  type HubSpotSettings,
} from '../../src/crm/hubspot-crm.ts';
import { createSalesforceCrm, SALESFORCE_DEFAULT_LEAD_STATUSES } from '../../src/crm/salesforce-crm.ts';
import { type CrmChange, type CrmUpdate, crmChangeKeyOf, crmUpdateOf } from '../../src/domain/crm-change.ts';
import type { CrmFieldMap } from '../../src/domain/crm-fields.ts';
import { type CrmLead, crmLeadOf } from '../../src/domain/crm-lead.ts';
import { parseLeadRow } from '../../src/domain/lead.ts';
import { CrmCallError, type CrmPort } from '../../src/services/crm-port.ts';
import { JANE, leadColumns } from '../fixtures/lead-rows.ts';
import { createFakeDataverse } from '../support/fake-dataverse.ts';
import {
  type CustomerSeed,
  createFakeHubSpot,
  type FakeHubSpot,
  type FakeHubSpotOptions,
} from '../support/fake-hubspot.ts';
import { createFakeSalesforce } from '../support/fake-salesforce.ts';

// One contract for the CRM port, run against the HubSpot, Salesforce and Dataverse adapters (each
// with its stand-in) and the local file CRM. Each implementation comes with a way to see what the CRM
// holds.

interface Subject {
  readonly crm: CrmPort;
  /** Records made for leads, and contacts (the file CRM keeps no contacts apart: null). */
  counts(): Promise<{ records: number; contacts: number | null }>;
  /** The activities on a record, oldest first, their text as a person reads it in the CRM. */
  activities(recordId: string): Promise<{ subject: string; body: string }[]>;
  /** The record's stage (in the CRM's own values) and owner (its user id). */
  state(recordId: string): Promise<{ stage: unknown; owner: unknown }>;
  /**
   * What a lost lead's stage is in this CRM, its id of the user u0rep1@team.example, and the owner
   * after an e-mail no user of it has (the CRMs keep the owner; the local file has no users to check).
   */
  readonly expected: { readonly lost: unknown; readonly owner: unknown; readonly afterUnknown: unknown };
  /** A customer this CRM knew before the bot (a contact, or a company by its domain), with deals. */
  seedCustomer(seed: CustomerSeed): Promise<void>;
  /** How a lookup names the owner u0rep1@team.example, and whether the CRM has pages to link to. */
  readonly lookup: { readonly owner: { name: string | null; email: string | null }; readonly pages: boolean };
  /** Two properties this CRM has for the admin's field map, and where a lead's record keeps them. */
  readonly fieldMap: CrmFieldMap;
  mappedValues(lead: CrmLead): Promise<Record<string, unknown>>;
}

/** HubSpot's note body as a person reads it: the HTML the adapter wrote, shown as text. */
function noteText(html: string): { subject: string; body: string } {
  const text = (part: string) =>
    part
      .replaceAll('<br>', '\n')
      .replace(/<[^>]+>/g, '')
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>')
      .replaceAll('&quot;', '"')
      .replaceAll('&amp;', '&');
  const [, subject = '', body = ''] = html.match(/^<p><strong>(.*?)<\/strong><\/p><p>(.*)<\/p>$/s) ?? [];
  return { subject: text(subject), body: text(body) };
}

const ANNA = { name: 'Anna Berg', email: 'u0rep1@team.example' };

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

function hubSpotSettings(hubspot: FakeHubSpot, overrides: Partial<HubSpotSettings> = {}): HubSpotSettings {
  return {
    token: hubspot.token,
    apiUrl: hubspot.apiUrl,
    leadKeyProperty: 'marketplace_lead_key',
    pipeline: 'default',
    dealStage: 'appointmentscheduled',
    stageIds: HUBSPOT_DEFAULT_STAGE_IDS,
    requestsPer10Seconds: 1000,
    timeoutMs: 2000,
    ...overrides,
  };
}

async function hubSpotSubject(options: FakeHubSpotOptions = {}) {
  const hubspot = await createFakeHubSpot(options);
  closers.push(hubspot.close);
  const crm = createHubSpotCrm(hubSpotSettings(hubspot));
  return {
    hubspot,
    crm,
    counts: async () => ({ records: hubspot.deals.size, contacts: hubspot.contacts.size }),
    activities: async (dealId: string) =>
      hubspot.notes
        .filter((note) => note.dealId === dealId)
        .map((note) => noteText(note.properties.hs_note_body ?? '')),
    state: async (dealId: string) => {
      const deal = hubspot.dealById(dealId);
      return { stage: deal?.properties.dealstage, owner: deal?.properties.hubspot_owner_id };
    },
    expected: { lost: 'closedlost', owner: '7001', afterUnknown: '7001' },
    seedCustomer: async (seed: CustomerSeed) => hubspot.seedCustomer(seed),
    lookup: { owner: ANNA, pages: true },
    fieldMap: { offer: 'marketplace_offer', action: 'marketplace_action' },
    mappedValues: async (lead: CrmLead) => {
      const deal = [...hubspot.deals.values()].find((d) => d.properties.marketplace_lead_key === lead.key);
      return { offer: deal?.properties.marketplace_offer, action: deal?.properties.marketplace_action };
    },
  };
}

async function fileSubject(): Promise<Subject> {
  const folder = await mkdtemp(join(tmpdir(), 'leadbot-crm-'));
  closers.push(() => rm(folder, { recursive: true, force: true }));
  const path = join(folder, 'crm-records.json');
  const crm = createFileCrm(path, () => new Date('2026-03-02T09:00:00Z'));
  const entryOf = async (id: string) =>
    Object.values((await crm.read()).records).find((entry) => entry.id === id);
  return {
    crm,
    counts: async () => ({ records: Object.keys((await crm.read()).records).length, contacts: null }),
    activities: async (id) =>
      ((await entryOf(id))?.activities ?? []).map(({ subject, body }) => ({ subject, body })),
    state: async (id) => {
      const entry = await entryOf(id);
      return { stage: entry?.stage, owner: entry?.ownerEmail };
    },
    seedCustomer: async (seed) => {
      const document = await crm.read();
      const email = seed.email ?? `someone@${seed.domain}`;
      const entry = (n: number, stage?: 'Won') => ({
        id: `seed-${email}-${n}`,
        key: `seed-${email}-${n}`,
        email,
        title: 'earlier lead',
        source: 'Azure Marketplace',
        offerName: null,
        customer: { ...crmLead().customer, firstName: seed.name, lastName: null, company: seed.name },
        description: null,
        receivedAt: seed.createdAt,
        writtenAt: seed.createdAt,
        writes: 1,
        ...(seed.ownerEmail === null ? {} : { ownerEmail: seed.ownerEmail }),
        ...(stage ? { stage } : {}),
      });
      const entries = [
        ...Array.from({ length: seed.openDeals }, (_, n) => entry(n)),
        ...Array.from({ length: seed.closedDeals }, (_, n) => entry(seed.openDeals + n, 'Won')),
      ];
      const records = { ...document.records, ...Object.fromEntries(entries.map((e) => [e.key, e])) };
      await writeFile(path, JSON.stringify({ records }));
    },
    lookup: { owner: { name: null, email: 'u0rep1@team.example' }, pages: false },
    expected: {
      lost: 'Lost',
      owner: 'u0rep1@team.example',
      afterUnknown: 'stranger@elsewhere.example',
    },
    fieldMap: { offer: 'offer', action: 'action' },
    mappedValues: async (lead) => ({ ...(await crm.read()).records[lead.key]?.mappedFields }),
  };
}

let sequence = 0;
function crmLead(customer: Partial<typeof JANE> = {}): CrmLead {
  sequence += 1;
  const lead = crmLeadOf(
    parseLeadRow({
      partitionKey: '03:2F02:2F2026',
      rowKey: `contract-${sequence}-${Date.now()}`,
      timestamp: new Date('2026-03-02T09:00:00Z'),
      ...leadColumns({ CustomerInfo: JSON.stringify({ ...JANE, ...customer }) }),
    }),
  );
  if (lead === null) throw new Error('not a CRM lead');
  return lead;
}

let changeSequence = 0;
const changeAt = () => new Date(Date.parse('2026-03-02T10:00:00Z') + ++changeSequence * 60_000);

/** A follow-up's update, as the hand-off makes it. */
function followUpUpdate(recordId: string, note: string, at = changeAt()): CrmUpdate {
  const change: CrmChange = {
    kind: 'followUp',
    at,
    by: 'U0REP1',
    followUpKind: 'call',
    note,
    nextStepOn: null,
    stage: 'Contacted',
  };
  return crmUpdateOf({
    key: crmChangeKeyOf(`mkt-${recordId}`, change),
    change,
    ownerEmail: null,
    byName: 'u0rep1@team.example',
    maybeWritten: false,
  });
}

function ownerUpdate(email: string): CrmUpdate {
  const change: CrmChange = { kind: 'owner', at: changeAt(), by: 'U0REP1', ownerId: 'U0REP1' };
  return crmUpdateOf({
    key: crmChangeKeyOf('mkt-owner', change),
    change,
    ownerEmail: email,
    byName: email,
    maybeWritten: false,
  });
}

function lostUpdate(): CrmUpdate {
  const change: CrmChange = { kind: 'stage', at: changeAt(), by: 'U0REP1', stage: 'Lost', reason: 'budget' };
  return crmUpdateOf({
    key: crmChangeKeyOf('mkt-lost', change),
    change,
    ownerEmail: null,
    byName: 'u0rep1@team.example',
    maybeWritten: false,
  });
}

async function dataverseSubject() {
  const dataverse = await createFakeDataverse();
  closers.push(dataverse.close);
  const crm = createDataverseCrm({
    url: dataverse.url,
    credential: dataverse.credential,
    timeoutMs: 2000,
    statuses: DATAVERSE_DEFAULT_STATUSES,
  });
  return {
    dataverse,
    crm,
    counts: async () => ({ records: dataverse.leads.size, contacts: null }),
    activities: async (id: string) =>
      dataverse.notes
        .filter((note) => note['objectid_lead@odata.bind'] === `/leads(${id})`)
        .map((note) => ({ subject: note.subject ?? '', body: note.notetext ?? '' })),
    state: async (id: string) => {
      const lead = dataverse.leads.get(id);
      return { stage: lead && [lead.statecode, lead.statuscode], owner: lead?.ownerid };
    },
    seedCustomer: async (seed: CustomerSeed) => dataverse.seedCustomer(seed),
    lookup: { owner: ANNA, pages: true },
    expected: {
      lost: [2, 4],
      owner: '5f0c2a57-0000-4000-8000-000000000042',
      afterUnknown: '5f0c2a57-0000-4000-8000-000000000042',
    },
    fieldMap: { offer: 'new_marketplaceoffer', action: 'new_marketplaceaction' },
    mappedValues: async (lead: CrmLead) => {
      const record = dataverse.leads.get(dataverseIdOf(lead.key));
      return { offer: record?.new_marketplaceoffer, action: record?.new_marketplaceaction };
    },
  };
}

async function salesforceSubject() {
  const salesforce = await createFakeSalesforce();
  closers.push(salesforce.close);
  const crm = createSalesforceCrm({
    loginUrl: salesforce.loginUrl,
    clientId: salesforce.clientId,
    username: salesforce.username,
    privateKey: salesforce.privateKey,
    externalIdField: 'Marketplace_Lead_Key__c',
    leadSource: 'Microsoft Marketplace',
    leadStatuses: SALESFORCE_DEFAULT_LEAD_STATUSES,
    timeoutMs: 2000,
  });
  const leadById = (id: string) => [...salesforce.leads.values()].find((lead) => lead.Id === id);
  return {
    salesforce,
    crm,
    counts: async () => ({ records: salesforce.leads.size, contacts: null }),
    activities: async (id: string) =>
      salesforce.tasks
        .filter((task) => task.WhoId === id)
        .map((task) => ({ subject: task.Subject ?? '', body: task.Description ?? '' })),
    state: async (id: string) => ({ stage: leadById(id)?.Status, owner: leadById(id)?.OwnerId }),
    seedCustomer: async (seed: CustomerSeed) => salesforce.seedCustomer(seed),
    lookup: { owner: ANNA, pages: true },
    expected: {
      lost: 'Closed - Not Converted',
      owner: '005000000000042AAA',
      afterUnknown: '005000000000042AAA',
    },
    fieldMap: { offer: 'Marketplace_Offer__c', action: 'Marketplace_Action__c' },
    mappedValues: async (lead: CrmLead) => {
      const record = salesforce.leads.get(lead.key);
      return { offer: record?.Marketplace_Offer__c, action: record?.Marketplace_Action__c };
    },
  };
}

describe.each([
  { name: 'HubSpot', create: (): Promise<Subject> => hubSpotSubject() },
  { name: 'Salesforce', create: (): Promise<Subject> => salesforceSubject() },
  { name: 'Dynamics 365 (Dataverse)', create: (): Promise<Subject> => dataverseSubject() },
  { name: 'local file', create: fileSubject },
])('CrmPort contract: $name', ({ create }) => {
  it('finds a known contact by e-mail: since when, its owner, its open deals and a link', async () => {
    const { crm, seedCustomer, lookup } = await create();
    await seedCustomer({
      email: 'dana@northwind.example',
      name: 'Dana',
      createdAt: '2024-03-04T10:00:00.000Z',
      ownerEmail: 'u0rep1@team.example',
      openDeals: 2,
      closedDeals: 1,
    });
    const found = await crm.lookUpCustomer({ email: 'Dana@Northwind.example', domain: 'northwind.example' });
    expect(found).toMatchObject({
      matchedBy: 'email',
      name: 'Dana',
      since: new Date('2024-03-04T10:00:00.000Z'),
      owner: lookup.owner,
      openDeals: 2,
    });
    if (lookup.pages) expect(found?.url).toMatch(/^https?:\/\//);
    else expect(found?.url).toBeNull();
  });

  it("finds the customer's company by domain when no contact has the e-mail, and only when asked to", async () => {
    const { crm, seedCustomer } = await create();
    await seedCustomer({
      domain: 'fabrikam.example',
      name: 'Fabrikam',
      createdAt: '2021-06-01T00:00:00.000Z',
      ownerEmail: null,
      openDeals: 1,
      closedDeals: 1,
    });
    expect(
      await crm.lookUpCustomer({ email: 'new@fabrikam.example', domain: 'fabrikam.example' }),
    ).toMatchObject({ matchedBy: 'domain', name: 'Fabrikam', owner: null, openDeals: 1 });
    expect(await crm.lookUpCustomer({ email: 'new@fabrikam.example', domain: null })).toBeNull();
    expect(
      await crm.lookUpCustomer({ email: 'x@elsewhere.example', domain: 'elsewhere.example' }),
    ).toBeNull();
  });

  it("reads a customer's hostile e-mail and domain as values, never as a query", async () => {
    const { crm, seedCustomer } = await create();
    await seedCustomer({
      email: 'dana@northwind.example',
      name: 'Dana',
      createdAt: '2024-03-04T10:00:00.000Z',
      ownerEmail: null,
      openDeals: 0,
      closedDeals: 0,
    });
    const hostile = [
      { email: "x' OR Email != 'y@northwind.example", domain: null },
      { email: "x' or emailaddress1 ne 'y", domain: "northwind.example') or contains(websiteurl,'" },
      { email: "x\\' OR Name != '", domain: '%' },
    ];
    for (const query of hostile) expect(await crm.lookUpCustomer(query)).toBeNull();
  });

  it('writes a lead as one record, and writing it again changes nothing', async () => {
    const { crm, counts } = await create();
    const lead = crmLead();
    const first = await crm.writeLead(lead);
    const again = await Promise.all([crm.writeLead(lead), crm.writeLead(lead)]);
    expect(again.map((record) => record.id)).toEqual([first.id, first.id]);
    expect((await counts()).records).toBe(1);
  });

  it('gives the leads of different customers records of their own', async () => {
    const { crm, counts } = await create();
    const records = [
      await crm.writeLead(crmLead({ Email: 'ann@contoso.example' })),
      await crm.writeLead(crmLead({ Email: 'bob@fabrikam.example' })),
    ];
    expect(records[0]?.id).not.toBe(records[1]?.id);
    expect((await counts()).records).toBe(2);
  });

  it("adds a change's activity once, however often it is sent (after a lost answer it looks first)", async () => {
    const { crm, activities } = await create();
    const record = await crm.writeLead(crmLead());
    const update = followUpUpdate(record.id, 'Called; they want a demo.');
    await crm.updateRecord(record, update);
    await crm.updateRecord(record, { ...update, maybeWritten: true });
    expect(await activities(record.id)).toEqual([
      { subject: update.activity?.subject, body: update.activity?.body },
    ]);
  });

  it('tells apart the same change made on two leads: one rep logging two calls in the same millisecond', async () => {
    const { crm, activities } = await create();
    const [first, second] = [
      await crm.writeLead(crmLead({ Email: 'ann@contoso.example' })),
      await crm.writeLead(crmLead({ Email: 'bob@fabrikam.example' })),
    ];
    if (first === undefined || second === undefined) throw new Error('not written');
    const at = changeAt();
    await crm.updateRecord(first, followUpUpdate(first.id, 'Called Ann.', at));
    // The second lead's write is a retry after a lost answer: it looks for its activity first.
    const retried = { ...followUpUpdate(second.id, 'Called Bob.', at), maybeWritten: true };
    await crm.updateRecord(second, retried);
    expect(await activities(second.id)).toEqual([
      { subject: retried.activity?.subject, body: retried.activity?.body },
    ]);
    expect(await activities(first.id)).toHaveLength(1);
  });

  it('adds the changes of a record in the order they are sent', async () => {
    const { crm, activities } = await create();
    const record = await crm.writeLead(crmLead());
    const updates = ['first call', 'second call', 'third call'].map((note) =>
      followUpUpdate(record.id, note),
    );
    for (const update of updates) await crm.updateRecord(record, update);
    expect((await activities(record.id)).map((activity) => activity.subject)).toEqual(
      updates.map((update) => update.activity?.subject),
    );
  });

  it("keeps a rep's hostile note exactly as written", async () => {
    const { crm, activities } = await create();
    const record = await crm.writeLead(crmLead());
    const note = `<script>alert(1)</script> <a href="javascript:x">x</a> & 'quotes' \\ *bold* <@U1>\nline two`;
    await crm.updateRecord(record, followUpUpdate(record.id, note));
    expect((await activities(record.id))[0]?.body).toContain(note);
  });

  it("sets the record's stage and owner, and what an owner the CRM does not know does", async () => {
    const { crm, state, expected } = await create();
    const record = await crm.writeLead(crmLead());
    await crm.updateRecord(record, ownerUpdate('u0rep1@team.example'));
    await crm.updateRecord(record, lostUpdate());
    expect(await state(record.id)).toEqual({ stage: expected.lost, owner: expected.owner });
    await crm.updateRecord(record, ownerUpdate('stranger@elsewhere.example'));
    expect(await state(record.id)).toEqual({ stage: expected.lost, owner: expected.afterUnknown });
  });

  it("writes the admin's field map: each mapped field into the property named, only when Microsoft gave it", async () => {
    const { crm, fieldMap, mappedValues } = await create();
    const row = (columns: Record<string, string>) =>
      parseLeadRow({
        partitionKey: '03:2F02:2F2026',
        rowKey: `mapped-${++sequence}`,
        timestamp: new Date('2026-03-02T09:00:00Z'),
        ...leadColumns(columns),
      });
    const full = crmLeadOf(
      row({ OfferDisplayName: 'Contoso <Analytics>', ActionCode: 'FreeTrial' }),
      fieldMap,
    );
    const bare = crmLeadOf(
      // Another customer: Dataverse's duplicate rules would make the same customer's lead one record.
      row({
        OfferDisplayName: 'Contoso',
        ActionCode: '',
        LeadSource: 'AzureMarketplace|contoso',
        CustomerInfo: JSON.stringify({ ...JANE, Email: 'bare@contoso.example' }),
      }),
      fieldMap,
    );
    if (full === null || bare === null) throw new Error('not CRM leads');
    await crm.writeLead(full);
    await crm.writeLead(bare);
    const byField = (values: Record<string, unknown>) => ({
      offer: values.offer ?? values[fieldMap.offer ?? ''],
      action: values.action ?? values[fieldMap.action ?? ''],
    });
    expect(byField(await mappedValues(full))).toEqual({ offer: 'Contoso <Analytics>', action: 'FreeTrial' });
    expect(byField(await mappedValues(bare))).toEqual({ offer: 'Contoso', action: undefined });
  });

  it('keeps hostile text exactly as written', async () => {
    const { crm } = await create();
    const note = `<!channel> *buy* <https://evil.example|click> & "quotes"\n${'x'.repeat(3000)}`;
    const lead = { ...crmLead({ Company: '<@U123> Evil & Co' }), description: note };
    const record = await crm.writeLead(lead);
    expect(record.id).not.toBe('');
  });
});

describe('HubSpot adapter', () => {
  it('gives each lead its own deal; two leads of one customer share one contact', async () => {
    const { hubspot, crm } = await hubSpotSubject();
    const [a, b] = [crmLead({ Email: 'Ann@Contoso.example' }), crmLead({ Email: 'ann@contoso.example' })];
    const records = [await crm.writeLead(a), await crm.writeLead(b)];
    expect(records[0]?.id).not.toBe(records[1]?.id);
    expect(records[0]?.contactId).toBe(records[1]?.contactId);
    expect([hubspot.deals.size, hubspot.contacts.size]).toEqual([2, 1]);
  });

  it('upserts the contact by e-mail and the deal by the lead key, associated, with a link to the deal', async () => {
    const { hubspot, crm } = await hubSpotSubject();
    const lead = crmLead({ FirstName: 'Jane', Company: 'Contoso' });
    const record = await crm.writeLead(lead);
    const [deal] = [...hubspot.deals.values()];
    const [contact] = [...hubspot.contacts.values()];
    expect(deal?.properties).toMatchObject({
      marketplace_lead_key: lead.key,
      pipeline: 'default',
      dealstage: 'appointmentscheduled',
      dealname: lead.title,
    });
    expect(deal?.properties.description).toContain(lead.description ?? '');
    expect(contact?.properties).toMatchObject({ email: lead.email, firstname: 'Jane', company: 'Contoso' });
    expect(hubspot.associations).toEqual(new Set([`${deal?.id}→${contact?.id}`]));
    expect(record).toEqual({
      id: deal?.id,
      contactId: contact?.id,
      url: `https://app-eu1.hubspot.com/contacts/4242/record/0-3/${deal?.id}`,
    });
  });

  it('does not blank contact fields Microsoft left empty', async () => {
    const { hubspot, crm } = await hubSpotSubject();
    await crm.writeLead(crmLead({ Phone: '+1 555 0100' }));
    await crm.writeLead(crmLead({ Phone: '' }));
    expect([...hubspot.contacts.values()][0]?.properties.phone).toBe('+1 555 0100');
  });

  it('a lost answer is "unavailable"; writing again makes no second deal or contact', async () => {
    const { hubspot, crm } = await hubSpotSubject();
    const lead = crmLead();
    // The contact, then the deal, then the association: each written, its answer lost.
    for (const path of [/contacts\/batch/, /deals\/batch/, /associations/]) {
      hubspot.loseAnswers(1, path);
      await expect(crm.writeLead(lead)).rejects.toMatchObject({ kind: 'unavailable' });
    }
    expect(hubspot.requests.filter((request) => request.status === 0)).toHaveLength(3);
    await crm.writeLead(lead);
    expect([hubspot.deals.size, hubspot.contacts.size, hubspot.associations.size]).toEqual([1, 1, 1]);
  });

  it.each([
    { status: 429, kind: 'rateLimited', retryAfterMs: 10_000 },
    { status: 500, kind: 'unavailable', retryAfterMs: null },
    { status: 503, kind: 'unavailable', retryAfterMs: null },
  ])('maps HubSpot $status to $kind', async ({ status, kind, retryAfterMs }) => {
    const { hubspot, crm } = await hubSpotSubject();
    hubspot.failNext(1, status);
    const failure = await crm.writeLead(crmLead()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CrmCallError);
    expect(failure).toMatchObject({ kind, retryAfterMs, permanent: false });
  });

  it('its own rate limit (the ten-second rolling window) is "rateLimited" with a 10 s wait', async () => {
    const { crm } = await hubSpotSubject({ requestsPer10Seconds: 4 });
    await crm.writeLead(crmLead()); // 3 calls + the account details
    const failure = await crm.writeLead(crmLead()).catch((error: unknown) => error);
    expect(failure).toMatchObject({ kind: 'rateLimited', retryAfterMs: 10_000 });
    expect((failure as CrmCallError).detail).toContain('ten_secondly_rolling');
  });

  it('a revoked token is "unauthorized", not a refusal of the lead', async () => {
    const { hubspot, crm } = await hubSpotSubject();
    hubspot.revokeToken();
    await expect(crm.writeLead(crmLead())).rejects.toMatchObject({ kind: 'unauthorized', permanent: false });
  });

  it('a property HubSpot rejects is a permanent refusal naming it', async () => {
    const { crm } = await hubSpotSubject({ uniqueDealProperties: ['other_key'] });
    const failure = await crm.writeLead(crmLead()).catch((error: unknown) => error);
    expect(failure).toMatchObject({ kind: 'refused', permanent: true });
    expect((failure as CrmCallError).detail).toContain('marketplace_lead_key');
  });

  it('writes a note HubSpot shows as text, on the deal; a note whose answer was lost is found, not made twice', async () => {
    const { hubspot, crm } = await hubSpotSubject();
    const record = await crm.writeLead(crmLead());
    const update = followUpUpdate(record.id, '<img src=x onerror=alert(1)> & done');
    hubspot.loseAnswers(1, /objects\/notes$/);
    await expect(crm.updateRecord(record, update)).rejects.toMatchObject({ kind: 'unavailable' });
    await crm.updateRecord(record, { ...update, maybeWritten: true });
    expect(hubspot.notes).toHaveLength(1);
    expect(hubspot.notes[0]?.dealId).toBe(record.id);
    expect(hubspot.notes[0]?.properties.hs_note_body).toContain(
      '&lt;img src=x onerror=alert(1)&gt; &amp; done',
    );
    expect(hubspot.notes[0]?.properties.hs_note_body).not.toContain('<img');
  });

  it('a deal stage the pipeline does not have is a permanent refusal naming it', async () => {
    const hubspot = await createFakeHubSpot();
    closers.push(hubspot.close);
    const crm = createHubSpotCrm(
      hubSpotSettings(hubspot, { stageIds: { ...HUBSPOT_DEFAULT_STAGE_IDS, Lost: 'closed_lost_custom' } }),
    );
    const record = await crm.writeLead(crmLead());
    const failure = await crm.updateRecord(record, lostUpdate()).catch((error: unknown) => error);
    expect(failure).toMatchObject({ kind: 'refused', permanent: true });
    expect((failure as CrmCallError).detail).toContain('closed_lost_custom');
  });

  it('a HubSpot that does not answer in time is "unavailable"', async () => {
    const hubspot = await createFakeHubSpot({ latencyMs: 600 });
    closers.push(hubspot.close);
    const crm = createHubSpotCrm(hubSpotSettings(hubspot, { timeoutMs: 200 }));
    await expect(crm.writeLead(crmLead())).rejects.toMatchObject({ kind: 'unavailable' });
  });
});

describe('Dynamics 365 (Dataverse) adapter', () => {
  it('creates a lead with duplicate detection on, under an id derived from the lead key, with a link', async () => {
    const { dataverse, crm } = await dataverseSubject();
    const lead = crmLead({ FirstName: 'Jane', Company: 'Contoso' });
    const record = await crm.writeLead(lead);
    const id = dataverseIdOf(lead.key);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(record).toEqual({
      id,
      contactId: null,
      url: `${dataverse.url}/main.aspx?pagetype=entityrecord&etn=lead&id=${id}`,
    });
    expect(dataverse.leads.get(id)).toMatchObject({
      emailaddress1: lead.email,
      firstname: 'Jane',
      companyname: 'Contoso',
      subject: lead.title,
    });
    expect(dataverse.credential.scopes).toContain(`${dataverse.url}/.default`);
  });

  it('a lost answer after the create: writing again finds the lead it made, and makes no second', async () => {
    const { dataverse, crm } = await dataverseSubject();
    const lead = crmLead();
    dataverse.loseAnswers(1);
    await expect(crm.writeLead(lead)).rejects.toMatchObject({ kind: 'unavailable' });
    expect((await crm.writeLead(lead)).id).toBe(dataverseIdOf(lead.key));
    expect(dataverse.leads.size).toBe(1);
  });

  it('a customer who already is a lead in Dataverse is not created again: the existing lead is the record', async () => {
    const { dataverse, crm } = await dataverseSubject();
    const first = await crm.writeLead(crmLead({ Email: "o'brien@contoso.example" }));
    const again = await crm.writeLead(crmLead({ Email: "O'Brien@Contoso.example" }));
    expect(again.id).toBe(first.id);
    expect(dataverse.leads.size).toBe(1);
  });

  it.each([
    { status: 429, retryAfter: 7, kind: 'rateLimited', retryAfterMs: 7_000 },
    { status: 503, retryAfter: 0, kind: 'unavailable', retryAfterMs: null },
  ])('maps Dataverse $status to $kind', async ({ status, retryAfter, kind, retryAfterMs }) => {
    const { dataverse, crm } = await dataverseSubject();
    dataverse.failNext(1, status, retryAfter);
    await expect(crm.writeLead(crmLead())).rejects.toMatchObject({ kind, retryAfterMs });
  });

  it('asks for a token for every call, so a token that expired mid-run is replaced, not reused', async () => {
    const { dataverse, crm } = await dataverseSubject();
    await crm.writeLead(crmLead({ Email: 'first@contoso.example' }));
    dataverse.expireTokens();
    await crm.writeLead(crmLead({ Email: 'second@contoso.example' }));
    expect(dataverse.leads.size).toBe(2);
    expect(dataverse.requests.filter((request) => request.status === 401)).toEqual([]);
  });

  it("writes a change as a note on the lead with an id from the change; a lost answer's retry makes no second", async () => {
    const { dataverse, crm } = await dataverseSubject();
    const record = await crm.writeLead(crmLead());
    const update = followUpUpdate(record.id, 'Called.');
    dataverse.loseAnswers(1, /annotations$/);
    await expect(crm.updateRecord(record, update)).rejects.toMatchObject({ kind: 'unavailable' });
    await crm.updateRecord(record, update);
    expect(dataverse.notes).toEqual([
      expect.objectContaining({
        annotationid: dataverseNoteIdOf(update.key),
        subject: update.activity?.subject,
      }),
    ]);
    expect(dataverse.leads.get(record.id)).toMatchObject({ statecode: 0, statuscode: 2 });
  });

  it('a credential that cannot get a token, or whose token is refused, is "unauthorized"', async () => {
    const { dataverse } = await dataverseSubject();
    const broken = createDataverseCrm({
      url: dataverse.url,
      credential: { getToken: async () => Promise.reject(new Error('AADSTS7000215: Invalid client secret')) },
      timeoutMs: 2000,
      statuses: DATAVERSE_DEFAULT_STATUSES,
    });
    await expect(broken.writeLead(crmLead())).rejects.toMatchObject({ kind: 'unauthorized' });
    const stale = createDataverseCrm({
      url: dataverse.url,
      credential: { getToken: async () => ({ token: 'expired', expiresOnTimestamp: 0 }) },
      timeoutMs: 2000,
      statuses: DATAVERSE_DEFAULT_STATUSES,
    });
    await expect(stale.writeLead(crmLead())).rejects.toMatchObject({ kind: 'unauthorized' });
  });
});

describe('Salesforce adapter', () => {
  it('logs in with the JWT bearer flow and upserts a Lead by its external id, with a link', async () => {
    const { salesforce, crm } = await salesforceSubject();
    const lead = crmLead({ FirstName: 'Jane', LastName: 'Doe', Company: 'Contoso' });
    const record = await crm.writeLead(lead);
    expect(salesforce.leads.get(lead.key)).toMatchObject({
      Id: record.id,
      FirstName: 'Jane',
      LastName: 'Doe',
      Company: 'Contoso',
      Email: lead.email,
      LeadSource: 'Microsoft Marketplace',
      Marketplace_Lead_Key__c: lead.key,
    });
    expect(record.url).toBe(`${salesforce.loginUrl}/lightning/r/Lead/${record.id}/view`);
    // One login for many writes.
    await crm.writeLead(crmLead({ Email: 'other@contoso.example' }));
    expect(salesforce.requests.filter((request) => request.path === '/services/oauth2/token')).toHaveLength(
      1,
    );
  });

  it('fills the fields Salesforce requires when Microsoft left them empty', async () => {
    const { salesforce, crm } = await salesforceSubject();
    const lead = crmLead({ LastName: '', Company: '' });
    await crm.writeLead(lead);
    expect(salesforce.leads.get(lead.key)).toMatchObject({ LastName: 'Jane', Company: '[not provided]' });
  });

  it('a lost answer after the upsert: writing again updates the same Lead', async () => {
    const { salesforce, crm } = await salesforceSubject();
    const lead = crmLead();
    salesforce.loseAnswers(1);
    await expect(crm.writeLead(lead)).rejects.toMatchObject({ kind: 'unavailable' });
    const again = await crm.writeLead(lead);
    expect(salesforce.leads.size).toBe(1);
    expect(again.id).toBe(salesforce.leads.get(lead.key)?.Id);
  });

  it('writes a follow-up as a completed Task on the Lead; a Task whose answer was lost is found, not made twice', async () => {
    const { salesforce, crm } = await salesforceSubject();
    const record = await crm.writeLead(crmLead());
    const update = followUpUpdate(record.id, 'Called.');
    salesforce.loseAnswers(1, /sobjects\/Task$/);
    await expect(crm.updateRecord(record, update)).rejects.toMatchObject({ kind: 'unavailable' });
    await crm.updateRecord(record, { ...update, maybeWritten: true });
    expect(salesforce.tasks).toEqual([
      expect.objectContaining({ WhoId: record.id, Status: 'Completed', Subject: update.activity?.subject }),
    ]);
    expect([...salesforce.leads.values()][0]?.Status).toBe('Working - Contacted');
  });

  it('an expired session is opened again once; a refused login is "unauthorized"', async () => {
    const { salesforce, crm } = await salesforceSubject();
    await crm.writeLead(crmLead({ Email: 'a@contoso.example' }));
    salesforce.expireSessions();
    await crm.writeLead(crmLead({ Email: 'b@contoso.example' }));
    expect(salesforce.leads.size).toBe(2);
    const stranger = createSalesforceCrm({
      loginUrl: salesforce.loginUrl,
      clientId: 'someone-else',
      username: salesforce.username,
      privateKey: salesforce.privateKey,
      externalIdField: 'Marketplace_Lead_Key__c',
      leadSource: 'Microsoft Marketplace',
      leadStatuses: SALESFORCE_DEFAULT_LEAD_STATUSES,
      timeoutMs: 2000,
    });
    await expect(stranger.writeLead(crmLead())).rejects.toMatchObject({ kind: 'unauthorized' });
  });

  it.each([
    { status: 403, errorCode: 'REQUEST_LIMIT_EXCEEDED', kind: 'rateLimited' },
    { status: 503, errorCode: 'SERVER_UNAVAILABLE', kind: 'unavailable' },
    { status: 400, errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', kind: 'refused' },
  ])('maps $errorCode to $kind', async ({ status, errorCode, kind }) => {
    const { salesforce, crm } = await salesforceSubject();
    salesforce.failNext(1, status, errorCode);
    const failure = await crm.writeLead(crmLead()).catch((error: unknown) => error);
    expect(failure).toMatchObject({ kind });
    expect((failure as CrmCallError).detail).toContain(errorCode);
  });
});

describe("the admin's CRM_STAGES, over each CRM's defaults", () => {
  it('moves a HubSpot deal to the stage the admin named, and leaves the other defaults', async () => {
    const hubspot = await createFakeHubSpot();
    closers.push(hubspot.close);
    const { stageIds: _, ...settings } = hubSpotSettings(hubspot);
    const crm = await openCrm(
      { kind: 'hubspot', ...settings, stages: { Lost: 'closedwon' } },
      2000,
      () => new Date(),
    );
    const record = await crm?.writeLead(crmLead());
    if (!crm || !record) throw new Error('not written');
    await crm.updateRecord(record, lostUpdate());
    expect(hubspot.dealById(record.id)?.properties.dealstage).toBe('closedwon');
  });

  it('sets a Dynamics 365 lead to the statecode/statuscode the admin named', async () => {
    const dataverse = await createFakeDataverse();
    closers.push(dataverse.close);
    const crm = createDataverseCrm({
      url: dataverse.url,
      credential: dataverse.credential,
      timeoutMs: 2000,
      statuses: { ...DATAVERSE_DEFAULT_STATUSES, ...dataverseStatusesOf({ Lost: '2/5' }) },
    });
    const record = await crm.writeLead(crmLead());
    await crm.updateRecord(record, lostUpdate());
    const lead = dataverse.leads.get(record.id);
    expect([lead?.statecode, lead?.statuscode]).toEqual([2, 5]);
  });
});
