/** Where the customer was when Microsoft created the lead (left part of `Source-Action|Offer`). */
export type LeadChannel = 'AzureMarketplace' | 'AzurePortal' | 'TestDrive' | 'AppSource' | 'unknown';

/** What the customer did. `other` covers codes Microsoft has not documented (free trials, for one). */
export type LeadAction = 'PLT' | 'INS' | 'DNC' | 'Create' | 'StartTestDrive' | 'other';

/** The action codes Microsoft documents, as it spells them. */
export const LEAD_ACTION_CODES = ['PLT', 'INS', 'DNC', 'Create', 'StartTestDrive'] as const;

export interface DecodedLeadSource {
  /** `unknown` when the text was empty, not `Source-Action|Offer`, or names a source we do not know. */
  readonly channel: LeadChannel;
  /** The source as written, e.g. `SPZA`; null when it could not be split out. */
  readonly sourceText: string | null;
  /** The action as written in LeadSource, e.g. `StartTestDrive`; null when it could not be split out. */
  readonly actionText: string | null;
  /** The offer part: `publisherid.offerid` or the offer's display name; null when absent. */
  readonly offerText: string | null;
  /** False when the value had no `|` or no `-`: the raw text is kept and the source is shown as unknown. */
  readonly parsed: boolean;
}

const CHANNELS: Readonly<Record<string, LeadChannel>> = {
  azuremarketplace: 'AzureMarketplace',
  azureportal: 'AzurePortal',
  testdrive: 'TestDrive',
  spza: 'AppSource',
  appsource: 'AppSource',
};

const ACTIONS: Readonly<Record<string, LeadAction>> = {
  plt: 'PLT',
  ins: 'INS',
  dnc: 'DNC',
  create: 'Create',
  starttestdrive: 'StartTestDrive',
};

export function channelOf(sourceText: string | null): LeadChannel {
  return (sourceText && CHANNELS[sourceText.trim().toLowerCase()]) || 'unknown';
}

export function actionOf(actionText: string | null): LeadAction {
  return (actionText && ACTIONS[actionText.trim().toLowerCase()]) || 'other';
}

const blankToNull = (text: string): string | null => (text.trim() === '' ? null : text.trim());

/**
 * Decodes `Source-Action|Offer`. Splits once on the first `|` (offers may contain anything),
 * then the left part once on the first `-`. Never throws.
 */
export function decodeLeadSource(raw: string | null): DecodedLeadSource {
  const text = raw ?? '';
  const bar = text.indexOf('|');
  const left = bar === -1 ? text : text.slice(0, bar);
  const offerText = bar === -1 ? null : blankToNull(text.slice(bar + 1));
  const dash = left.indexOf('-');
  if (bar === -1 || dash === -1) {
    return { channel: 'unknown', sourceText: null, actionText: null, offerText, parsed: false };
  }
  const sourceText = blankToNull(left.slice(0, dash));
  const actionText = blankToNull(left.slice(dash + 1));
  return { channel: channelOf(sourceText), sourceText, actionText, offerText, parsed: true };
}
