import { boundedKey, isClaimable, type Lead, type LeadId, normaliseEmail } from './lead.ts';

/**
 * One lead by both destinations: Partner Center sends an offer's leads to a table or to an HTTPS
 * endpoint, but an offer moved from one to the other, a second offer, or a flow copying table rows to
 * the endpoint can bring the same lead twice, as a row Microsoft wrote and as a pushed lead (row key
 * `push-…`). The rule (README → "Both destinations at once"): the same customer (e-mail), the same
 * action and the same offer (any of ProductId, the LeadSource offer part and the display name in
 * common, ignoring case), arriving by the other path within CROSS_PATH_WINDOW_MS, is the same lead:
 * the second is recorded as posted with the first one's message, not posted again.
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
    Math.abs(later.receivedAt.getTime() - earlier.receivedAt.getTime()) <= CROSS_PATH_WINDOW_MS &&
    earlier.offers.some((offer) => later.offers.includes(offer))
  );
}
