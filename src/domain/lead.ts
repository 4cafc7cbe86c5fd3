import { parseCreatedTime } from './created-time.ts';
import { PUSH_NOTES_COLUMN } from './inbound-lead.ts';
import { actionOf, channelOf, decodeLeadSource, type LeadAction, type LeadChannel } from './lead-source.ts';

/** A lead's identity in Microsoft's table. */
export interface LeadId {
  readonly partitionKey: string;
  readonly rowKey: string;
}

/**
 * A row as the table SDK returns it: system properties in camelCase (`partitionKey`, `rowKey`,
 * `timestamp`), Microsoft's columns in PascalCase. Values are unknown because any of them may be
 * missing or of another type than documented.
 */
export interface LeadRow {
  readonly partitionKey: string;
  readonly rowKey: string;
  /** Set by the table service on insert: the only reliable time. */
  readonly timestamp: Date;
  readonly [column: string]: unknown;
}

export interface Customer {
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly country: string | null;
  readonly company: string | null;
  readonly title: string | null;
}

export type CustomerField = keyof Customer;

export interface Lead {
  readonly id: LeadId;
  /** The row's Timestamp: when Microsoft wrote the lead. */
  readonly receivedAt: Date;
  /** CreatedTime when it could be read, else null. */
  readonly createdAt: Date | null;
  readonly channel: LeadChannel;
  readonly action: LeadAction;
  /** The action code as Microsoft wrote it (ActionCode column, else the LeadSource action). */
  readonly actionCode: string | null;
  /** The LeadSource value as written, kept for display when it could not be decoded. */
  readonly leadSourceText: string | null;
  /** Routing key of the offer: ProductId, else the offer part of LeadSource, else OfferDisplayName. */
  readonly offerKey: string | null;
  /** Name to show: OfferDisplayName, else the offer part of LeadSource, else ProductId. */
  readonly offerName: string | null;
  readonly productId: string | null;
  readonly publisher: string | null;
  readonly customer: Customer;
  /** The customer's note, or campaign parameters as `key=value` pairs; null when empty or a bare `Campaigns:`. */
  readonly description: { readonly kind: 'note' | 'parameters'; readonly text: string } | null;
  /** CustomerInfo held something that was not a JSON object, so who the customer is could not be read. */
  readonly customerInfoUnreadable: boolean;
  /** Microsoft's test lead (`MSFT_TEST` in any field): a connection check, never a sales lead. */
  readonly isTest: boolean;
  /** Do not contact: shown for information, never assigned or chased. */
  readonly isDoNotContact: boolean;
  /** Customer fields Microsoft left empty, in display order. */
  readonly missing: readonly CustomerField[];
  /** What was wrong with the row, in words; empty for a well-formed row. */
  readonly problems: readonly string[];
}

const CUSTOMER_FIELDS: readonly CustomerField[] = [
  'firstName',
  'lastName',
  'email',
  'phone',
  'company',
  'title',
  'country',
];

