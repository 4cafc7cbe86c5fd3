import { type CrmFieldMap, mappedFieldsOf } from './crm-fields.ts';
import { explainLead } from './explain.ts';
import type { Customer, Lead, LeadId } from './lead.ts';
import { customerName, fnv1a64, normaliseEmail } from './lead.ts';

/**
 * A lead as the team's CRM receives it: who the customer is, and one record for this lead, written
 * with `key` as its idempotency key (HubSpot's unique deal property, Salesforce's external id,
 * Dataverse's alternate key), so writing it twice updates the same record rather than adding one.
 */
export interface CrmLead {
  readonly key: string;
  readonly leadId: LeadId;
  /** Normalised (lower case, trimmed): the contact is found or made by it. */
  readonly email: string;
  readonly customer: Customer;
  /** The record's name, e.g. "Contoso Analytics: Free trial — Fabrikam". */
  readonly title: string;
  readonly offerName: string | null;
  /** In plain words, as the Slack card says it: "Free trial on Azure Marketplace". */
  readonly source: string;
  readonly actionCode: string | null;
  readonly receivedAt: Date;
  /** What the customer wrote, or their campaign parameters, exactly as written. */
  readonly description: string | null;
  /** The admin's extra properties (`crm.fieldMap`): CRM property → value, only for fields Microsoft gave. */
  readonly mappedFields: Readonly<Record<string, string>>;
}

/**
 * Why a lead is not written to the CRM, or null when it is. Microsoft's test rows check the
 * connection; a DNC row is about a customer who asked another publisher, not this one, to contact
 * them; a lead without an e-mail address has nothing a CRM could find its contact by.
 */
export function crmExclusionOf(lead: Lead): string | null {
  if (lead.isTest) return "Microsoft's test lead";
  if (lead.isDoNotContact) return 'do not contact';
  if (lead.customer.email === null) return 'no e-mail address';
  return null;
}

/** The CRM's idempotency key of a lead: stable, short, and free of characters any CRM restricts. */
export function crmKeyOf(id: LeadId): string {
  // Two FNV-1a passes (the second over the text with a prefix): 128 bits, pure and stable.
  const text = `${id.partitionKey}\u0000${id.rowKey}`;
  return `mkt-${fnv1a64(text)}${fnv1a64(`\u0001${text}`)}`;
}

/** The lead as the CRM receives it; null when it is not written there (see crmExclusionOf). */
export function crmLeadOf(lead: Lead, fieldMap: CrmFieldMap = {}): CrmLead | null {
  if (crmExclusionOf(lead) !== null || lead.customer.email === null) return null;
  const explained = explainLead(lead);
  const who = lead.customer.company ?? customerName(lead.customer) ?? normaliseEmail(lead.customer.email);
  return {
    key: crmKeyOf(lead.id),
    leadId: lead.id,
    email: normaliseEmail(lead.customer.email),
    customer: lead.customer,
    title: `${lead.offerName ?? 'Marketplace lead'}: ${explained.stage} — ${who}`,
    offerName: lead.offerName,
    source: `${explained.stage} on ${explained.where}`,
    actionCode: lead.actionCode,
    receivedAt: lead.receivedAt,
    description: lead.description?.text ?? null,
    mappedFields: mappedFieldsOf(lead, fieldMap),
  };
}

/**
 * The record's description, the same words in every CRM: where the lead came from, the offer, when,
 * which marketplace lead (and its key), and what the customer wrote, exactly as written; cut to `max`.
 */
export function crmDescriptionOf(lead: CrmLead, max: number): string {
  return [
    `Microsoft commercial marketplace lead: ${lead.source}.`,
    `Offer: ${lead.offerName ?? 'not given'}`,
    `Received: ${lead.receivedAt.toISOString()}`,
    `Marketplace lead: ${lead.leadId.partitionKey}/${lead.leadId.rowKey} (key ${lead.key})`,
    ...(lead.description === null ? [] : ['', 'The customer wrote:', lead.description]),
  ]
    .join('\n')
    .slice(0, max);
}

/** The CRM fields Microsoft gave a value for: an empty one is left out, so nothing in the CRM is blanked. */
export function givenFields(fields: Readonly<Record<string, string | null>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== null),
  );
}

/** The first retry comes after this long; each further one waits twice as long… */
export const CRM_FIRST_RETRY_MS = 30_000;
/** …up to this: a CRM that is down for a day is tried again every hour, and nothing is given up. */
export const CRM_MAX_RETRY_MS = 60 * 60_000;

/**
 * When a failed CRM write is tried again: after the CRM's own `Retry-After` when it gave one (never
 * sooner, never later than the cap), else with exponential backoff on the attempts so far.
 */
export function crmRetryAt(now: Date, attempts: number, retryAfterMs: number | null): Date {
  const backoff = CRM_FIRST_RETRY_MS * 2 ** Math.max(0, Math.min(attempts - 1, 20));
  const wait = Math.min(retryAfterMs ?? backoff, CRM_MAX_RETRY_MS);
  return new Date(now.getTime() + Math.max(wait, 0));
}
