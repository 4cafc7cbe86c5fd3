import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AccessToken, TokenCredential } from '@azure/identity';
import type { CustomerSeed } from './fake-hubspot.ts';

/**
 * A local stand-in of the Dataverse Web API for `leads`, as documented (learn.microsoft.com → Dataverse
 * → Web API): POST create with a client-set `leadid`, duplicate detection on `emailaddress1` when
 * `MSCRM.SuppressDuplicateDetection: false` (HTTP 500, code 0x80040333), a second create of an id
 * (0x80040237), retrieve by id (404, 0x80040217), `$filter` on `emailaddress1`, Bearer tokens,
 * service-protection 429s with Retry-After, and answers lost after the write. Write-back: PATCH of a
 * lead's `statecode`/`statuscode` and `ownerid@odata.bind`, `systemusers` by `internalemailaddress`,
 * `contacts`, `accounts` and `opportunities` for lookups (see queryCustomers), and `annotations` (notes) created with a client-set id on a lead. Tokens: the credential below, or
 * App Service's managed identity endpoint (`identityEndpoint`: GET with `X-IDENTITY-HEADER`,
 * `api-version=2019-08-01` and `resource`), as @azure/identity's ManagedIdentityCredential calls it.
 */
export interface FakeDataverse {
  readonly url: string;
  /** Hands out the stand-in's current token, as @azure/identity would (for the environment's scope). */
  readonly credential: TokenCredential & { readonly scopes: string[] };
  /** A managed identity endpoint (App Service's): IDENTITY_ENDPOINT and IDENTITY_HEADER for the bot. */
  readonly identityEndpoint: string;
  readonly identityHeader: string;
  /** The resources tokens were asked for at the managed identity endpoint, in order. */
  readonly identityRequests: string[];
  readonly leads: Map<string, Record<string, string | number>>;
  /** Notes (annotations) in the order they were made. */
  readonly notes: Record<string, string>[];
  /** Enabled users: e-mail → systemuserid. */
  readonly users: Map<string, string>;
  readonly requests: { method: string; path: string; status: number }[];
  /** A customer the environment knew before the bot: a contact (by e-mail) or an account (by website), with opportunities. */
  seedCustomer(seed: CustomerSeed): void;
  /** Tokens issued so far stop working (as at expiry); the credential hands out a new one. */
  expireTokens(): void;
  /** The next `count` writes (to paths matching `path`) are done, then the connection is dropped. */
  loseAnswers(count: number, path?: RegExp): void;
  failNext(count: number, status: number, retryAfterSeconds?: number): void;
  close(): Promise<void>;
}

const LEAD_ATTRIBUTES = new Set([
  'leadid',
  'subject',
  'firstname',
  'lastname',
  'emailaddress1',
  'telephone1',
  'companyname',
  'jobtitle',
  'address1_country',
  'description',
  // The environment's custom columns.
  'new_marketplaceoffer',
  'new_marketplaceaction',
]);

/** The standard lead's status reasons by state: Open (New, Contacted), Qualified, Disqualified. */
const STATUS_REASONS: Readonly<Record<number, readonly number[]>> = { 0: [1, 2], 1: [3], 2: [4, 5, 6, 7] };
const NOTE_ATTRIBUTES = new Set(['annotationid', 'subject', 'notetext', 'objectid_lead@odata.bind']);

const IDENTITY_PATH = '/msi/token';

