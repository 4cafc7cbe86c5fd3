import type { Lead } from './lead.ts';
import type { LeadAction, LeadChannel } from './lead-source.ts';

/** A lead in plain words, for people who do not know Microsoft's codes. Our own words only: no lead text. */
export interface LeadExplanation {
  /** Short name of the stage, e.g. "Contact me" or "Test Drive started". */
  readonly stage: string;
  /** Where the customer was, e.g. "AppSource". */
  readonly where: string;
  /** What the customer did and what it means. */
  readonly whatHappened: string;
  /** What the team should do now. */
  readonly nextStep: string;
  /** Emoji that leads the message, so the stage is recognisable at a glance. */
  readonly icon: string;
}

const WHERE: Readonly<Record<LeadChannel, string>> = {
  AzureMarketplace: 'Azure Marketplace',
  AzurePortal: 'the Azure portal',
  TestDrive: 'a Test Drive',
  AppSource: 'AppSource',
  unknown: 'an unknown source',
};

const SOURCE_NAME: Readonly<Record<LeadChannel, string>> = {
  AzureMarketplace: 'Azure Marketplace',
  AzurePortal: 'Azure portal',
  TestDrive: 'Test Drive',
  AppSource: 'AppSource',
  unknown: 'unknown',
};

const STAGE: Readonly<Record<LeadAction, string>> = {
  PLT: 'Contact me',
  INS: 'Get it now',
  Create: 'Created in the Azure portal',
  StartTestDrive: 'Test Drive started',
  DNC: 'Do not contact',
  other: 'Other marketplace action',
};

const ICON: Readonly<Record<LeadAction, string>> = {
  PLT: '📨',
  INS: '📦',
  Create: '🚀',
  StartTestDrive: '🧪',
  DNC: '🚫',
  other: '❔',
};

function whatHappened(action: LeadAction, where: string): string {
  switch (action) {
    case 'PLT':
      return `The customer chose *Contact me* on ${where}: they asked to be contacted. This is the top of the funnel.`;
    case 'INS':
      return `The customer chose *Get it now* on ${where}: they have acquired the product.`;
    case 'Create':
      return `The customer created the offer in ${where}: deployment has begun.`;
    case 'StartTestDrive':
      return `The customer started a *Test Drive* from ${where}: they are trying the product right now.`;
    case 'DNC':
      return `*Do not contact.* The customer was cross-listed on your app page on ${where} and asked another partner, not you. This is for your information only.`;
    case 'other':
      return `The customer took an action on ${where} that Microsoft does not document (free trials produce such leads).`;
  }
}

/** What to do, without a deadline: the SLA in force (per action and channel) is added where it is known. */
function nextStep(action: LeadAction): string {
  switch (action) {
    case 'PLT':
      return 'Claim the lead and reply: they asked to hear from you. Read their note first and answer it personally.';
    case 'INS':
      return 'Claim the lead and offer onboarding help, so the product they just got is put to use.';
    case 'Create':
      return 'Follow up while the deployment is fresh: offer help to get it running and ask what they are building.';
    case 'StartTestDrive':
      return 'Follow up, ideally while the Test Drive is still running: offer a guided tour and answer questions.';
    case 'DNC':
      return 'No action: do not contact this customer about this request.';
    case 'other':
      return 'Review the lead and reach out if it looks like a real prospect.';
  }
}

export function explainLead(lead: Pick<Lead, 'action' | 'channel'>): LeadExplanation {
  const where = WHERE[lead.channel];
  return {
    stage: STAGE[lead.action],
    where: SOURCE_NAME[lead.channel],
    whatHappened: whatHappened(lead.action, where),
    nextStep: nextStep(lead.action),
    icon: ICON[lead.action],
  };
}

export function stageName(action: LeadAction): string {
  return STAGE[action];
}