/** A column's value as trimmed text, or null when absent or blank. Numbers and booleans become text. */
function textOf(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

function column(row: LeadRow, name: string): string | null {
  return textOf(row[name]);
}

interface ParsedCustomer {
  readonly customer: Customer;
  readonly problem: string | null;
}

const EMPTY_CUSTOMER: Customer = {
  firstName: null,
  lastName: null,
  email: null,
  phone: null,
  country: null,
  company: null,
  title: null,
};

function parseCustomerInfo(text: string | null): ParsedCustomer {
  // An empty CustomerInfo is not malformed: Microsoft withholds all personal data of .edu customers.
  if (text === null) return { customer: EMPTY_CUSTOMER, problem: null };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { customer: EMPTY_CUSTOMER, problem: 'CustomerInfo is not valid JSON' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { customer: EMPTY_CUSTOMER, problem: 'CustomerInfo is not a JSON object' };
  }
  // Keys are read case-insensitively: Microsoft's own examples vary the case.
  const byLowerKey = new Map(Object.entries(json).map(([key, value]) => [key.toLowerCase(), textOf(value)]));
  const field = (name: CustomerField) => byLowerKey.get(name.toLowerCase()) ?? null;
  const customer: Customer = {
    firstName: field('firstName'),
    lastName: field('lastName'),
    email: field('email'),
    phone: field('phone'),
    country: field('country'),
    company: field('company'),
    title: field('title'),
  };
  return { customer, problem: null };
}

function normaliseDescription(text: string | null): Lead['description'] {
  if (text === null || /^campaigns:\s*$/i.test(text)) return null;
  // Microsoft sometimes writes the URL parameters of the customer's visit as a JSON object.
  if (text.startsWith('{')) {
    try {
      const json: unknown = JSON.parse(text);
      if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
        const pairs = Object.entries(json).map(
          ([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`,
        );
        if (pairs.length > 0) return { kind: 'parameters', text: pairs.join(', ') };
        return null;
      }
    } catch {
      // Not JSON after all: a note that starts with a brace.
    }
  }
  return { kind: 'note', text };
}

const TEST_MARKER = /msft_test/i;

function mentionsTestMarker(row: LeadRow): boolean {
  return Object.values(row).some((value) => typeof value === 'string' && TEST_MARKER.test(value));
}

/**
 * Turns one table row into a Lead. Never throws: whatever is malformed is kept as far as it can be
 * read, and described in `problems`, so the lead can still be posted.
 */
export function parseLeadRow(row: LeadRow): Lead {
  const problems: string[] = [];
  const leadSourceText = column(row, 'LeadSource');
  const source = decodeLeadSource(leadSourceText);
  if (leadSourceText === null) problems.push('LeadSource is empty');
  else if (!source.parsed) problems.push('LeadSource is not in the form Source-Action|Offer');

  const actionCode = column(row, 'ActionCode') ?? source.actionText;
  const productId = column(row, 'ProductId');
  const offerDisplayName = column(row, 'OfferDisplayName');

  const { customer, problem } = parseCustomerInfo(column(row, 'CustomerInfo'));
  if (problem) problems.push(problem);

  // What the HTTPS endpoint had to derive or cut in a pushed lead (inbound-lead.ts), shown like any problem.
  problems.push(...(column(row, PUSH_NOTES_COLUMN)?.split('\n') ?? []));

  const createdText = column(row, 'CreatedTime');
  const createdAt = parseCreatedTime(createdText);
  if (createdText !== null && createdAt === null) problems.push('CreatedTime could not be read');

  const isTest = mentionsTestMarker(row);
  const action = actionOf(actionCode);
  return {
    id: { partitionKey: row.partitionKey, rowKey: row.rowKey },
    receivedAt: row.timestamp,
    createdAt,
    channel: source.parsed ? source.channel : channelOf(null),
    action,
    actionCode,
    leadSourceText,
    offerKey: productId ?? source.offerText ?? offerDisplayName,
    offerName: offerDisplayName ?? source.offerText ?? productId,
    productId,
    publisher: column(row, 'PublisherDisplayName'),
    customer,
    description: normaliseDescription(column(row, 'Description')),
    customerInfoUnreadable: problem !== null,
    isTest,
    isDoNotContact: action === 'DNC',
    missing: CUSTOMER_FIELDS.filter((field) => customer[field] === null),
    problems,
  };
}

/** Trimmed and lower-cased: Microsoft sends the same e-mail in different letter case across steps. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Test leads and do-not-contact notices are shown, never owned or chased. */
export function isClaimable(lead: Lead): boolean {
  return !lead.isTest && !lead.isDoNotContact;
}

/**
 * The key of the conversation a lead belongs to: later leads of the same customer (normalised e-mail)
 * for the same offer join it. A lead without an e-mail is a conversation of its own. Null for leads
 * that are not worked at all: test leads and do-not-contact notices.
 */
export function conversationKeyOf(lead: Lead): string | null {
  if (!isClaimable(lead)) return null;
  if (lead.customer.email === null) return `lead\n${lead.id.partitionKey}\n${lead.id.rowKey}`;
  return boundedKey(`${normaliseEmail(lead.customer.email)}\n${(lead.offerKey ?? '').toLowerCase()}`);
}

/** The offer part of a conversation key (see conversationKeyOf); null for a lead without an e-mail. */
export function offerOfConversationKey(key: string): string | null {
  if (key.startsWith('lead\n')) return null;
  const offer = key.slice(key.indexOf('\n') + 1);
  return key.includes('\n') && offer !== '' ? offer : null;
}

/**
 * Keys are stored in table properties and compared whole; a stranger's 5,000-character e-mail and
 * 32,000-character ProductId must not make one too large to store (Azure: 64 KiB a property). A key
 * longer than this keeps its start and ends with a hash of the whole, so it stays one customer's.
 */
export const MAX_KEY_LENGTH = 512;

export function boundedKey(key: string): string {
  if (key.length <= MAX_KEY_LENGTH) return key;
  return `${key.slice(0, MAX_KEY_LENGTH - 40)}…#${fnv1a64(key)}`;
}

/** FNV-1a, 64 bits, over UTF-16 code units: a pure, stable fingerprint (not a security measure). */
export function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (let index = 0; index < text.length; index++) {
    hash ^= BigInt(text.charCodeAt(index));
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}

export function leadIdText(id: LeadId): string {
  return `${id.partitionKey}/${id.rowKey}`;
}

export function customerName(customer: Customer): string | null {
  const name = [customer.firstName, customer.lastName].filter((part) => part !== null).join(' ');
  return name === '' ? null : name;
}

/**
 * How a lead is named wherever it is named: the person, then the company ("Ines Moreau · Adatum SA"), a
 * rep follows up with a person; whichever of the two is known alone; else the e-mail.
 */
export function customerLabel(customer: Customer): string {
  const known = [customerName(customer), customer.company].filter((part) => part !== null);
  return known.length > 0 ? known.join(' · ') : (customer.email ?? 'Unknown customer');
}
