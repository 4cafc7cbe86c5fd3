import { createSign } from 'node:crypto';
import { Connection } from 'jsforce';
import type { PipelineStage } from '../domain/conversation.ts';
import type { CrmUpdate } from '../domain/crm-change.ts';
import { type CrmCustomer, type CrmCustomerQuery, crmDateOf, websiteHost } from '../domain/crm-customer.ts';
import { type CrmLead, crmDescriptionOf, givenFields } from '../domain/crm-lead.ts';
import { CrmCallError, type CrmPort, type CrmRecord, type CrmRecordRef } from '../services/crm-port.ts';
import { createOwnerDirectory } from './owner-directory.ts';

export interface SalesforceSettings {
  /** https://login.salesforce.com, https://test.salesforce.com (sandboxes) or the org's My Domain. */
  readonly loginUrl: string;
  /** The connected app's consumer key. */
  readonly clientId: string;
  /** The integration user the connected app is pre-authorised for. */
  readonly username: string;
  /** The PEM private key whose certificate is uploaded to the connected app. */
  readonly privateKey: string;
  /** The Lead field (External ID, unique) holding each lead's key, e.g. Marketplace_Lead_Key__c. */
  readonly externalIdField: string;
  /** Lead Source picklist value of the leads the bot writes. */
  readonly leadSource: string;
  /** The Lead Status each stage in Slack sets; null leaves the status. */
  readonly leadStatuses: Readonly<Record<PipelineStage, string | null>>;
  readonly timeoutMs: number;
}

const API_VERSION = '62.0';

/**
 * The standard Lead Status values. A won lead keeps its status: "Closed - Converted" is set by
 * converting the lead in Salesforce (a sales decision with an account and an opportunity), which
 * Salesforce does not allow through an update.
 */
export const SALESFORCE_DEFAULT_LEAD_STATUSES: Readonly<Record<PipelineStage, string | null>> = {
  New: null,
  Contacted: 'Working - Contacted',
  Qualified: 'Working - Contacted',
  Won: null,
  Lost: 'Closed - Not Converted',
  'Not a fit': 'Closed - Not Converted',
};
/** What Salesforce requires on a Lead and Microsoft may leave empty. */
const NOT_GIVEN = '[not provided]';

const base64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/** The OAuth 2.0 JWT bearer assertion (help.salesforce.com → OAuth 2.0 JWT Bearer Flow). */
export function jwtAssertion(settings: SalesforceSettings, now: Date): string {
  const header = base64url(JSON.stringify({ alg: 'RS256' }));
  const claims = base64url(
    JSON.stringify({
      iss: settings.clientId,
      sub: settings.username,
      aud: settings.loginUrl.replace(/\/+$/, ''),
      exp: Math.floor(now.getTime() / 1000) + 180,
    }),
  );
  const signature = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(settings.privateKey);
  return `${header}.${claims}.${base64url(signature)}`;
}