export async function createFakeDataverse(): Promise<FakeDataverse> {
  const identityHeader = randomUUID();
  const identityRequests: string[] = [];
  const leads = new Map<string, Record<string, string | number>>();
  const notes: Record<string, string>[] = [];
  const users = new Map<string, string>([['u0rep1@team.example', '5f0c2a57-0000-4000-8000-000000000042']]);
  const requests: FakeDataverse['requests'] = [];
  const userNames = new Map<string, string>([['5f0c2a57-0000-4000-8000-000000000042', 'Anna Berg']]);
  const tables: Record<string, Record<string, string | number>[]> = {
    contacts: [],
    accounts: [],
    opportunities: [],
  };

  /**
   * Contacts by `emailaddress1 eq '…'`, accounts by `contains(websiteurl,'…')`, opportunities by
   * `_parent…_value eq <id> and statecode eq 0`; `$expand=owninguser($select=…)`, `$orderby=createdon
   * asc`, `$top`, `$count=true`. A `$filter` it does not read whole is refused, as Dataverse does.
   */
  function queryCustomers(table: string, params: URLSearchParams) {
    const filter = params.get('$filter') ?? '';
    const text = (quoted: string) => quoted.replaceAll("''", "'").toLowerCase();
    const byEmail = filter.match(/^emailaddress1 eq '((?:[^']|'')*)'$/);
    const byWebsite = filter.match(/^contains\(websiteurl,'((?:[^']|'')*)'\)$/);
    const byParent = filter.match(
      /^(_parentcontactid_value|_parentaccountid_value) eq ([0-9a-f-]{36}) and statecode eq 0$/,
    );
    const rows = tables[table] ?? [];
    const found =
      table === 'contacts' && byEmail
        ? rows.filter((row) => String(row.emailaddress1).toLowerCase() === text(byEmail[1] ?? ''))
        : table === 'accounts' && byWebsite
          ? rows.filter((row) =>
              String(row.websiteurl)
                .toLowerCase()
                .includes(text(byWebsite[1] ?? '')),
            )
          : table === 'opportunities' && byParent
            ? rows.filter((row) => row[byParent[1] ?? ''] === byParent[2] && row.statecode === 0)
            : null;
    if (found === null)
      return error(400, '0x80060888', `The query parameter $filter is not supported: ${filter}`);
    found.sort((a, b) => String(a.createdon).localeCompare(String(b.createdon)));
    const expand = /^owninguser\(\$select=fullname,internalemailaddress\)$/.test(params.get('$expand') ?? '');
    const value = found.slice(0, Number(params.get('$top') ?? 5000)).map((row) => {
      const ownerId = String(row._ownerid_value ?? '');
      const email = [...users].find(([, id]) => id === ownerId)?.[0];
      return {
        ...row,
        ...(expand
          ? {
              owninguser:
                email === undefined
                  ? null
                  : { fullname: userNames.get(ownerId) ?? email, internalemailaddress: email },
            }
          : {}),
      };
    });
    return json(200, {
      value,
      ...(params.get('$count') === 'true' ? { '@odata.count': found.length } : {}),
    });
  }

  function seedCustomer(seed: CustomerSeed): void {
    const owner: Record<string, string> =
      seed.ownerEmail === null ? {} : { _ownerid_value: users.get(seed.ownerEmail) ?? '' };
    const id = randomUUID();
    if (seed.email !== undefined)
      tables.contacts?.push({
        contactid: id,
        fullname: seed.name,
        emailaddress1: seed.email,
        createdon: seed.createdAt,
        ...owner,
      });
    else
      tables.accounts?.push({
        accountid: id,
        name: seed.name,
        websiteurl: `https://www.${seed.domain}/`,
        createdon: seed.createdAt,
        ...owner,
      });
    const parent = seed.email !== undefined ? '_parentcontactid_value' : '_parentaccountid_value';
    for (let n = 0; n < seed.openDeals + seed.closedDeals; n += 1)
      tables.opportunities?.push({
        opportunityid: randomUUID(),
        [parent]: id,
        statecode: n < seed.openDeals ? 0 : 1,
      });
  }
  let generation = 1;
  let toLose = 0;
  let losePath = /./;
  let failing = { count: 0, status: 500, retryAfter: 0 };
  const scopes: string[] = [];
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
    status,
    body,
    headers,
  });
  const error = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
    json(status, { error: { code, message } }, headers);

  function answer(
    method: string,
    url: URL,
    headers: Record<string, string | string[] | undefined>,
    text: string,
  ) {
    const path = url.pathname.replace(/^\/api\/data\/v9\.2/, '');
    if (method === 'POST' && path === '/leads') {
      const body = JSON.parse(text) as Record<string, string>;
      const unknown = Object.keys(body).find((name) => !LEAD_ATTRIBUTES.has(name));
      if (unknown)
        return error(
          400,
          '0x80060888',
          `Invalid property '${unknown}' was found in entity 'Microsoft.Dynamics.CRM.lead'.`,
        );
      const id = body.leadid ?? randomUUID();
      const detect = String(headers['mscrm.suppressduplicatedetection'] ?? 'true') === 'false';
      const email = (body.emailaddress1 ?? '').toLowerCase();
      if (
        detect &&
        email !== '' &&
        [...leads.values()].some((lead) => String(lead.emailaddress1 ?? '').toLowerCase() === email)
      )
        return error(
          500,
          '0x80040333',
          'A record was not created or updated because a duplicate of the current record already exists.',
        );
      if (leads.has(id)) return error(412, '0x80040237', 'A record with matching key values already exists.');
      leads.set(id, { ...body, leadid: id });
      return json(204, null, { 'OData-EntityId': `${url.origin}/api/data/v9.2/leads(${id})` });
    }
    const byId = path.match(/^\/leads\(([0-9a-f-]{36})\)$/);
    if (method === 'GET' && byId) {
      const lead = leads.get(byId[1] ?? '');
      return lead
        ? json(200, { leadid: lead.leadid })
        : error(404, '0x80040217', `lead With Id = ${byId[1]} Does Not Exist`);
    }
    if (method === 'GET' && path === '/leads') {
      const filter = url.searchParams.get('$filter') ?? '';
      const match = filter.match(/^emailaddress1 eq '((?:[^']|'')*)'$/);
      if (!match) return error(400, '0x80060888', 'The query parameter $filter is not supported here.');
      const email = (match[1] ?? '').replaceAll("''", "'").toLowerCase();
      const found = [...leads.values()].filter(
        (lead) => String(lead.emailaddress1 ?? '').toLowerCase() === email,
      );
      return json(200, {
        value: found
          .slice(0, Number(url.searchParams.get('$top') ?? 5000))
          .map((lead) => ({ leadid: lead.leadid })),
      });
    }
    if (method === 'PATCH' && byId) {
      const lead = leads.get(byId[1] ?? '');
      if (lead === undefined) return error(404, '0x80040217', `lead With Id = ${byId[1]} Does Not Exist`);
      const body = JSON.parse(text) as Record<string, string | number>;
      const { statecode, statuscode, 'ownerid@odata.bind': owner, ...rest } = body;
      const unknown = Object.keys(rest).find((name) => !LEAD_ATTRIBUTES.has(name));
      if (unknown) return error(400, '0x80060888', `Invalid property '${unknown}' on lead.`);
      const state = Number(statecode ?? lead.statecode ?? 0);
      if (statuscode !== undefined && !STATUS_REASONS[state]?.includes(Number(statuscode)))
        return error(400, '0x80040278', `${statuscode} is not a valid status code for state code ${state}.`);
      if (owner !== undefined) {
        const ownerId = String(owner).match(/^\/systemusers\(([0-9a-f-]{36})\)$/)?.[1];
        if (ownerId === undefined || ![...users.values()].includes(ownerId))
          return error(404, '0x80040217', `systemuser With Id = ${ownerId} Does Not Exist`);
        lead.ownerid = ownerId;
      }
      Object.assign(
        lead,
        rest,
        statecode === undefined ? {} : { statecode },
        statuscode === undefined ? {} : { statuscode },
      );
      return json(204, null);
    }
    if (method === 'GET' && (path === '/contacts' || path === '/accounts' || path === '/opportunities'))
      return queryCustomers(path.slice(1), url.searchParams);
    if (method === 'GET' && path === '/systemusers') {
      const filter = url.searchParams.get('$filter') ?? '';
      const match = filter.match(/^internalemailaddress eq '((?:[^']|'')*)' and isdisabled eq false$/);
      if (!match) return error(400, '0x80060888', 'The query parameter $filter is not supported here.');
      const id = users.get((match[1] ?? '').replaceAll("''", "'").toLowerCase());
      return json(200, { value: id === undefined ? [] : [{ systemuserid: id }] });
    }
    if (method === 'POST' && path === '/annotations') {
      const body = JSON.parse(text) as Record<string, string>;
      const unknown = Object.keys(body).find((name) => !NOTE_ATTRIBUTES.has(name));
      if (unknown) return error(400, '0x80060888', `Invalid property '${unknown}' on annotation.`);
      const leadId = String(body['objectid_lead@odata.bind'] ?? '').match(
        /^\/leads\(([0-9a-f-]{36})\)$/,
      )?.[1];
      if (leadId === undefined || !leads.has(leadId))
        return error(404, '0x80040217', `lead With Id = ${leadId} Does Not Exist`);
      const id = body.annotationid ?? randomUUID();
      if (notes.some((note) => note.annotationid === id))
        return error(412, '0x80040237', 'A record with matching key values already exists.');
      notes.push({ ...body, annotationid: id });
      return json(204, null);
    }
    return error(404, '0x80060888', `Resource not found for the segment '${path}'.`);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
      const log = (status: number) => requests.push({ method: req.method ?? '', path: url.pathname, status });
      const reply = ({ status, body, headers }: ReturnType<typeof json>) => {
        log(status);
        res.writeHead(status, {
          'content-type': 'application/json; odata.metadata=minimal',
          'odata-version': '4.0',
          ...headers,
        });
        res.end(body === null ? '' : JSON.stringify(body));
      };
      if (url.pathname === IDENTITY_PATH) {
        const resource = url.searchParams.get('resource') ?? '';
        identityRequests.push(resource);
        const valid =
          req.headers['x-identity-header'] === identityHeader &&
          url.searchParams.get('api-version') === '2019-08-01' &&
          resource.replace(/\/+$/, '') === url.origin;
        return reply(
          valid
            ? json(200, {
                access_token: `dataverse-token-${generation}`,
                expires_on: String(Math.floor(Date.now() / 1000) + 3600),
                resource,
                token_type: 'Bearer',
              })
            : json(400, { statusCode: 400, message: 'The request is not valid for this identity.' }),
        );
      }
      if (req.headers.authorization !== `Bearer dataverse-token-${generation}`)
        return reply(
          error(401, '0x80072560', 'The user is not authenticated.', {
            'www-authenticate': 'Bearer error="invalid_token"',
          }),
        );
      if (failing.count > 0) {
        failing = { ...failing, count: failing.count - 1 };
        return reply(
          failing.status === 429
            ? error(
                429,
                '0x80072321',
                'Number of requests exceeded the limit of 6000 over time window of 300 seconds.',
                {
                  'retry-after': String(failing.retryAfter),
                },
              )
            : error(failing.status, '0x80040216', 'An unexpected error occurred.'),
        );
      }
      const answered = answer(req.method ?? 'GET', url, req.headers, Buffer.concat(chunks).toString('utf8'));
      if (toLose > 0 && (req.method === 'POST' || req.method === 'PATCH') && losePath.test(url.pathname)) {
        toLose -= 1;
        log(0);
        res.socket?.destroy();
        return;
      }
      reply(answered);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    identityEndpoint: `http://127.0.0.1:${port}${IDENTITY_PATH}`,
    identityHeader,
    identityRequests,
    credential: {
      scopes,
      async getToken(scope): Promise<AccessToken> {
        scopes.push(...(Array.isArray(scope) ? scope : [scope]));
        return { token: `dataverse-token-${generation}`, expiresOnTimestamp: Date.now() + 3_600_000 };
      },
    },
    leads,
    notes,
    users,
    requests,
    seedCustomer,
    expireTokens() {
      generation += 1;
    },
    loseAnswers(count, path = /./) {
      toLose = count;
      losePath = path;
    },
    failNext(count, status, retryAfterSeconds = 0) {
      failing = { count, status, retryAfter: retryAfterSeconds };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
