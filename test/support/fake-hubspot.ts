import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in of HubSpot's API, as documented (developers.hubspot.com): the CRM v3 batch upsert
 * of contacts and deals, the v4 default association, account details; a deal's update, notes (create,
 * associated to a deal, and search by a token of the body), owners by e-mail; Bearer auth; error bodies
 * `{status, message, category, correlationId}`; the ten-second rolling rate limit with its 429 body and
 * X-HubSpot-RateLimit headers. Fault modes: answers lost after the write, 5xx, 429 storms, a revoked
 * token, latency.
 */
export interface FakeHubSpot {
  readonly apiUrl: string;
  readonly token: string;
  /** Contacts by id; the unique key is the e-mail (case-insensitive, as HubSpot treats it). */
  readonly contacts: Map<string, { id: string; properties: Record<string, string> }>;
  readonly deals: Map<string, { id: string; properties: Record<string, string> }>;
  /** `dealId→contactId` pairs. */
  readonly associations: Set<string>;
  /** Notes in the order they were made, with the deal each is associated to. */
  readonly notes: { id: string; dealId: string | null; properties: Record<string, string> }[];
  /** The account's users who can own records: e-mail → owner id. */
  readonly owners: Map<string, string>;
  /** Companies by id (their `domain` is what a lookup by domain matches). */
  readonly companies: Map<string, { id: string; properties: Record<string, string> }>;
  /** A customer the account knew before the bot: a contact (by e-mail) or a company (by domain), with deals. */
  seedCustomer(seed: CustomerSeed): void;
  /** The deal (by id) as HubSpot keeps it now. */
  dealById(id: string): { id: string; properties: Record<string, string> } | undefined;
  /** Every request, in order: method, path, and the status it was answered with. */
  readonly requests: { method: string; path: string; status: number; at: number }[];
  /** The next `count` writes (to paths matching `path`) are done, then the connection is dropped: the answer is lost. */
  loseAnswers(count: number, path?: RegExp): void;
  /** From now on each write is done and its answer lost with this probability (0: never). */
  loseRandomly(rate: number): void;
  /** Deals created (not updated) so far: one per lead when the caller's key is idempotent. */
  dealsCreated(): number;
  /** The next `count` requests are answered with `status` (a 5xx outage, or 429s) without doing anything. */
  failNext(count: number, status: number): void;
  /** From now on HubSpot rejects this property's values with `message` (null: accepts them again). */
  refuseProperty(name: string, message: string | null): void;
  /** Every answer from now on comes this much later (0: at once). */
  setLatency(ms: number): void;
  /** The token stops working (401) until `restoreToken`. */
  revokeToken(): void;
  restoreToken(): void;
  close(): Promise<void>;
}

/** A customer a CRM stand-in knew before the bot, for lookups: its open and closed deals are made too. */
export interface CustomerSeed {
  /** A contact with this e-mail; else a company with `domain`. */
  readonly email?: string;
  readonly domain?: string;
  readonly name: string;
  readonly createdAt: string;
  /** Its owner, one of the CRM's users (by e-mail); null for none. */
  readonly ownerEmail: string | null;
  readonly openDeals: number;
  readonly closedDeals: number;
}

/** Dana, a contact Anna Berg owns in HubSpot (u0rep1@team.example: U0REP1 in Slack), with no deals. */
export const DANA_OWNED_BY_ANNA: CustomerSeed = {
  email: 'dana@northwind.example',
  name: 'Dana',
  createdAt: '2024-03-04T10:00:00.000Z',
  ownerEmail: 'u0rep1@team.example',
  openDeals: 0,
  closedDeals: 0,
};

export interface FakeHubSpotOptions {
  /** Deal properties created with unique values (the lead key property must be one). */
  readonly uniqueDealProperties?: readonly string[];
  /** Custom deal properties the account has (besides the unique ones): marketplace_offer, marketplace_action. */
  readonly customDealProperties?: readonly string[];
  /** Calls allowed per rolling 10 s before 429 (HubSpot: 100 for most private apps). */
  readonly requestsPer10Seconds?: number;
  readonly latencyMs?: number;
  /** Properties HubSpot rejects, with its message (a field "refused"). */
  readonly invalidProperties?: Readonly<Record<string, string>>;
}

