import { AssociationTypes, Client } from '@hubspot/api-client';
import type { PipelineStage } from '../domain/conversation.ts';
import { type CrmActivity, type CrmUpdate, crmReferenceOf } from '../domain/crm-change.ts';
import { type CrmCustomer, crmDateOf } from '../domain/crm-customer.ts';
import { type CrmLead, crmDescriptionOf, givenFields } from '../domain/crm-lead.ts';
import { CrmCallError, type CrmPort, type CrmRecord } from '../services/crm-port.ts';
import { createOwnerDirectory } from './owner-directory.ts';

export interface HubSpotSettings {
  /** A private app's access token (or a service key): `pat-…`. */
  readonly token: string;
  /** Where the API is: `https://api.hubapi.com` unless a proxy (or a test's stand-in) is in front. */
  readonly apiUrl: string;
  /** The deal property holding each lead's key: created by the admin with "unique values" on. */
  readonly leadKeyProperty: string;
  readonly pipeline: string;
  /** The deal stage a new lead's deal starts in. */
  readonly dealStage: string;
  /** The deal stage each stage in Slack moves the deal to; null leaves the deal's stage. */
  readonly stageIds: Readonly<Record<PipelineStage, string | null>>;
  /** The app's documented burst limit (100 per 10 s for most accounts): calls are spaced to keep under it. */
  readonly requestsPer10Seconds: number;
  /** One call longer than this counts as unanswered (the write may have happened; it is tried again). */
  readonly timeoutMs: number;
}

/** The stages of HubSpot's default sales pipeline: a lead that is contacted stays in the first. */
export const HUBSPOT_DEFAULT_STAGE_IDS: Readonly<Record<PipelineStage, string | null>> = {
  New: null,
  Contacted: null,
  Qualified: 'qualifiedtobuy',
  Won: 'closedwon',
  Lost: 'closedlost',
  'Not a fit': 'closedlost',
};

/** HubSpot's error body (developers.hubspot.com → API usage → error handling). */
interface HubSpotErrorBody {
  readonly message?: unknown;
  readonly category?: unknown;
  readonly errorType?: unknown;
  readonly policyName?: unknown;
}

/** The thrown shape of the official client (its ApiException): the HTTP status, body and headers. */
function apiFailureOf(
  error: unknown,
): { status: number; body: HubSpotErrorBody; headers: Record<string, string> } | null {
  if (typeof error !== 'object' || error === null) return null;
  const { code, body, headers } = error as { code?: unknown; body?: unknown; headers?: unknown };
  if (typeof code !== 'number' || code < 100) return null;
  return {
    status: code,
    body: typeof body === 'object' && body !== null ? (body as HubSpotErrorBody) : {},
    headers: typeof headers === 'object' && headers !== null ? (headers as Record<string, string>) : {},
  };
}

/** How long HubSpot asks us to wait: its Retry-After, else the window of the limit that was hit. */
function retryAfterMsOf(body: HubSpotErrorBody, headers: Record<string, string>): number {
  const header = Number(headers['retry-after'] ?? headers['Retry-After']);
  if (Number.isFinite(header) && header >= 0) return header * 1000;
  // The daily limit resets at midnight in the account's time zone; an hour is a polite first wait.
  if (body.policyName === 'DAILY') return 60 * 60_000;
  return 10_000; // TEN_SECONDLY_ROLLING and secondly limits
}

/** Maps what the client threw onto the bot's CRM failures. */
export function hubSpotFailure(error: unknown): CrmCallError {
  if (error instanceof CrmCallError) return error;
  const failure = apiFailureOf(error);
  if (failure === null) {
    const reason = error instanceof Error ? error.message : String(error);
    return new CrmCallError('unavailable', `HubSpot did not answer: ${reason}`.slice(0, 300));
  }
  const { status, body, headers } = failure;
  const message = typeof body.message === 'string' ? body.message.slice(0, 500) : `HTTP ${status}`;
  if (status === 429) return new CrmCallError('rateLimited', message, retryAfterMsOf(body, headers));
  if (status === 401 || status === 403)
    return new CrmCallError('unauthorized', `HubSpot ${status}: ${message}`);
  if (status >= 500 || status === 408)
    return new CrmCallError('unavailable', `HubSpot ${status}: ${message}`);
  return new CrmCallError('refused', `HubSpot ${status}: ${message}`);
}

/** The properties HubSpot keeps as the contact's: only what Microsoft gave, so nothing is blanked. */
function contactProperties(lead: CrmLead): Record<string, string> {
  const { customer } = lead;
  return {
    email: lead.email,
    ...givenFields({
      firstname: customer.firstName,
      lastname: customer.lastName,
      phone: customer.phone,
      company: customer.company,
      jobtitle: customer.title,
      country: customer.country,
    }),
  };
}

const NOTE_TEXT_MAX = 10_000;
const escapeHtml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/**
 * A note's body: HubSpot shows `hs_note_body` as HTML, so every text is escaped (a rep's `<script>` or
 * `<a href>` stays text) and lines are kept as lines.
 */
