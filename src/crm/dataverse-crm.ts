import type { TokenCredential } from '@azure/identity';
import type { PipelineStage } from '../domain/conversation.ts';
import { type CrmCustomer, crmDateOf, websiteHost } from '../domain/crm-customer.ts';
import { type CrmLead, crmDescriptionOf, givenFields } from '../domain/crm-lead.ts';
import { fnv1a64 } from '../domain/lead.ts';
import { CrmCallError, type CrmPort, type CrmRecord } from '../services/crm-port.ts';
import { createOwnerDirectory } from './owner-directory.ts';

export interface DataverseSettings {
  /** The environment's URL, e.g. https://contoso.crm4.dynamics.com. */
  readonly url: string;
  /** An Entra ID identity (a client secret, or the managed identity) with a Dataverse application user. */
  readonly credential: TokenCredential;
  /** One call longer than this counts as unanswered (the write may have happened; it is tried again). */
  readonly timeoutMs: number;
  /** The lead's state and status reason each stage in Slack sets; null leaves them. */
  readonly statuses: Readonly<Record<PipelineStage, DataverseLeadStatus | null>>;
}

/** A lead's `statecode` (0 Open, 1 Qualified, 2 Disqualified) and `statuscode` (its status reason). */
export interface DataverseLeadStatus {
  readonly statecode: number;
  readonly statuscode: number;
}

/**
 * The status reasons of the standard lead. Qualified and Won keep the lead open: qualifying a lead in
 * Dynamics 365 makes an account, a contact and an opportunity (the QualifyLead action), a sales
 * decision taken there.
 */
export const DATAVERSE_DEFAULT_STATUSES: Readonly<Record<PipelineStage, DataverseLeadStatus | null>> = {
  New: null,
  Contacted: { statecode: 0, statuscode: 2 },
  Qualified: { statecode: 0, statuscode: 2 },
  Won: null,
  Lost: { statecode: 2, statuscode: 4 },
  'Not a fit': { statecode: 2, statuscode: 6 },
};

/** An admin's `statecode/statuscode` stage values (CRM_STAGES, its form checked) as statuses; empty leaves. */
export function dataverseStatusesOf(
  stages: Partial<Readonly<Record<PipelineStage, string | null>>>,
): Partial<Record<PipelineStage, DataverseLeadStatus | null>> {
  return Object.fromEntries(
    Object.entries(stages).map(([stage, value]) => {
      if (value === null || value === undefined) return [stage, null];
      const [statecode = 0, statuscode = 0] = value.split('/').map(Number);
      return [stage, { statecode, statuscode }];
    }),
  );
}

/** Dataverse's error codes the adapter acts on (learn.microsoft.com → Dataverse → Web API errors). */
const DUPLICATE_DETECTED = '0x80040333';
const DUPLICATE_KEY = '0x80040237';

/**
 * The lead's Dataverse id, derived from its key: the create is then idempotent (a second create of the
 * same id is refused as a duplicate key, and the record found by it). A version-8 (custom) UUID.
 */
export function dataverseIdOf(key: string): string {
  const hex = key.replace(/^mkt-/, '').padEnd(32, '0').slice(0, 32).split('');
  hex[12] = '8';
  hex[16] = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const text = hex.join('');
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}

/** The id of the note a change adds: derived from the change's key, so a second create is refused. */
export function dataverseNoteIdOf(changeKey: string): string {
  return dataverseIdOf(`mkt-${fnv1a64(changeKey)}${fnv1a64(`\u0001${changeKey}`)}`);
}

function leadBody(lead: CrmLead, id: string): Record<string, string> {
  const { customer } = lead;
  return {
    ...lead.mappedFields,
    leadid: id,
    subject: lead.title.slice(0, 300),
    emailaddress1: lead.email,
    description: crmDescriptionOf(lead, 100_000),
    ...givenFields({
      firstname: customer.firstName,
      lastname: customer.lastName,
      telephone1: customer.phone,
      companyname: customer.company,
      jobtitle: customer.title,
      address1_country: customer.country,
    }),
  };
}

