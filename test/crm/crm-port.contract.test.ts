import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDataverseCrm, dataverseIdOf } from '../../src/crm/dataverse-crm.ts';
import { createFileCrm } from '../../src/crm/file-crm.ts';
import { createHubSpotCrm, type HubSpotSettings } from '../../src/crm/hubspot-crm.ts';
import { createSalesforceCrm } from '../../src/crm/salesforce-crm.ts';
import { type CrmLead, crmLeadOf } from '../../src/domain/crm-lead.ts';
import { parseLeadRow } from '../../src/domain/lead.ts';
import { CrmCallError, type CrmPort } from '../../src/services/crm-port.ts';
import { JANE, leadColumns } from '../fixtures/lead-rows.ts';
import { createFakeDataverse } from '../support/fake-dataverse.ts';
import { createFakeHubSpot, type FakeHubSpot, type FakeHubSpotOptions } from '../support/fake-hubspot.ts';
import { createFakeSalesforce } from '../support/fake-salesforce.ts';

// One contract for the CRM port, run against the HubSpot adapter (with HubSpot's stand-in) and the
// local file CRM. Each implementation comes with a way to count what the CRM holds.

interface Subject {
  readonly crm: CrmPort;
  /** Records made for leads, and contacts (the file CRM keeps no contacts apart: null). */
  counts(): Promise<{ records: number; contacts: number | null }>;
}

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
  };
}

async function fileSubject(): Promise<Subject> {
  const folder = await mkdtemp(join(tmpdir(), 'leadbot-crm-'));
  closers.push(() => rm(folder, { recursive: true, force: true }));
  const crm = createFileCrm(join(folder, 'crm-records.json'), () => new Date('2026-03-02T09:00:00Z'));
  return {
    crm,
    counts: async () => ({ records: Object.keys((await crm.read()).records).length, contacts: null }),
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

async function dataverseSubject() {
  const dataverse = await createFakeDataverse();
  closers.push(dataverse.close);
  const crm = createDataverseCrm({ url: dataverse.url, credential: dataverse.credential, timeoutMs: 2000 });
  return { dataverse, crm, counts: async () => ({ records: dataverse.leads.size, contacts: null }) };
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
    timeoutMs: 2000,
  });
  return { salesforce, crm, counts: async () => ({ records: salesforce.leads.size, contacts: null }) };
}

describe.each([
  { name: 'HubSpot', create: (): Promise<Subject> => hubSpotSubject() },
  { name: 'Salesforce', create: (): Promise<Subject> => salesforceSubject() },
  { name: 'Dynamics 365 (Dataverse)', create: (): Promise<Subject> => dataverseSubject() },
  { name: 'local file', create: fileSubject },
])('CrmPort contract: $name', ({ create }) => {
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

  it('a credential that cannot get a token, or whose token is refused, is "unauthorized"', async () => {
    const { dataverse } = await dataverseSubject();
    const broken = createDataverseCrm({
      url: dataverse.url,
      credential: { getToken: async () => Promise.reject(new Error('AADSTS7000215: Invalid client secret')) },
      timeoutMs: 2000,
    });
    await expect(broken.writeLead(crmLead())).rejects.toMatchObject({ kind: 'unauthorized' });
    const stale = createDataverseCrm({
      url: dataverse.url,
      credential: { getToken: async () => ({ token: 'expired', expiresOnTimestamp: 0 }) },
      timeoutMs: 2000,
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
