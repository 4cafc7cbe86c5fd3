/**
 * What the team's CRM already knows of a lead's customer, looked up before the lead is posted: the
 * person (a contact with the lead's e-mail) or, failing that, their company (by the e-mail's domain).
 * Every text in it is the CRM's: shown as written, never as formatting, a mention or a link.
 */
export interface CrmCustomer {
  /** How the customer was found: their own e-mail, or only their company's domain. */
  readonly matchedBy: 'email' | 'domain';
  /** The contact's (or company's) name in the CRM, as written there; null when it has none. */
  readonly name: string | null;
  /** When the CRM first knew them (the record's creation); null when it does not say. */
  readonly since: Date | null;
  /** Who owns them in the CRM; null when nobody does. */
  readonly owner: { readonly name: string | null; readonly email: string | null } | null;
  /** Open deals (opportunities) of the contact or company. */
  readonly openDeals: number;
  /** Where the contact or company opens in the CRM; null when it has no page (the local file). */
  readonly url: string | null;
}

/** How a lead's customer is looked up: the e-mail, and the company domain when it names a company. */
export interface CrmCustomerQuery {
  readonly email: string;
  /** Null for a mailbox provider's domain (gmail.com): that would match strangers, not a company. */
  readonly domain: string | null;
}

/**
 * Domains of mailbox providers, where one domain holds millions of unrelated people: a lead from
 * them is looked up by its e-mail only. The common global and regional ones; a company whose domain
 * is missing here is at worst matched with more companies than it should, which the card says
 * ("their company, by its domain").
 */
const MAILBOX_PROVIDERS = new Set([
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'hotmail.co.uk',
  'live.com',
  'msn.com',
  'yahoo.com',
  'yahoo.co.uk',
  'yahoo.co.jp',
  'ymail.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'aol.com',
  'proton.me',
  'protonmail.com',
  'pm.me',
  'gmx.com',
  'gmx.de',
  'gmx.net',
  'web.de',
  't-online.de',
  'mail.com',
  'mail.ru',
  'yandex.ru',
  'yandex.com',
  'qq.com',
  '163.com',
  '126.com',
  'naver.com',
  'zoho.com',
  'fastmail.com',
  'hey.com',
]);

/** The lookup for a lead's e-mail: its domain kept only when it names a company. */
export function crmCustomerQueryOf(email: string): CrmCustomerQuery {
  const at = email.lastIndexOf('@');
  const domain =
    at < 0
      ? ''
      : email
          .slice(at + 1)
          .trim()
          .toLowerCase();
  // A domain is letters, digits, dots and hyphens with at least one dot: anything else is not looked up.
  const valid = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9-]{2,}$/.test(domain);
  return { email: email.trim(), domain: valid && !MAILBOX_PROVIDERS.has(domain) ? domain : null };
}

/** The CRM's answer about a lead's customer: who it found, or that it found nobody (a new customer). */
export interface CrmLookup {
  readonly found: CrmCustomer | null;
}

/** A company website's host without `www.`: "https://www.contoso.com/about" → contoso.com. */
export function websiteHost(website: string): string | null {
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(website) ? website : `https://${website}`);
    return url.hostname.toLowerCase().replace(/^www\./, '');
  } catch {
    return null;
  }
}

/** A date the CRM (or a stored answer) gave as text; null when it gave none, or not a date. */
export function crmDateOf(value: unknown): Date | null {
  const date = typeof value === 'string' ? new Date(value) : null;
  return date !== null && Number.isFinite(date.getTime()) ? date : null;
}

/** A CRM answer as stored beside the lead, so every redraw of its card shows it: JSON, dates as text. */
export function serialiseCrmLookup(lookup: CrmLookup): string {
  return JSON.stringify(lookup);
}

/** The stored answer back; null when it is not one (a newer or damaged row): the card then goes without. */
export function parseCrmLookup(text: string): CrmLookup | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || !('found' in value)) return null;
  if (value.found === null) return { found: null };
  const found = customerOf(value.found);
  return found === null ? null : { found };
}

function customerOf(value: unknown): CrmCustomer | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const textOrNull = (field: unknown) => (typeof field === 'string' ? field : null);
  if (v.matchedBy !== 'email' && v.matchedBy !== 'domain') return null;
  if (typeof v.openDeals !== 'number' || !Number.isInteger(v.openDeals) || v.openDeals < 0) return null;
  const owner = typeof v.owner === 'object' && v.owner !== null ? (v.owner as Record<string, unknown>) : null;
  return {
    matchedBy: v.matchedBy,
    name: textOrNull(v.name),
    since: crmDateOf(v.since),
    owner: owner && { name: textOrNull(owner.name), email: textOrNull(owner.email) },
    openDeals: v.openDeals,
    url: textOrNull(v.url),
  };
}

/** What a lead's card shows of the CRM: what it knew of the customer, and the lead's own record. */
export interface CrmCard {
  /** The CRM's name as people know it ("HubSpot"). */
  readonly crmName: string;
  /** What the CRM answered when asked of the customer before the post; null until it answered. */
  readonly lookup: CrmLookup | null;
  /** The lead's record, once written there; its url is null when the CRM has no page for it. */
  readonly record: { readonly url: string | null } | null;
}
