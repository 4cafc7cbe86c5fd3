import { createVerify, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CustomerSeed } from './fake-hubspot.ts';

/**
 * A local stand-in of Salesforce, as documented (developer.salesforce.com → REST API, OAuth 2.0 JWT
 * bearer flow): the token endpoint checking the assertion's RS256 signature, issuer, subject, audience
 * and expiry; `PATCH /services/data/vXX.X/sobjects/Lead/<External ID field>/<value>` (201 created,
 * 200 updated); a Lead's update by id (Status from the standard picklist, OwnerId of an active user);
 * Tasks created on a Lead; SOQL lookups `WHERE a = 'x' AND b = true` on Lead, Task and User; error
 * bodies `[{message, errorCode}]`; lookups of Contacts by Email and Accounts by Website LIKE, with
 * `Owner.Name`/`Owner.Email`, and `SELECT COUNT()` of open Opportunities; MALFORMED_QUERY for a
 * WHERE it cannot read whole; INVALID_SESSION_ID, REQUEST_LIMIT_EXCEEDED, REQUIRED_FIELD_MISSING,
 * INVALID_FIELD; answers lost after the write.
 */
export interface FakeSalesforce {
  readonly loginUrl: string;
  readonly clientId: string;
  readonly username: string;
  /** The connected app's key pair: the bot signs with the private key. */
  readonly privateKey: string;
  readonly leads: Map<string, Record<string, string>>;
  /** Tasks in the order they were made. */
  readonly tasks: Record<string, string>[];
  /** Active users: e-mail → user id. */
  readonly users: Map<string, string>;
  readonly requests: { method: string; path: string; status: number }[];
  /** A customer the org knew before the bot: a Contact (by e-mail) or an Account (by website), with opportunities. */
  seedCustomer(seed: CustomerSeed): void;
  /** Sessions handed out so far stop working (INVALID_SESSION_ID) until the client logs in again. */
  expireSessions(): void;
  /** The next `count` writes (to paths matching `path`) are done, then the connection is dropped. */
  loseAnswers(count: number, path?: RegExp): void;
  failNext(count: number, status: number, errorCode: string): void;
  close(): Promise<void>;
}

const LEAD_FIELDS = new Set([
  'FirstName',
  'LastName',
  'Company',
  'Email',
  'Phone',
  'Title',
  'Country',
  'Description',
  'LeadSource',
]);
/** The org's custom Lead fields (besides the external id). */
const CUSTOM_LEAD_FIELDS = new Set(['Marketplace_Offer__c', 'Marketplace_Action__c']);
/** Fields an update by id may set besides the upsert's. */
const LEAD_UPDATE_FIELDS = new Set([...LEAD_FIELDS, 'Status', 'OwnerId']);
const TASK_FIELDS = new Set(['WhoId', 'Subject', 'Description', 'Status', 'ActivityDate']);
/** The standard Lead Status picklist; a converted status is set only by converting the lead. */
const LEAD_STATUSES = new Set(['Open - Not Contacted', 'Working - Contacted', 'Closed - Not Converted']);

/** A condition of a simple SOQL WHERE: `A = 'text'`, `B = true`, `C LIKE '%x%'` (quotes escaped with \\). */
interface Condition {
  readonly field: string;
  readonly like: boolean;
  readonly value: string;
}

/**
 * The conditions of a simple SOQL query, joined by AND. A query this parser does not read whole (an
 * OR, a quote left open: what an unescaped value would make) is refused as Salesforce refuses it.
 */
function conditionsOf(soql: string): Condition[] | null {
  const where = soql.match(/ WHERE (.*?)(?: ORDER BY \w+(?: ASC| DESC)?)?(?: LIMIT \d+)?$/)?.[1];
  if (where === undefined) return [];
  const conditions: Condition[] = [];
  const rest = where.replace(
    /(\w+) (=|LIKE) (?:'((?:[^'\\]|\\.)*)'|(\w+))(?: AND |$)/g,
    (_, field, op, quoted, bare) => {
      conditions.push({
        field,
        like: op === 'LIKE',
        value: quoted === undefined ? bare : quoted.replace(/\\(.)/g, '$1'),
      });
      return '';
    },
  );
  return rest === '' ? conditions : null;
}

