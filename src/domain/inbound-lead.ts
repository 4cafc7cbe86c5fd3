// Microsoft's HTTPS-endpoint destination POSTs one JSON lead per request (shared/marketplace-leads.md):
// { UserDetails: {FirstName, …}, LeadSource: "AzureMarketplace", ActionCode: "INS", OfferTitle, Description }.
// Key case varies in Microsoft's own examples (`userDetails`), so keys are read case-insensitively.
// The lead is turned into the row Microsoft's table writer would have written, so one pipeline posts both.

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

/** PartitionKey as Microsoft writes it: the date `M/d/yyyy` with `/` as `:2F`. */
export function leadPartitionKey(now: Date): string {
  return `${now.getUTCMonth() + 1}:2F${now.getUTCDate()}:2F${now.getUTCFullYear()}`;
}

/**
 * Reads the JSON body of a pushed lead into table columns. Refuses, with a reason, a body that is not an
 * object or lacks what makes it a lead (UserDetails, LeadSource, ActionCode, OfferTitle).
 */
export function parseInboundLead(
  body: unknown,
  now: Date,
): { ok: true; columns: LeadColumns } | { ok: false; problem: string } {
  const fields = lowerKeys(body);
  if (fields === null) return { ok: false, problem: 'the body must be a JSON object' };
  const user = lowerKeys(fields.get('userdetails'));
  const source = text(fields.get('leadsource'));
  const action = text(fields.get('actioncode'));
  const offer = text(fields.get('offertitle'));
  const missing = [
    ...(user === null ? ['UserDetails (an object)'] : []),
    ...(source === null ? ['LeadSource'] : []),
    ...(action === null ? ['ActionCode'] : []),
    ...(offer === null ? ['OfferTitle'] : []),
  ];
  if (missing.length > 0) return { ok: false, problem: `missing ${missing.join(', ')}` };
  const customer = Object.fromEntries(
    CUSTOMER_KEYS.flatMap((key) => {
      const value = text(user?.get(key.toLowerCase()));
      return value === null ? [] : [[key, value]];
    }),
  );
  return {
    ok: true,
    columns: {
      LeadSource: `${source}-${action}|${offer}`,
      ActionCode: action ?? '',
      CustomerInfo: JSON.stringify(customer),
      Description: text(fields.get('description')) ?? '',
      OfferDisplayName: offer ?? '',
      CreatedTime: createdTimeText(now),
    },
  };
}
