import { createVerify, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in of Salesforce, as documented (developer.salesforce.com → REST API, OAuth 2.0 JWT
 * bearer flow): the token endpoint checking the assertion's RS256 signature, issuer, subject, audience
 * and expiry; `PATCH /services/data/vXX.X/sobjects/Lead/<External ID field>/<value>` (201 created,
 * 200 updated); SOQL lookup by the external id; error bodies `[{message, errorCode}]`; INVALID_SESSION_ID,
 * REQUEST_LIMIT_EXCEEDED, REQUIRED_FIELD_MISSING, INVALID_FIELD; answers lost after the write.
 */
export interface FakeSalesforce {
  readonly loginUrl: string;
  readonly clientId: string;
  readonly username: string;
  /** The connected app's key pair: the bot signs with the private key. */
  readonly privateKey: string;
  readonly leads: Map<string, Record<string, string>>;
  readonly requests: { method: string; path: string; status: number }[];
  /** Sessions handed out so far stop working (INVALID_SESSION_ID) until the client logs in again. */
  expireSessions(): void;
  loseAnswers(count: number): void;
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

export async function createFakeSalesforce(
  externalIdField = 'Marketplace_Lead_Key__c',
): Promise<FakeSalesforce> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const clientId = `3MVG9${randomBytes(8).toString('hex')}`;
  const username = 'integration@contoso.example';
  const leads = new Map<string, Record<string, string>>();
  const requests: FakeSalesforce['requests'] = [];
  const sessions = new Set<string>();
  let nextId = 1;
  let toLose = 0;
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
      const unknown = Object.keys(body).find((name) => !LEAD_FIELDS.has(name));
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
    if (method === 'GET' && /^\/services\/data\/v[\d.]+\/query$/.test(url.pathname)) {
      const match = (url.searchParams.get('q') ?? '').match(/WHERE (\w+) = '([^']*)'/);
      const lead = match && match[1] === externalIdField ? leads.get(match[2] ?? '') : undefined;
      const records = lead ? [{ attributes: { type: 'Lead' }, Id: lead.Id }] : [];
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
      let answered = answer(req.method ?? 'GET', url, req.headers, Buffer.concat(chunks).toString('utf8'));
      if (failing.count > 0 && url.pathname.startsWith('/services/data/')) {
        failing = { ...failing, count: failing.count - 1 };
        answered = errors(failing.status, failing.errorCode, `${failing.errorCode} (stand-in)`);
      } else if (toLose > 0 && req.method === 'PATCH') {
        toLose -= 1;
        log(0);
        res.socket?.destroy();
        return;
      }
      log(answered.status);
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
    requests,
    expireSessions: () => sessions.clear(),
    loseAnswers(count) {
      toLose = count;
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