export function hubSpotNoteBody(activity: CrmActivity): string {
  // HubSpot keeps 65,536 characters of a body; escaping can make a text six times longer.
  const paragraph = (text: string) =>
    `<p>${escapeHtml(text.slice(0, NOTE_TEXT_MAX)).replaceAll('\n', '<br>')}</p>`;
  return `<p><strong>${escapeHtml(activity.subject)}</strong></p>${paragraph(activity.body)}`;
}

/**
 * HubSpot through its official client (CRM v3 objects, v4 associations): the contact upserted by
 * e-mail, a deal per lead upserted by the lead's key in a unique deal property, and the two
 * associated. Every step is idempotent, so a lost answer is simply tried again.
 */
export function createHubSpotCrm(settings: HubSpotSettings): CrmPort {
  const client = new Client({
    accessToken: settings.token,
    basePath: settings.apiUrl.replace(/\/+$/, ''),
    // Retries belong to the outbox, which remembers them across restarts; the client only spaces calls.
    numberOfApiCallRetries: 0,
    limiterOptions: { minTime: Math.ceil(10_000 / settings.requestsPer10Seconds), maxConcurrent: 6 },
  });

  const within = <T>(call: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new CrmCallError('unavailable', `HubSpot took over ${settings.timeoutMs} ms to answer`)),
        settings.timeoutMs,
      );
    });
    return Promise.race([call, timeout]).finally(() => clearTimeout(timer));
  };

  /** The account's id and web address, for links to records: asked once, and again after a failure. */
  let account: Promise<{ portalId: number; uiDomain: string } | null> | null = null;
  const accountDetails = () => {
    account ??= within(client.apiRequest({ method: 'GET', path: '/account-info/v3/details' }))
      .then(async (response) => {
        if (!response.ok) return null;
        const details = (await response.json()) as { portalId?: unknown; uiDomain?: unknown };
        return typeof details.portalId === 'number'
          ? {
              portalId: details.portalId,
              uiDomain: typeof details.uiDomain === 'string' ? details.uiDomain : 'app.hubspot.com',
            }
          : null;
      })
      .catch(() => null)
      .then((details) => {
        if (details === null) account = null;
        return details;
      });
    return account;
  };

  async function upsertOne(
    objectType: 'contacts' | 'deals',
    idProperty: string,
    id: string,
    properties: Record<string, string>,
  ): Promise<string> {
    const batch = objectType === 'contacts' ? client.crm.contacts.batchApi : client.crm.deals.batchApi;
    const answer = await within(batch.upsert({ inputs: [{ idProperty, id, properties }] }));
    const errors = (answer as { errors?: { message?: string }[] }).errors ?? [];
    const [record] = answer.results;
    if (record === undefined)
      throw new CrmCallError(
        'refused',
        `HubSpot did not write the ${objectType}: ${errors[0]?.message ?? 'no result'}`,
      );
    return record.id;
  }

  /** HubSpot's owner with the e-mail (CRM v3 owners, filtered by e-mail). */
  const owners = createOwnerDirectory(async (email) => {
    const page = await within(client.crm.owners.ownersApi.getPage(email, undefined, 1, false));
    return page.results[0]?.id ?? null;
  });

  /** The body of a JSON answer to a raw call, or HubSpot's error thrown as the client throws it. */
  async function json<T>(response: Response): Promise<T> {
    const body = (await response.json().catch(() => ({}))) as T;
    if (response.ok) return body;
    throw { code: response.status, body, headers: Object.fromEntries(response.headers) };
  }

  /** A note of this update on the deal already (its reference is a token of the body). */
  async function noteExists(update: CrmUpdate): Promise<boolean> {
    const reference = crmReferenceOf(update.key).slice('ref '.length);
    const answer = await json<{ total?: number }>(
      await within(
        client.apiRequest({
          method: 'POST',
          path: '/crm/v3/objects/notes/search',
          body: {
            filterGroups: [
              { filters: [{ propertyName: 'hs_note_body', operator: 'CONTAINS_TOKEN', value: reference }] },
            ],
            properties: ['hs_note_body'],
            limit: 1,
          },
        }),
      ),
    );
    return (answer.total ?? 0) > 0;
  }

  async function addNote(dealId: string, update: CrmUpdate, activity: CrmActivity): Promise<void> {
    await json(
      await within(
        client.apiRequest({
          method: 'POST',
          path: '/crm/v3/objects/notes',
          body: {
            properties: { hs_timestamp: update.at.toISOString(), hs_note_body: hubSpotNoteBody(activity) },
            associations: [
              {
                to: { id: dealId },
                types: [
                  { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: AssociationTypes.noteToDeal },
                ],
              },
            ],
          },
        }),
      ),
    );
  }

  interface Found {
    readonly id: string;
    readonly properties: Record<string, string | null | undefined>;
  }

  /** A CRM search: the matches' count and the first `limit` of them. */
  async function search(
    objectType: 'contacts' | 'companies' | 'deals',
    filters: { propertyName: string; value: string }[],
    properties: string[],
    limit: number,
  ): Promise<{ total: number; results: Found[] }> {
    const answer = await json<{ total?: number; results?: Found[] }>(
      await within(
        client.apiRequest({
          method: 'POST',
          path: `/crm/v3/objects/${objectType}/search`,
          body: {
            filterGroups: [{ filters: filters.map((filter) => ({ ...filter, operator: 'EQ' })) }],
            sorts: [{ propertyName: 'createdate', direction: 'ASCENDING' }],
            properties,
            limit,
          },
        }),
      ),
    );
    return { total: answer.total ?? 0, results: answer.results ?? [] };
  }

  /** The owner's name and e-mail (CRM v3 owners by id); null when the owner is gone. */
  async function ownerOf(ownerId: string): Promise<{ name: string | null; email: string | null } | null> {
    const response = await within(
      client.apiRequest({ method: 'GET', path: `/crm/v3/owners/${encodeURIComponent(ownerId)}` }),
    );
    if (response.status === 404) return null;
    const owner = await json<{ firstName?: unknown; lastName?: unknown; email?: unknown }>(response);
    const name = [owner.firstName, owner.lastName]
      .filter((part) => typeof part === 'string' && part !== '')
      .join(' ');
    return { name: name === '' ? null : name, email: typeof owner.email === 'string' ? owner.email : null };
  }

  async function customerOf(found: Found, matchedBy: 'email' | 'domain'): Promise<CrmCustomer> {
    const association = matchedBy === 'email' ? 'associations.contact' : 'associations.company';
    const [openDeals, owner, details] = await Promise.all([
      search(
        'deals',
        [
          { propertyName: association, value: found.id },
          { propertyName: 'hs_is_closed', value: 'false' },
        ],
        [],
        1,
      ),
      found.properties.hubspot_owner_id ? ownerOf(found.properties.hubspot_owner_id) : null,
      accountDetails(),
    ]);
    const { firstname, lastname, name, createdate } = found.properties;
    const fullName = matchedBy === 'email' ? [firstname, lastname].filter(Boolean).join(' ') : (name ?? '');
    const objectTypeId = matchedBy === 'email' ? '0-1' : '0-2';
    return {
      matchedBy,
      name: fullName === '' ? null : fullName,
      since: crmDateOf(createdate),
      owner,
      openDeals: openDeals.total,
      url:
        details &&
        `https://${details.uiDomain}/contacts/${details.portalId}/record/${objectTypeId}/${found.id}`,
    };
  }

  return {
    name: 'HubSpot',
    async lookUpCustomer(query) {
      try {
        const known = ['createdate', 'hubspot_owner_id'];
        const contact = await search(
          'contacts',
          [{ propertyName: 'email', value: query.email }],
          [...known, 'firstname', 'lastname'],
          1,
        );
        if (contact.results[0]) return await customerOf(contact.results[0], 'email');
        if (query.domain === null) return null;
        const company = await search(
          'companies',
          [{ propertyName: 'domain', value: query.domain }],
          [...known, 'name'],
          1,
        );
        return company.results[0] ? await customerOf(company.results[0], 'domain') : null;
      } catch (error) {
        throw hubSpotFailure(error);
      }
    },
    async updateRecord(record, update) {
      try {
        const properties: Record<string, string> = {};
        const stageId = update.stage === null ? null : settings.stageIds[update.stage];
        if (stageId !== null) properties.dealstage = stageId;
        const ownerId = update.ownerEmail === null ? null : await owners.idOf(update.ownerEmail);
        if (ownerId !== null) properties.hubspot_owner_id = ownerId;
        if (Object.keys(properties).length > 0)
          await within(client.crm.deals.basicApi.update(record.id, { properties }));
        const { activity } = update;
        if (activity !== null && !(update.maybeWritten && (await noteExists(update))))
          await addNote(record.id, update, activity);
      } catch (error) {
        throw hubSpotFailure(error);
      }
    },
    async writeLead(lead): Promise<CrmRecord> {
      try {
        const contactId = await upsertOne('contacts', 'email', lead.email, contactProperties(lead));
        const dealId = await upsertOne('deals', settings.leadKeyProperty, lead.key, {
          ...lead.mappedFields,
          dealname: lead.title.slice(0, 500),
          pipeline: settings.pipeline,
          dealstage: settings.dealStage,
          description: crmDescriptionOf(lead, 65_000),
        });
        await within(
          client.crm.associations.v4.basicApi.createDefault('deals', dealId, 'contacts', contactId),
        );
        const details = await accountDetails();
        return {
          id: dealId,
          contactId,
          url: details && `https://${details.uiDomain}/contacts/${details.portalId}/record/0-3/${dealId}`,
        };
      } catch (error) {
        throw hubSpotFailure(error);
      }
    },
  };
}