/** A SOQL string literal: quotes and backslashes escaped, so a customer's e-mail stays a value. */
export const soqlText = (text: string) => `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
/** LIKE's wildcards in a value, escaped (the value is then quoted with soqlText). */
const soqlLike = (text: string) => text.replaceAll('%', '\\%').replaceAll('_', '\\_');

/**
 * A failed login: the token endpoint refused the assertion (jsforce names the error after OAuth's
 * `error`, e.g. invalid_grant) unless it did not answer or answered 5xx.
 */
function loginFailure(error: unknown): CrmCallError {
  if (error instanceof CrmCallError) return error;
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  const text =
    `Salesforce login: ${typeof name === 'string' ? name : ''} ${typeof message === 'string' ? message : ''}`.slice(
      0,
      500,
    );
  const network =
    name === 'Error' || name === 'TypeError' || name === 'AbortError' || typeof name !== 'string';
  return network || /^ERROR_HTTP_5\d\d$/.test(String(name))
    ? new CrmCallError('unavailable', text)
    : new CrmCallError('unauthorized', text);
}

/** What jsforce threw, in the bot's words: errorCode is Salesforce's (or ERROR_HTTP_<status>). */
function salesforceFailure(error: unknown): CrmCallError {
  if (error instanceof CrmCallError) return error;
  const { errorCode, message } = (error ?? {}) as { errorCode?: unknown; message?: unknown };
  const code = typeof errorCode === 'string' ? errorCode : '';
  const text = `Salesforce ${code}: ${typeof message === 'string' ? message : String(error)}`.slice(0, 500);
  if (code === 'REQUEST_LIMIT_EXCEEDED') return new CrmCallError('rateLimited', text, 60 * 60_000);
  if (code === 'INVALID_SESSION_ID') return new CrmCallError('unauthorized', text);
  if (code === 'ERROR_HTTP_401' || code === 'ERROR_HTTP_403') return new CrmCallError('unauthorized', text);
  if (code === 'SERVER_UNAVAILABLE' || code === 'UNABLE_TO_LOCK_ROW' || /^ERROR_HTTP_5\d\d$/.test(code))
    return new CrmCallError('unavailable', text);
  // A field, a validation rule, a duplicate rule: the lead itself is refused. Anything without a code
  // (the network, a timeout) may have happened: tried again.
  return code === '' ? new CrmCallError('unavailable', text) : new CrmCallError('refused', text);
}

function leadFields(lead: CrmLead, settings: SalesforceSettings): Record<string, string> {
  const { customer } = lead;
  return {
    ...lead.mappedFields,
    LastName: customer.lastName ?? customer.firstName ?? NOT_GIVEN,
    Company: customer.company ?? NOT_GIVEN,
    Email: lead.email,
    LeadSource: settings.leadSource,
    Description: crmDescriptionOf(lead, 32_000),
    ...givenFields({
      FirstName: customer.lastName === null ? null : customer.firstName,
      Phone: customer.phone,
      Title: customer.title,
      Country: customer.country,
    }),
  };
}

/**
 * Salesforce through jsforce: a Lead upserted by an External ID field holding the lead's key (so a
 * retry updates the same Lead), with the OAuth 2.0 JWT bearer flow for a pre-authorised integration
 * user. A session that expired is opened again once per write.
 */
export function createSalesforceCrm(settings: SalesforceSettings): CrmPort {
  let connection: Promise<Connection> | null = null;
  const within = <T>(call: Promise<T>) =>
    Promise.race([
      call,
      new Promise<never>((_, reject) =>
        setTimeout(
          () =>
            reject(
              new CrmCallError('unavailable', `Salesforce took over ${settings.timeoutMs} ms to answer`),
            ),
          settings.timeoutMs,
        ).unref(),
      ),
    ]);

  const connect = () => {
    connection ??= (async () => {
      const opened = new Connection({ loginUrl: settings.loginUrl, version: API_VERSION });
      await within(
        opened.authorize({
          grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
          assertion: jwtAssertion(settings, new Date()),
        }),
      );
      return opened;
    })().catch((error: unknown) => {
      connection = null;
      throw loginFailure(error);
    });
    return connection;
  };

  async function upsert(lead: CrmLead): Promise<CrmRecord> {
    const opened = await connect();
    const result = await within(
      opened
        .sobject('Lead')
        .upsert(
          { ...leadFields(lead, settings), [settings.externalIdField]: lead.key },
          settings.externalIdField,
        ),
    );
    if (!result.success)
      throw new CrmCallError(
        'refused',
        `Salesforce refused the lead: ${JSON.stringify(result.errors).slice(0, 400)}`,
      );
    // An update may answer without the id (204): it is found by the key.
    const id = result.id ?? (await findOne(opened, 'Lead', { [settings.externalIdField]: lead.key }))?.Id;
    if (typeof id !== 'string')
      throw new CrmCallError('unavailable', 'Salesforce did not say which Lead it wrote');
    return { id, contactId: null, url: `${opened.instanceUrl}/lightning/r/Lead/${id}/view` };
  }

  /** A query's first record, as a promise (jsforce's query is a thenable with more to it). */
  const findOne = (opened: Connection, object: string, conditions: Record<string, unknown>) => {
    const query = opened.sobject(object).findOne(conditions, ['Id']);
    return within(
      new Promise<{ Id?: unknown } | null>((resolve, reject) => {
        query.then(resolve, reject);
      }),
    );
  };

  /** The active Salesforce user with the e-mail. */
  const owners = createOwnerDirectory(async (email) => {
    const user = await findOne(await connect(), 'User', { Email: email, IsActive: true });
    return typeof user?.Id === 'string' ? user.Id : null;
  });

  async function update(record: CrmRecordRef, change: CrmUpdate): Promise<void> {
    const opened = await connect();
    const fields: Record<string, string> = {};
    const status = change.stage === null ? null : settings.leadStatuses[change.stage];
    if (status !== null) fields.Status = status;
    const ownerId = change.ownerEmail === null ? null : await owners.idOf(change.ownerEmail);
    if (ownerId !== null) fields.OwnerId = ownerId;
    if (Object.keys(fields).length > 0) {
      const result = await within(opened.sobject('Lead').update({ Id: record.id, ...fields }));
      if (!result.success)
        throw new CrmCallError('refused', `Salesforce refused the update: ${JSON.stringify(result.errors)}`);
    }
    const { activity } = change;
    if (activity === null) return;
    // A completed Task on the Lead; its subject ends with the change's reference, so it is found again.
    const task = { WhoId: record.id, Subject: activity.subject };
    if (change.maybeWritten && (await findOne(opened, 'Task', task)) !== null) return;
    const created = await within(
      opened.sobject('Task').create({
        ...task,
        Description: activity.body.slice(0, 32_000),
        Status: 'Completed',
        ActivityDate: change.at.toISOString().slice(0, 10),
      }),
    );
    if (!created.success)
      throw new CrmCallError('refused', `Salesforce refused the task: ${JSON.stringify(created.errors)}`);
  }

  /** A call, made again once with a new session when Salesforce says the session expired. */
  async function inSession<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const failure = salesforceFailure(error);
      if (!failure.detail.includes('INVALID_SESSION_ID')) throw failure;
      connection = null; // the session expired: log in again, once
      try {
        return await call();
      } catch (again) {
        throw salesforceFailure(again);
      }
    }
  }

  interface SoqlOwner {
    readonly Name?: unknown;
    readonly Email?: unknown;
  }
  interface SoqlCustomer {
    readonly Id?: unknown;
    readonly Name?: unknown;
    readonly CreatedDate?: unknown;
    readonly AccountId?: unknown;
    readonly Website?: unknown;
    readonly Owner?: SoqlOwner | null;
  }

  /** A SOQL query's answer, as a promise (jsforce's query is a thenable with more to it). */
  const query = async (opened: Connection, soql: string) => {
    const running = opened.query(soql);
    const answer = await within(
      new Promise<{ totalSize: number; records: unknown[] }>((resolve, reject) => {
        running.then(resolve, reject);
      }),
    );
    return { totalSize: answer.totalSize, records: answer.records as SoqlCustomer[] };
  };

  /** Open opportunities of an account (Salesforce ties them to accounts, not to contacts). */
  const openOpportunities = async (opened: Connection, accountId: unknown) =>
    typeof accountId !== 'string'
      ? 0
      : (
          await query(
            opened,
            `SELECT COUNT() FROM Opportunity WHERE AccountId = ${soqlText(accountId)} AND IsClosed = false`,
          )
        ).totalSize;

  const customerOf = async (
    opened: Connection,
    record: SoqlCustomer,
    matchedBy: 'email' | 'domain',
  ): Promise<CrmCustomer> => {
    const owner = record.Owner ?? null;
    const object = matchedBy === 'email' ? 'Contact' : 'Account';
    return {
      matchedBy,
      name: typeof record.Name === 'string' ? record.Name : null,
      since: crmDateOf(record.CreatedDate),
      owner: owner && {
        name: typeof owner.Name === 'string' ? owner.Name : null,
        email: typeof owner.Email === 'string' ? owner.Email : null,
      },
      openDeals: await openOpportunities(opened, matchedBy === 'email' ? record.AccountId : record.Id),
      url:
        typeof record.Id === 'string'
          ? `${opened.instanceUrl}/lightning/r/${object}/${record.Id}/view`
          : null,
    };
  };

  async function lookUp(customer: CrmCustomerQuery): Promise<CrmCustomer | null> {
    const opened = await connect();
    const fields = 'Id, Name, CreatedDate, Owner.Name, Owner.Email';
    const contacts = await query(
      opened,
      `SELECT ${fields}, AccountId FROM Contact WHERE Email = ${soqlText(customer.email)} ORDER BY CreatedDate ASC LIMIT 1`,
    );
    const contact = contacts.records[0];
    if (contact !== undefined) return customerOf(opened, contact, 'email');
    if (customer.domain === null) return null;
    // Website is free text ("https://www.contoso.com/"): candidates by LIKE, matched by their host.
    const accounts = await query(
      opened,
      `SELECT ${fields}, Website FROM Account WHERE Website LIKE ${soqlText(`%${soqlLike(customer.domain)}%`)} ORDER BY CreatedDate ASC LIMIT 20`,
    );
    const account = accounts.records.find(
      (record) => typeof record.Website === 'string' && websiteHost(record.Website) === customer.domain,
    );
    return account === undefined ? null : customerOf(opened, account, 'domain');
  }

  return {
    name: 'Salesforce',
    lookUpCustomer: (customer) => inSession(() => lookUp(customer)),
    writeLead: (lead) => inSession(() => upsert(lead)),
    updateRecord: (record, change) => inSession(() => update(record, change)),
  };
}