/** SOQL's LIKE: `%` any run, `_` one character, `\\%` and `\\_` themselves; case-insensitive. */
function likes(value: string, pattern: string): boolean {
  const regex = pattern.replace(/\\?[%_]|[^%_\\]+|\\/g, (part) =>
    part === '%' ? '.*' : part === '_' ? '.' : part.replace(/^\\/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
  );
  return new RegExp(`^${regex}$`, 'is').test(value);
}

export async function createFakeSalesforce(
  externalIdField = 'Marketplace_Lead_Key__c',
): Promise<FakeSalesforce> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const clientId = `3MVG9${randomBytes(8).toString('hex')}`;
  const username = 'integration@contoso.example';
  const leads = new Map<string, Record<string, string>>();
  const tasks: Record<string, string>[] = [];
  const users = new Map<string, string>([['u0rep1@team.example', '005000000000042AAA']]);
  const leadById = (id: string) => [...leads.values()].find((lead) => lead.Id === id);
  const userNames = new Map<string, string>([['005000000000042AAA', 'Anna Berg']]);
  const userById = (id: string) => {
    const email = [...users].find(([, userId]) => userId === id)?.[0];
    return email === undefined ? undefined : { Email: email, Name: userNames.get(id) ?? email };
  };
  const contacts: Record<string, string>[] = [];
  const accounts: Record<string, string>[] = [];
  const opportunities: Record<string, string>[] = [];
  /** What SOQL reads, by object. */
  const objects: Record<string, () => Record<string, string>[]> = {};
  const requests: FakeSalesforce['requests'] = [];
  const sessions = new Set<string>();
  let nextId = 1;
  let toLose = 0;
  let losePath = /./;
  let failing = { count: 0, status: 500, errorCode: '' };
  let origin = '';
  Object.assign(objects, {
    Lead: () => [...leads.values()],
    Task: () => tasks,
    User: () => [...users].map(([Email, Id]) => ({ Email, Id, IsActive: 'true' })),
    Contact: () => contacts,
    Account: () => accounts,
    Opportunity: () => opportunities,
  });

  /** A contact (with an account of its own, holding its opportunities) or an account with a website. */
  function seedCustomer(seed: CustomerSeed): void {
    const OwnerId = seed.ownerEmail === null ? '' : (users.get(seed.ownerEmail) ?? '');
    const accountId = `001${String(nextId++).padStart(15, '0')}`;
    accounts.push({
      Id: accountId,
      Name: seed.email === undefined ? seed.name : `${seed.name}'s company`,
      CreatedDate: seed.createdAt,
      OwnerId,
      Website: seed.domain === undefined ? '' : `https://www.${seed.domain}/`,
    });
    if (seed.email !== undefined)
      contacts.push({
        Id: `003${String(nextId++).padStart(15, '0')}`,
        Name: seed.name,
        Email: seed.email,
        CreatedDate: seed.createdAt,
        OwnerId,
        AccountId: accountId,
      });
    for (let n = 0; n < seed.openDeals + seed.closedDeals; n += 1)
      opportunities.push({
        Id: `006${String(nextId++).padStart(15, '0')}`,
        AccountId: accountId,
        IsClosed: String(n >= seed.openDeals),
      });
  }

  const errors = (status: number, errorCode: string, message: string) => ({
    status,
    body: [{ message, errorCode }],
  });

  function verifyAssertion(assertion: string): string | null {
    const [header = '', claims = '', signature = ''] = assertion.split('.');
    const valid = createVerify('RSA-SHA256')
      .update(`${header}.${claims}`)
      .verify(publicKey, Buffer.from(signature, 'base64url'));
    if (!valid) return 'invalid signature';
    const body = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (body.iss !== clientId) return 'client identifier invalid';
    if (body.sub !== username) return "user hasn't approved this consumer";
    if (body.aud !== origin) return 'audience is invalid';
    if (typeof body.exp !== 'number' || body.exp * 1000 < Date.now()) return 'expired authorization code';
    return null;
  }

  function answer(
    method: string,
    url: URL,
    headers: Record<string, string | string[] | undefined>,
    text: string,
  ) {
    if (method === 'POST' && url.pathname === '/services/oauth2/token') {
      const form = new URLSearchParams(text);
      const problem =
        form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer'
          ? 'unsupported grant type'
          : verifyAssertion(form.get('assertion') ?? '');
      if (problem !== null)
        return { status: 400, body: { error: 'invalid_grant', error_description: problem } };
      const token = `00D000000000001!${randomBytes(16).toString('hex')}`;
      sessions.add(token);
      return {
        status: 200,
        body: {
          access_token: token,
          instance_url: origin,
          id: `${origin}/id/00D000000000001AAA/005000000000001AAA`,
          token_type: 'Bearer',
          scope: 'api',
          issued_at: String(Date.now()),
        },
      };
    }
    const token = String(headers.authorization ?? '').replace(/^Bearer /, '');
    if (!sessions.has(token)) return errors(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    const upsert = url.pathname.match(/^\/services\/data\/v[\d.]+\/sobjects\/Lead\/([^/]+)\/([^/]+)$/);
    if (method === 'PATCH' && upsert) {
      const [, field = '', value = ''] = upsert;
      if (field !== externalIdField)
        return errors(
          404,
          'NOT_FOUND',
          `Provided external ID field does not exist or is not accessible: ${field}`,
        );
      const body = JSON.parse(text) as Record<string, string>;
      const unknown = Object.keys(body).find(
        (name) => !LEAD_FIELDS.has(name) && !CUSTOM_LEAD_FIELDS.has(name),
      );
      if (unknown) return errors(400, 'INVALID_FIELD', `No such column '${unknown}' on sobject of type Lead`);
      const existing = leads.get(decodeURIComponent(value));
      const merged = { ...existing, ...body, [externalIdField]: decodeURIComponent(value) };
      const missing = ['LastName', 'Company'].filter((name) => !merged[name]);
      if (missing.length > 0)
        return errors(400, 'REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`);
      const id = existing?.Id ?? `00Q${String(nextId++).padStart(15, '0')}`;
      leads.set(decodeURIComponent(value), { ...merged, Id: id });
      return { status: existing ? 200 : 201, body: { id, success: true, errors: [], created: !existing } };
    }
    const update = url.pathname.match(/^\/services\/data\/v[\d.]+\/sobjects\/Lead\/([^/]+)$/);
    if (method === 'PATCH' && update) {
      const lead = leadById(decodeURIComponent(update[1] ?? ''));
      if (lead === undefined) return errors(404, 'NOT_FOUND', 'The requested resource does not exist');
      const body = JSON.parse(text) as Record<string, string>;
      const unknown = Object.keys(body).find((name) => !LEAD_UPDATE_FIELDS.has(name));
      if (unknown) return errors(400, 'INVALID_FIELD', `No such column '${unknown}' on sobject of type Lead`);
      if (body.Status !== undefined && !LEAD_STATUSES.has(body.Status))
        return errors(
          400,
          'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
          `Lead Status: bad value for restricted picklist field: ${body.Status}`,
        );
      if (body.OwnerId !== undefined && ![...users.values()].includes(body.OwnerId))
        return errors(400, 'INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id: ${body.OwnerId}`);
      Object.assign(lead, body);
      return { status: 204, body: null };
    }
    if (method === 'POST' && /^\/services\/data\/v[\d.]+\/sobjects\/Task$/.test(url.pathname)) {
      const body = JSON.parse(text) as Record<string, string>;
      const unknown = Object.keys(body).find((name) => !TASK_FIELDS.has(name));
      if (unknown) return errors(400, 'INVALID_FIELD', `No such column '${unknown}' on sobject of type Task`);
      if ((body.Subject ?? '').length > 255)
        return errors(400, 'STRING_TOO_LONG', 'Subject: data value too large (max length=255)');
      if (leadById(body.WhoId ?? '') === undefined)
        return errors(400, 'INVALID_CROSS_REFERENCE_KEY', 'Name ID: id value of incorrect type');
      const id = `00T${String(nextId++).padStart(15, '0')}`;
      tasks.push({ ...body, Id: id });
      return { status: 201, body: { id, success: true, errors: [] } };
    }
    if (method === 'GET' && /^\/services\/data\/v[\d.]+\/query$/.test(url.pathname)) {
      const soql = url.searchParams.get('q') ?? '';
      const conditions = conditionsOf(soql);
      if (conditions === null) return errors(400, 'MALFORMED_QUERY', `unexpected token in: ${soql}`);
      const object = soql.match(/ FROM (\w+)/)?.[1] ?? '';
      const matches = (record: Record<string, string>) =>
        conditions.every(({ field, like, value }) => {
          const actual = record[field] ?? '';
          if (like) return likes(actual, value);
          return field === 'Email' ? actual.toLowerCase() === value.toLowerCase() : actual === value;
        });
      const found = (objects[object]?.() ?? []).filter(matches);
      if (object === 'Contact' || object === 'Account')
        found.sort((a, b) => (a.CreatedDate ?? '').localeCompare(b.CreatedDate ?? ''));
      if (/^SELECT COUNT\(\) /.test(soql))
        return { status: 200, body: { totalSize: found.length, done: true, records: [] } };
      const limit = Number(soql.match(/ LIMIT (\d+)$/)?.[1] ?? 2000);
      const fields = (soql.match(/^SELECT (.*?) FROM /)?.[1] ?? 'Id').split(/,\s*/);
      const records = found.slice(0, limit).map((record) => {
        const selected: Record<string, unknown> = { attributes: { type: object } };
        for (const field of fields) {
          const [relation, inner] = field.split('.');
          if (inner === undefined) selected[field] = record[field] ?? null;
          else if (relation === 'Owner') {
            const owner = userById(record.OwnerId ?? '');
            const ownerRecord = (selected.Owner ??
              (owner ? { attributes: { type: 'User' } } : null)) as Record<string, unknown> | null;
            if (ownerRecord !== null && owner !== undefined)
              ownerRecord[inner] = owner[inner as 'Name' | 'Email'];
            selected.Owner = ownerRecord;
          }
        }
        return selected;
      });
      return { status: 200, body: { totalSize: found.length, done: true, records } };
    }
    return errors(404, 'NOT_FOUND', 'The requested resource does not exist');
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', origin);
      const log = (status: number) => requests.push({ method: req.method ?? '', path: url.pathname, status });
      // A failure is answered without doing anything; a lost answer comes after the write was done.
      const failed = failing.count > 0 && url.pathname.startsWith('/services/data/');
      if (failed) failing = { ...failing, count: failing.count - 1 };
      const answered = failed
        ? errors(failing.status, failing.errorCode, `${failing.errorCode} (stand-in)`)
        : answer(req.method ?? 'GET', url, req.headers, Buffer.concat(chunks).toString('utf8'));
      const isWrite =
        req.method === 'PATCH' || (req.method === 'POST' && url.pathname.startsWith('/services/data/'));
      if (!failed && toLose > 0 && isWrite && losePath.test(url.pathname)) {
        toLose -= 1;
        log(0);
        res.socket?.destroy();
        return;
      }
      log(answered.status);
      if (answered.body === null) {
        res.writeHead(answered.status);
        res.end();
        return;
      }
      res.writeHead(answered.status, { 'content-type': 'application/json;charset=UTF-8' });
      res.end(JSON.stringify(answered.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    loginUrl: origin,
    clientId,
    username,
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    leads,
    tasks,
    users,
    requests,
    seedCustomer,
    expireSessions: () => sessions.clear(),
    loseAnswers(count, path = /./) {
      toLose = count;
      losePath = path;
    },
    failNext(count, status, errorCode) {
      failing = { count, status, errorCode };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
