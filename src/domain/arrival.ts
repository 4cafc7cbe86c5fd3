import {
  boundedKey,
  type CustomerField,
  isClaimable,
  type Lead,
  type LeadId,
  normaliseEmail,
} from './lead.ts';

/**
 * One lead by both destinations: Partner Center sends an offer's leads to a table or to an HTTPS
 * endpoint, but an offer moved from one to the other, a second offer, or a flow copying table rows to
 * the endpoint can bring the same lead twice, as a row Microsoft wrote and as a pushed lead (row key
 * `push-…`). The rule (docs/operations.md → "Both destinations at once"): the same customer (e-mail, and the same
 * first name, last name and company), the same action and the same offer (any of ProductId, the
 * LeadSource offer part and the display name in common, ignoring case), arriving by the other path
 * within CROSS_PATH_WINDOW_MS, is the same lead: the second is not posted again. An offer's display name
 * is public and so is anyone's e-mail address, so a pushed lead naming another person or company is a
 * lead of its own, never a stand-in for Microsoft's row. Even when judged one lead, the table row is
 * Microsoft's own record: it is what the card shows, and what differs between the two is noted in the
 * thread (`differencesBetween`).
 */
export const CROSS_PATH_WINDOW_MS = 24 * 60 * 60_000;

/** The row-key prefix of leads the HTTPS endpoint stored (their key is a hash of their content). */
export const PUSHED_ROW_KEY_PREFIX = 'push-';

export interface Arrival {
  readonly leadId: LeadId;
  readonly path: 'table' | 'push';
  readonly receivedAt: Date;
  /** Every name the offer goes by on this lead, lower-cased. */
  readonly offers: readonly string[];
  /**
   * Who the customer says they are (first name, last name, company), normalised; null for arrivals
   * recorded before it was kept, which are never judged the same as another.
   */
  readonly identity: string | null;
}

const normalised = (text: string | null) => (text ?? '').trim().replace(/\s+/g, ' ').toLowerCase();

/** The person and company a lead names, compared without regard to case and spacing. */
export function identityOf(lead: Lead): string {
  const { firstName, lastName, company } = lead.customer;
  return [firstName, lastName, company].map(normalised).join('\n');
}

export function arrivalOf(lead: Lead): Arrival {
  const offers = [lead.productId, lead.offerKey, lead.offerName]
    .filter((name): name is string => name !== null && name !== '')
    .map((name) => name.trim().toLowerCase());
  return {
    leadId: lead.id,
    path: lead.id.rowKey.startsWith(PUSHED_ROW_KEY_PREFIX) ? 'push' : 'table',
    receivedAt: lead.receivedAt,
    offers: [...new Set(offers)],
    identity: identityOf(lead),
  };
}

/**
 * Where arrivals of the same customer and action meet; null when the rule cannot apply (no e-mail, or
 * a lead that is never worked: a test lead, a do-not-contact notice).
 */
export function arrivalKeyOf(lead: Lead): string | null {
  if (!isClaimable(lead) || lead.customer.email === null) return null;
  return boundedKey(
    `${normaliseEmail(lead.customer.email)}\n${lead.action === 'other' ? (lead.actionCode ?? 'other') : lead.action}`,
  );
}

/** Whether `later` is `earlier` again, by the other destination (the rule above). */
export function isSameLeadByOtherPath(earlier: Arrival, later: Arrival): boolean {
  return (
    earlier.path !== later.path &&
    earlier.identity !== null &&
    earlier.identity === later.identity &&
    Math.abs(later.receivedAt.getTime() - earlier.receivedAt.getTime()) <= CROSS_PATH_WINDOW_MS &&
    earlier.offers.some((offer) => later.offers.includes(offer))
  );
}

/** A field the two arrivals of one lead disagree on: what each path says. */
export interface ArrivalDifference {
  readonly field: CustomerField | 'description' | 'offer';
  readonly table: string | null;
  readonly pushed: string | null;
}

/** One lead by both destinations, as noted in its thread: the second arrival's path and what differs. */
export interface ArrivalNote {
  readonly later: 'table' | 'push';
  readonly differences: readonly ArrivalDifference[];
  /** True when the card switched from the pushed copy to Microsoft's table row. */
  readonly cardShowsTable: boolean;
}

const COMPARED_FIELDS: readonly CustomerField[] = ['email', 'phone', 'title', 'country'];

/**
 * What the table row (Microsoft's record) says differently from the pushed copy of the same lead:
 * fields compared ignoring case and spacing, an empty field counting as different from a filled one.
 */
export function differencesBetween(table: Lead, pushed: Lead): ArrivalDifference[] {
  const pairs: [ArrivalDifference['field'], string | null, string | null][] = [
    ...COMPARED_FIELDS.map((field): [CustomerField, string | null, string | null] => [
      field,
      table.customer[field],
      pushed.customer[field],
    ]),
    ['description', table.description?.text ?? null, pushed.description?.text ?? null],
    ['offer', table.offerName, pushed.offerName],
  ];
  return pairs
    .filter(([, fromTable, fromPush]) => normalised(fromTable) !== normalised(fromPush))
    .map(([field, fromTable, fromPush]) => ({ field, table: fromTable, pushed: fromPush }));
}