interface SearchBody {
  filterGroups?: { filters?: { propertyName?: string; operator?: string; value?: unknown }[] }[];
  sorts?: { propertyName?: string; direction?: string }[];
  properties?: string[];
  limit?: number;
  after?: string;
}

const DEAL_STAGES = new Set(['appointmentscheduled', 'qualifiedtobuy', 'closedwon', 'closedlost']);
const CONTACT_PROPERTIES = new Set([
  'email',
  'firstname',
  'lastname',
  'phone',
  'company',
  'jobtitle',
  'country',
]);
const DEAL_PROPERTIES = new Set([
  'dealname',
  'pipeline',
  'dealstage',
  'description',
  'amount',
  'hubspot_owner_id',
]);

export async function createFakeHubSpot(options: FakeHubSpotOptions = {}): Promise<FakeHubSpot> {
  const token = `pat-na1-${randomUUID()}`;
  const uniqueDeal = new Set(options.uniqueDealProperties ?? ['marketplace_lead_key']);
  const customDeal = new Set(options.customDealProperties ?? ['marketplace_offer', 'marketplace_action']);
  const limit = options.requestsPer10Seconds ?? 100;
  const contacts = new Map<string, { id: string; properties: Record<string, string> }>();
  const deals = new Map<string, { id: string; properties: Record<string, string> }>();
  const associations = new Set<string>();
  const notes: FakeHubSpot['notes'] = [];
  const owners = new Map<string, string>([['u0rep1@team.example', '7001']]);
  const ownerNames = new Map<string, { firstName: string; lastName: string }>([
    ['7001', { firstName: 'Anna', lastName: 'Berg' }],
  ]);
  const companies = new Map<string, { id: string; properties: Record<string, string> }>();
  /** `dealId→companyId` pairs. */
  const companyDeals = new Set<string>();
  const dealById = (id: string) => [...deals.values()].find((deal) => deal.id === id);
  const requests: FakeHubSpot['requests'] = [];
  const recent: number[] = [];
  let nextId = 1000;
  let toLose = 0;
  let losePath = /./;
  let loseRate = 0;
  let created = 0;
  let failing = { count: 0, status: 500 };
  let tokenValid = true;
  let latencyMs = options.latencyMs ?? 0;
  const refused = new Map<string, string>(Object.entries(options.invalidProperties ?? {}));

  const error = (res: ServerResponse, status: number, body: Record<string, unknown>, headers = {}) => {
    res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', ...headers });
    res.end(JSON.stringify({ status: 'error', correlationId: randomUUID(), ...body }));
  };
  const validation = (res: ServerResponse, name: string, message: string, code: string) =>
    error(res, 400, {
      message: `Property values were not valid: ${JSON.stringify([{ isValid: false, message, error: code, name }])}`,
      category: 'VALIDATION_ERROR',
    });

  function upsert(
    store: Map<string, { id: string; properties: Record<string, string> }>,
    known: Set<string>,
    body: { inputs?: { idProperty?: string; id?: string; properties?: Record<string, string> }[] },
    res: ServerResponse,
    objectType: 'contacts' | 'deals',
  ): unknown {
    const results = [];
    for (const input of body.inputs ?? []) {
      const idProperty = input.idProperty ?? 'hs_object_id';
      const properties = input.properties ?? {};
      if (objectType === 'contacts' ? idProperty !== 'email' : !uniqueDeal.has(idProperty)) {
        validation(
          res,
          idProperty,
          `Property "${idProperty}" does not exist or does not have unique values`,
          'PROPERTY_DOESNT_EXIST',
        );
        return null;
      }
      for (const name of Object.keys(properties)) {
        const custom = objectType === 'deals' && (uniqueDeal.has(name) || customDeal.has(name));
        if (!known.has(name) && !custom) {
          validation(res, name, `Property "${name}" does not exist`, 'PROPERTY_DOESNT_EXIST');
          return null;
        }
        const invalid = refused.get(name);
        if (invalid !== undefined) {
          validation(res, name, invalid, 'INVALID_OPTION');
          return null;
        }
      }
      if (objectType === 'deals' && properties.dealstage && !DEAL_STAGES.has(properties.dealstage)) {
        validation(
          res,
          'dealstage',
          `${properties.dealstage} was not one of the allowed options`,
          'INVALID_OPTION',
        );
        return null;
      }
      const key = objectType === 'contacts' ? String(input.id).toLowerCase() : `${idProperty}:${input.id}`;
      const existing = store.get(key);
      if (existing === undefined && objectType === 'deals') created += 1;
      const now = new Date().toISOString();
      const record = existing ?? { id: String(nextId++), properties: {} };
      record.properties = { ...record.properties, ...properties, [idProperty]: String(input.id) };
      store.set(key, record);
      results.push({
        id: record.id,
        properties: record.properties,
        createdAt: now,
        updatedAt: now,
        archived: false,
        new: existing === undefined,
      });
    }
    const now = new Date().toISOString();
    return { status: 'COMPLETE', results, startedAt: now, completedAt: now };
  }

  /**
   * CRM search as documented: filters (EQ, case-insensitive for e-mail and domain) in one group,
   * `associations.contact` / `associations.company` pseudo-properties, `hs_is_closed` on deals, sorts,
   * `limit` (at most 200) and `after` paging; `total` counts every match.
   */
  function searchObjects(objectType: string, body: SearchBody): unknown {
    const store = objectType === 'contacts' ? contacts : objectType === 'companies' ? companies : deals;
    const propertyOf = (record: { id: string; properties: Record<string, string> }, name: string) => {
      if (name === 'hs_object_id') return record.id;
      if (name === 'associations.contact')
        return [...associations]
          .filter((pair) => pair.startsWith(`${record.id}→`))
          .map((p) => p.split('→')[1]);
      if (name === 'associations.company')
        return [...companyDeals]
          .filter((pair) => pair.startsWith(`${record.id}→`))
          .map((p) => p.split('→')[1]);
      if (name === 'hs_is_closed')
        return String(['closedwon', 'closedlost'].includes(record.properties.dealstage ?? ''));
      return record.properties[name];
    };
    const filters = body.filterGroups?.[0]?.filters ?? [];
    const matches = [...store.values()].filter((record) =>
      filters.every((filter) => {
        const value = propertyOf(record, filter.propertyName ?? '');
        const wanted = String(filter.value ?? '').toLowerCase();
        if (filter.operator !== 'EQ') return false;
        return Array.isArray(value) ? value.includes(wanted) : String(value ?? '').toLowerCase() === wanted;
      }),
    );
    const sort = body.sorts?.[0];
    if (sort?.propertyName)
      matches.sort(
        (a, b) =>
          String(a.properties[sort.propertyName ?? ''] ?? '').localeCompare(
            String(b.properties[sort.propertyName ?? ''] ?? ''),
          ) * (sort.direction === 'DESCENDING' ? -1 : 1),
      );
    const limit = Math.min(body.limit ?? 10, 200);
    const after = Number(body.after ?? 0);
    const page = matches.slice(after, after + limit);
    const wanted = body.properties ?? [];
    return {
      total: matches.length,
      results: page.map((record) => ({
        id: record.id,
        properties: Object.fromEntries(
          [...wanted, 'hs_object_id'].map((name) => [name, propertyOf(record, name) ?? null]),
        ),
        archived: false,
      })),
      ...(after + limit < matches.length ? { paging: { next: { after: String(after + limit) } } } : {}),
    };
  }

  function seedCustomer(seed: CustomerSeed): void {
    const ownerId = seed.ownerEmail === null ? null : (owners.get(seed.ownerEmail) ?? null);
    const common = { createdate: seed.createdAt, ...(ownerId === null ? {} : { hubspot_owner_id: ownerId }) };
    const id = String(nextId++);
    if (seed.email !== undefined)
      contacts.set(seed.email.toLowerCase(), {
        id,
        properties: { ...common, email: seed.email, firstname: seed.name },
      });
    else companies.set(id, { id, properties: { ...common, domain: seed.domain ?? '', name: seed.name } });
    const deal = (stage: string) => {
      const dealId = String(nextId++);
      deals.set(`seeded:${dealId}`, {
        id: dealId,
        properties: { dealname: 'earlier deal', dealstage: stage },
      });
      (seed.email !== undefined ? associations : companyDeals).add(`${dealId}→${id}`);
    };
    for (let n = 0; n < seed.openDeals; n += 1) deal('appointmentscheduled');
    for (let n = 0; n < seed.closedDeals; n += 1) deal(n % 2 === 0 ? 'closedwon' : 'closedlost');
  }

  async function route(req: IncomingMessage, res: ServerResponse, text: string): Promise<unknown> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const body = text === '' ? {} : JSON.parse(text);
    if (req.method === 'POST' && url.pathname === '/crm/v3/objects/contacts/batch/upsert')
      return upsert(contacts, CONTACT_PROPERTIES, body, res, 'contacts');
    if (req.method === 'POST' && url.pathname === '/crm/v3/objects/deals/batch/upsert')
      return upsert(deals, DEAL_PROPERTIES, body, res, 'deals');
    const association = url.pathname.match(
      /^\/crm\/v4\/objects\/deals\/([^/]+)\/associations\/default\/contacts\/([^/]+)$/,
    );
    if (req.method === 'PUT' && association) {
      const [, dealId, contactId] = association;
      const dealExists = [...deals.values()].some((deal) => deal.id === dealId);
      const contactExists = [...contacts.values()].some((contact) => contact.id === contactId);
      if (!dealExists || !contactExists) {
        error(res, 404, { message: 'Object not found', category: 'OBJECT_NOT_FOUND' });
        return null;
      }
      associations.add(`${dealId}→${contactId}`);
      const now = new Date().toISOString();
      return {
        status: 'COMPLETE',
        results: [
          {
            from: { id: dealId },
            to: { id: contactId },
            associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 3 },
          },
        ],
        startedAt: now,
        completedAt: now,
      };
    }
    const dealPath = url.pathname.match(/^\/crm\/v3\/objects\/deals\/([^/]+)$/);
    if (req.method === 'PATCH' && dealPath) {
      const deal = dealById(dealPath[1] ?? '');
      if (deal === undefined) {
        error(res, 404, { message: 'Object not found', category: 'OBJECT_NOT_FOUND' });
        return null;
      }
      const properties = (body as { properties?: Record<string, string> }).properties ?? {};
      for (const [name, value] of Object.entries(properties)) {
        if (!DEAL_PROPERTIES.has(name)) {
          validation(res, name, `Property "${name}" does not exist`, 'PROPERTY_DOESNT_EXIST');
          return null;
        }
        if (name === 'dealstage' && !DEAL_STAGES.has(value)) {
          validation(res, name, `${value} was not one of the allowed options`, 'INVALID_OPTION');
          return null;
        }
        if (name === 'hubspot_owner_id' && ![...owners.values()].includes(value)) {
          validation(res, name, `${value} is not a valid owner id`, 'INVALID_OWNER_ID');
          return null;
        }
      }
      deal.properties = { ...deal.properties, ...properties };
      return { id: deal.id, properties: deal.properties, archived: false };
    }
    if (req.method === 'POST' && url.pathname === '/crm/v3/objects/notes') {
      const input = body as {
        properties?: Record<string, string>;
        associations?: { to?: { id?: string }; types?: { associationTypeId?: number }[] }[];
      };
      const properties = input.properties ?? {};
      if (!properties.hs_timestamp) {
        validation(res, 'hs_timestamp', 'hs_timestamp is required', 'REQUIRED_FIELD');
        return null;
      }
      const toDeal = (input.associations ?? []).find((association) =>
        association.types?.some((type) => type.associationTypeId === 214),
      );
      const dealId = toDeal?.to?.id ?? null;
      if (dealId !== null && dealById(dealId) === undefined) {
        error(res, 400, { message: `deal ${dealId} does not exist`, category: 'VALIDATION_ERROR' });
        return null;
      }
      const note = { id: String(nextId++), dealId, properties };
      notes.push(note);
      return { id: note.id, properties, archived: false };
    }
    const search = url.pathname.match(/^\/crm\/v3\/objects\/(contacts|companies|deals)\/search$/);
    if (req.method === 'POST' && search) return searchObjects(search[1] ?? '', body as SearchBody);
    if (req.method === 'POST' && url.pathname === '/crm/v3/objects/notes/search') {
      // CONTAINS_TOKEN on hs_note_body: a whole word of the body (HubSpot tokenises on non-word characters).
      const filters =
        (body as { filterGroups?: { filters?: { propertyName?: string; value?: string }[] }[] })
          .filterGroups?.[0]?.filters ?? [];
      const token = filters.find((filter) => filter.propertyName === 'hs_note_body')?.value ?? '';
      const found = notes.filter((note) => (note.properties.hs_note_body ?? '').split(/\W+/).includes(token));
      return {
        total: found.length,
        results: found.slice(0, 1).map((note) => ({ id: note.id, properties: note.properties })),
      };
    }
    const ownerPath = url.pathname.match(/^\/crm\/v3\/owners\/(\d+)$/);
    if (req.method === 'GET' && ownerPath) {
      const id = ownerPath[1] ?? '';
      const email = [...owners].find(([, ownerId]) => ownerId === id)?.[0];
      if (email === undefined) {
        error(res, 404, { message: `Owner ${id} not found`, category: 'OBJECT_NOT_FOUND' });
        return null;
      }
      return { id, email, type: 'PERSON', archived: false, ...ownerNames.get(id) };
    }
    if (req.method === 'GET' && /^\/crm\/v3\/owners\/?$/.test(url.pathname)) {
      const email = (url.searchParams.get('email') ?? '').toLowerCase();
      const id = owners.get(email);
      return { results: id === undefined ? [] : [{ id, email, type: 'PERSON', archived: false }] };
    }
    if (req.method === 'GET' && url.pathname === '/account-info/v3/details')
      return { portalId: 4242, accountType: 'STANDARD', timeZone: 'UTC', uiDomain: 'app-eu1.hubspot.com' };
    error(res, 404, { message: `No route for ${req.method} ${url.pathname}`, category: 'OBJECT_NOT_FOUND' });
    return null;
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const at = Date.now();
      const log = (status: number) =>
        requests.push({
          method: req.method ?? '',
          path: new URL(req.url ?? '/', 'http://x').pathname,
          status,
          at,
        });
      if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
      if (!tokenValid || req.headers.authorization !== `Bearer ${token}`) {
        log(401);
        error(res, 401, {
          message: 'Authentication credentials not found. This API supports OAuth 2.0 authentication.',
          category: 'INVALID_AUTHENTICATION',
        });
        return;
      }
      while (recent.length > 0 && (recent[0] ?? 0) <= at - 10_000) recent.shift();
      if (failing.count > 0 || recent.length >= limit) {
        const status = failing.count > 0 ? failing.status : 429;
        if (failing.count > 0) failing = { ...failing, count: failing.count - 1 };
        log(status);
        if (status === 429)
          error(
            res,
            429,
            {
              message: 'You have reached your ten_secondly_rolling limit.',
              errorType: 'RATE_LIMIT',
              policyName: 'TEN_SECONDLY_ROLLING',
            },
            {
              'x-hubspot-ratelimit-max': String(limit),
              'x-hubspot-ratelimit-remaining': '0',
              'x-hubspot-ratelimit-interval-milliseconds': '10000',
            },
          );
        else error(res, status, { message: 'internal error', category: 'INTERNAL_ERROR' });
        return;
      }
      recent.push(at);
      let answer: unknown;
      try {
        answer = await route(req, res, Buffer.concat(chunks).toString('utf8'));
      } catch {
        log(400);
        error(res, 400, { message: 'Invalid input JSON', category: 'VALIDATION_ERROR' });
        return;
      }
      if (answer === null) {
        log(res.statusCode);
        return;
      }
      const lose = toLose > 0 && losePath.test(req.url ?? '');
      if (req.method !== 'GET' && (lose || Math.random() < loseRate)) {
        if (lose) toLose -= 1;
        log(0);
        res.socket?.destroy(); // the write happened; the answer never arrives
        return;
      }
      log(200);
      res.writeHead(200, {
        'content-type': 'application/json;charset=utf-8',
        'x-hubspot-ratelimit-max': String(limit),
        'x-hubspot-ratelimit-remaining': String(Math.max(0, limit - recent.length)),
      });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}`,
    token,
    contacts,
    deals,
    associations,
    notes,
    owners,
    companies,
    seedCustomer,
    dealById,
    requests,
    loseAnswers(count, path = /./) {
      toLose = count;
      losePath = path;
    },
    loseRandomly(rate) {
      loseRate = rate;
    },
    dealsCreated: () => created,
    failNext(count, status) {
      failing = { count, status };
    },
    refuseProperty(name, message) {
      if (message === null) refused.delete(name);
      else refused.set(name, message);
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    revokeToken() {
      tokenValid = false;
    },
    restoreToken() {
      tokenValid = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