/** An OData string literal: quotes doubled. */
const odataText = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * Dynamics 365 / Dataverse through its Web API: a `lead` created with duplicate detection on and an id
 * derived from the lead's key. A retry finds its own record by that id; a lead whose customer already
 * is a lead in Dataverse (its duplicate rules match) is not created again: the existing lead is the
 * record.
 */
export function createDataverseCrm(settings: DataverseSettings): CrmPort {
  const base = settings.url.replace(/\/+$/, '');
  const api = `${base}/api/data/v9.2`;

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const token = await settings.credential.getToken(`${base}/.default`).catch((error: unknown) => {
      throw new CrmCallError(
        'unauthorized',
        `no Entra ID token for Dataverse: ${error instanceof Error ? error.message : String(error)}`.slice(
          0,
          300,
        ),
      );
    });
    if (token === null) throw new CrmCallError('unauthorized', 'no Entra ID token for Dataverse');
    try {
      return await fetch(`${api}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token.token}`,
          accept: 'application/json',
          'odata-version': '4.0',
          'odata-maxversion': '4.0',
          ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(settings.timeoutMs),
      });
    } catch (error) {
      throw new CrmCallError(
        'unavailable',
        `Dataverse did not answer: ${error instanceof Error ? error.message : String(error)}`.slice(0, 300),
      );
    }
  }

  async function failureOf(response: Response): Promise<CrmCallError & { code: string | null }> {
    const text = await response.text().catch(() => '');
    let code: string | null = null;
    let message = `HTTP ${response.status}`;
    try {
      const error = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error;
      if (typeof error?.code === 'string') code = error.code;
      if (typeof error?.message === 'string') message = error.message.slice(0, 500);
    } catch {
      // not JSON: the status says enough
    }
    const detail = `Dataverse ${response.status}: ${message}`;
    const failure =
      response.status === 429
        ? new CrmCallError(
            'rateLimited',
            detail,
            Math.max(0, Number(response.headers.get('retry-after') ?? 5)) * 1000,
          )
        : response.status === 401 || response.status === 403
          ? new CrmCallError('unauthorized', detail)
          : response.status >= 500 && code !== DUPLICATE_DETECTED
            ? new CrmCallError('unavailable', detail)
            : new CrmCallError('refused', detail);
    return Object.assign(failure, { code });
  }

  /** The lead's own record (created before an answer was lost), or the customer's existing lead. */
  async function existingLead(id: string, email: string): Promise<string | null> {
    const own = await call('GET', `/leads(${id})?$select=leadid`);
    if (own.ok) return id;
    if (own.status !== 404) throw await failureOf(own);
    const byEmail = await call(
      'GET',
      `/leads?$select=leadid&$filter=${encodeURIComponent(`emailaddress1 eq ${odataText(email)}`)}&$top=1`,
    );
    if (!byEmail.ok) throw await failureOf(byEmail);
    const found = ((await byEmail.json()) as { value?: { leadid?: string }[] }).value?.[0]?.leadid;
    return found ?? null;
  }

  const owners = createOwnerDirectory(async (email) => {
    const answer = await call(
      'GET',
      `/systemusers?$select=systemuserid&$filter=${encodeURIComponent(`internalemailaddress eq ${odataText(email)} and isdisabled eq false`)}&$top=1`,
    );
    if (!answer.ok) throw await failureOf(answer);
    return (
      ((await answer.json()) as { value?: { systemuserid?: string }[] }).value?.[0]?.systemuserid ?? null
    );
  });

  interface DataverseCustomer {
    readonly [column: string]: unknown;
    readonly owninguser?: { readonly fullname?: unknown; readonly internalemailaddress?: unknown } | null;
  }

  /** The rows a query finds, with the count of them all when asked (`$count=true`). */
  async function rows(path: string): Promise<{ value: DataverseCustomer[]; count: number }> {
    const answer = await call('GET', path);
    if (!answer.ok) throw await failureOf(answer);
    const body = (await answer.json()) as { value?: DataverseCustomer[]; '@odata.count'?: number };
    return { value: body.value ?? [], count: body['@odata.count'] ?? body.value?.length ?? 0 };
  }

  const query = (table: string, select: string, filter: string, top: number) =>
    `/${table}?$select=${select}&$expand=owninguser($select=fullname,internalemailaddress)&$filter=${encodeURIComponent(filter)}&$orderby=createdon asc&$top=${top}`;

  async function customerOf(row: DataverseCustomer, matchedBy: 'email' | 'domain'): Promise<CrmCustomer> {
    const [table, idColumn, parent] =
      matchedBy === 'email'
        ? (['contact', 'contactid', '_parentcontactid_value'] as const)
        : (['account', 'accountid', '_parentaccountid_value'] as const);
    const id = String(row[idColumn]);
    const open = await rows(
      `/opportunities?$select=opportunityid&$filter=${encodeURIComponent(`${parent} eq ${id} and statecode eq 0`)}&$count=true&$top=1`,
    );
    const name = matchedBy === 'email' ? row.fullname : row.name;
    const owner = row.owninguser ?? null;
    return {
      matchedBy,
      name: typeof name === 'string' && name !== '' ? name : null,
      since: crmDateOf(row.createdon),
      owner: owner && {
        name: typeof owner.fullname === 'string' ? owner.fullname : null,
        email: typeof owner.internalemailaddress === 'string' ? owner.internalemailaddress : null,
      },
      openDeals: open.count,
      url: `${base}/main.aspx?pagetype=entityrecord&etn=${table}&id=${id}`,
    };
  }

  return {
    name: 'Dynamics 365',
    async lookUpCustomer(customer) {
      const contacts = await rows(
        query('contacts', 'contactid,fullname,createdon', `emailaddress1 eq ${odataText(customer.email)}`, 1),
      );
      if (contacts.value[0]) return customerOf(contacts.value[0], 'email');
      if (customer.domain === null) return null;
      // websiteurl is free text ("https://www.contoso.com/"): candidates by contains, matched by their host.
      const accounts = await rows(
        query(
          'accounts',
          'accountid,name,createdon,websiteurl',
          `contains(websiteurl,${odataText(customer.domain)})`,
          20,
        ),
      );
      const account = accounts.value.find(
        (row) => typeof row.websiteurl === 'string' && websiteHost(row.websiteurl) === customer.domain,
      );
      return account === undefined ? null : customerOf(account, 'domain');
    },
    async updateRecord(record, update) {
      const status = update.stage === null ? null : settings.statuses[update.stage];
      const ownerId = update.ownerEmail === null ? null : await owners.idOf(update.ownerEmail);
      const fields = {
        ...(status ?? {}),
        ...(ownerId === null ? {} : { 'ownerid@odata.bind': `/systemusers(${ownerId})` }),
      };
      if (Object.keys(fields).length > 0) {
        const patched = await call('PATCH', `/leads(${record.id})`, fields, { 'if-match': '*' });
        if (!patched.ok) throw await failureOf(patched);
      }
      const { activity } = update;
      if (activity === null) return;
      // A note (annotation) whose id derives from the change: a second create is a duplicate key.
      const created = await call('POST', '/annotations', {
        annotationid: dataverseNoteIdOf(update.key),
        subject: activity.subject.slice(0, 500),
        notetext: activity.body.slice(0, 100_000),
        'objectid_lead@odata.bind': `/leads(${record.id})`,
      });
      if (created.ok) return;
      const failure = await failureOf(created);
      if (failure.code !== DUPLICATE_KEY) throw failure;
    },
    async writeLead(lead): Promise<CrmRecord> {
      const id = dataverseIdOf(lead.key);
      const created = await call('POST', '/leads', leadBody(lead, id), {
        'MSCRM.SuppressDuplicateDetection': 'false',
      });
      let recordId = id;
      if (!created.ok) {
        const failure = await failureOf(created);
        if (failure.code !== DUPLICATE_DETECTED && failure.code !== DUPLICATE_KEY) throw failure;
        const existing = await existingLead(id, lead.email);
        if (existing === null) throw failure; // a duplicate rule matched something other than the e-mail
        recordId = existing;
      }
      return {
        id: recordId,
        contactId: null,
        url: `${base}/main.aspx?pagetype=entityrecord&etn=lead&id=${recordId}`,
      };
    },
  };
}
