import { createVerify, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in of Salesforce, as documented (developer.salesforce.com → REST API, OAuth 2.0 JWT
 * bearer flow): the token endpoint checking the assertion's RS256 signature, issuer, subject, audience
 * and expiry; `PATCH /services/data/vXX.X/sobjects/Lead/<External ID field>/<value>` (201 created,
 * 200 updated); a Lead's update by id (Status from the standard picklist, OwnerId of an active user);
 * Tasks created on a Lead; SOQL lookups `WHERE a = 'x' AND b = true` on Lead, Task and User; error
 * bodies `[{message, errorCode}]`; INVALID_SESSION_ID, REQUEST_LIMIT_EXCEEDED, REQUIRED_FIELD_MISSING,
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

/** The conditions of a simple SOQL query: `WHERE A = 'text' AND B = true` (quotes escaped with \\). */
function conditionsOf(soql: string): Record<string, string> {
  const where = soql.match(/ WHERE (.*?)(?: LIMIT \d+)?$/)?.[1] ?? '';
  const conditions: Record<string, string> = {};
  for (const match of where.matchAll(/(\w+) = (?:'((?:[^'\\]|\\.)*)'|(\w+))/g))
    conditions[match[1] ?? ''] = match[2] === undefined ? (match[3] ?? '') : match[2].replace(/\\(.)/g, '$1');
  return conditions;
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
  const requests: FakeSalesforce['requests'] = [];
  const sessions = new Set<string>();
  let nextId = 1;
  let toLose = 0;
  let losePath = /./;
  let failing = { count: 0, status: 500, errorCode: '' };
  let origin = '';

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
      const object = soql.match(/ FROM (\w+)/)?.[1];
      const matches = (record: Record<string, string>) =>
        Object.entries(conditions).every(([field, value]) => record[field] === value);
      const found =
        object === 'Lead'
          ? [...leads.values()].filter(matches)
          : object === 'Task'
            ? tasks.filter(matches)
            : object === 'User'
              ? [...users].map(([Email, Id]) => ({ Email, Id, IsActive: 'true' })).filter(matches)
              : [];
      const records = found.slice(0, 1).map((record) => ({ attributes: { type: object }, Id: record.Id }));
      return { status: 200, body: { totalSize: records.length, done: true, records } };
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
