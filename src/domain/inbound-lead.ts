// Microsoft's HTTPS-endpoint destination POSTs one JSON lead per request (shared/marketplace-leads.md):
// { UserDetails: {FirstName, …}, LeadSource: "AzureMarketplace", ActionCode: "INS", OfferTitle, Description }.
// Key case varies in Microsoft's own examples (`userDetails`), so keys are read case-insensitively.
// The lead is turned into the row Microsoft's table writer would have written, so one pipeline posts both.
import { decodeLeadSource } from './lead-source.ts';

/** Microsoft's columns of a lead row (the system properties are added by the writer). */
export type LeadColumns = Readonly<Record<string, string>>;

const CUSTOMER_KEYS = ['FirstName', 'LastName', 'Email', 'Phone', 'Country', 'Company', 'Title'] as const;

function lowerKeys(value: unknown): Map<string, unknown> | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  return new Map(Object.entries(value).map(([key, item]) => [key.toLowerCase(), item]));
}

function text(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  if (typeof value === 'number') return String(value);
  return null;
}

/** CreatedTime as Microsoft writes it: `M/d/yyyy HH:mm:ss`, UTC, no zone. */
export function createdTimeText(now: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${now.getUTCMonth() + 1}/${now.getUTCDate()}/${now.getUTCFullYear()} ${two(now.getUTCHours())}:${two(now.getUTCMinutes())}:${two(now.getUTCSeconds())}`;
}

/** A column of the lead row that only this bot writes: what was wrong with a pushed lead, one note a line. */
export const PUSH_NOTES_COLUMN = 'LeadbotNotes';

/**
 * Azure Tables holds at most 32K characters in a string property (64 KiB); longer text is cut to this
 * with a visible marker and a note, so the lead is stored rather than refused (Microsoft never re-sends).
 */
export const MAX_PUSHED_TEXT = 30_000;
/** Each customer detail is cut to this, so CustomerInfo (all of them as JSON) stays within the limit. */
export const MAX_PUSHED_DETAIL = 2_000;

function cut(value: string, max: number, name: string, notes: string[]): string {
  if (value.length <= max) return value;
  notes.push(`${name} was ${value.length} characters long: it was cut to ${max}`);
  return `${value.slice(0, max)}… (cut)`;
}

/**
 * Reads the JSON body of a pushed lead into table columns. Any body that names a customer (UserDetails)
 * or an offer (OfferTitle) is a lead: what is missing is derived as for table rows (the action from
 * LeadSource) and noted on the lead, oversize text is cut. Refuses, with a reason, only a body that is
 * not a JSON object or names neither a customer nor an offer.
 */
export function parseInboundLead(
  body: unknown,
  now: Date,
): { ok: true; columns: LeadColumns } | { ok: false; problem: string } {
  const fields = lowerKeys(body);
  if (fields === null) return { ok: false, problem: 'the body must be a JSON object' };
  const notes: string[] = [];
  const user = lowerKeys(fields.get('userdetails'));
  if (user === null && fields.has('userdetails')) notes.push('UserDetails was not an object');
  const customer = Object.fromEntries(
    CUSTOMER_KEYS.flatMap((key) => {
      const value = text(user?.get(key.toLowerCase()));
      return value === null ? [] : [[key, cut(value, MAX_PUSHED_DETAIL, key, notes)]];
    }),
  );
  const offerText = text(fields.get('offertitle'));
  if (Object.keys(customer).length === 0 && offerText === null)
    return {
      ok: false,
      problem: 'the body names neither a customer (UserDetails) nor an offer (OfferTitle)',
    };
  const offer = offerText === null ? null : cut(offerText, MAX_PUSHED_DETAIL, 'OfferTitle', notes);

  // LeadSource is usually only the source ("AzureMarketplace"), but may be the table's full form.
  const sourceText = text(fields.get('leadsource'));
  const decoded = decodeLeadSource(sourceText);
  const source = decoded.parsed ? decoded.sourceText : sourceText;
  let action = text(fields.get('actioncode'));
  if (action === null) {
    action = decoded.actionText;
    notes.push(
      action === null
        ? 'ActionCode was missing and LeadSource names no action: what the customer did is unknown'
        : 'ActionCode was missing: the action was read from LeadSource',
    );
  }
  if (source === null) notes.push('LeadSource was missing: the source is unknown');
  const description = text(fields.get('description'));
  return {
    ok: true,
    columns: {
      LeadSource: `${source ?? ''}-${action ?? ''}|${offer ?? decoded.offerText ?? ''}`,
      ActionCode: action ?? '',
      CustomerInfo: JSON.stringify(customer),
      Description: description === null ? '' : cut(description, MAX_PUSHED_TEXT, 'Description', notes),
      OfferDisplayName: offer ?? '',
      CreatedTime: createdTimeText(now),
      ...(notes.length > 0 ? { [PUSH_NOTES_COLUMN]: notes.join('\n') } : {}),
    },
  };
}

/**
 * At most this many pushed leads a customer (e-mail) an hour are taken. Microsoft sends one lead a
 * customer step (Contact me, Get it now, Create); a flood of pushes for one address is a loop or an
 * attack, and each push would grow that customer's conversation and thread.
 */
export const PUSHES_PER_CUSTOMER_PER_HOUR = 10;

/** The customer a pushed lead counts against: its e-mail, normalised; null when it names none. */
export function pushingCustomerOf(columns: LeadColumns): string | null {
  try {
    const customer: unknown = JSON.parse(columns.CustomerInfo ?? '');
    const email = (customer as { Email?: unknown } | null)?.Email;
    return typeof email === 'string' && email.trim() !== '' ? email.trim().toLowerCase() : null;
  } catch {
    return null;
  }
}
