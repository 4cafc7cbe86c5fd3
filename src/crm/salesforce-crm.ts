import { createSign } from 'node:crypto';
import { Connection } from 'jsforce';
import { type CrmLead, crmDescriptionOf, givenFields } from '../domain/crm-lead.ts';
import { CrmCallError, type CrmPort, type CrmRecord } from '../services/crm-port.ts';

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
  readonly timeoutMs: number;
}

const API_VERSION = '62.0';
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
    const lookUp = () => {
      const query = opened.sobject('Lead').findOne({ [settings.externalIdField]: lead.key }, ['Id']);
      return new Promise<{ Id?: unknown } | null>((resolve, reject) => {
        query.then(resolve, reject);
      });
    };
    const id = result.id ?? (await within(lookUp()))?.Id;
    if (typeof id !== 'string')
      throw new CrmCallError('unavailable', 'Salesforce did not say which Lead it wrote');
    return { id, contactId: null, url: `${opened.instanceUrl}/lightning/r/Lead/${id}/view` };
  }

  return {
    name: 'Salesforce',
    async writeLead(lead) {
      try {
        return await upsert(lead);
      } catch (error) {
        const failure = salesforceFailure(error);
        if (!failure.detail.includes('INVALID_SESSION_ID')) throw failure;
        connection = null; // the session expired: log in again, once
        try {
          return await upsert(lead);
        } catch (again) {
          throw salesforceFailure(again);
        }
      }
    },
  };
}
