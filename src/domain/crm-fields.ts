import type { Lead } from './lead.ts';

/**
 * The marketplace fields an admin can also write to CRM properties of their choosing (the rules
 * document's `crm.fieldMap`), each as Microsoft wrote it.
 */
export const CRM_SOURCE_FIELDS = {
  offer: 'the offer name (OfferDisplayName)',
  offerId: "the offer's id (ProductId)",
  action: 'the action code, e.g. FreeTrial or ContactMe',
  leadSource: 'LeadSource as written, e.g. AzureMarketplace-FreeTrial|contoso.analytics',
  country: "the customer's country",
  description: 'what the customer wrote, or their campaign parameters',
} as const;

export type CrmSourceField = keyof typeof CRM_SOURCE_FIELDS;

/** Marketplace field → the CRM property that also gets its value. Empty by default. */
export type CrmFieldMap = Readonly<Partial<Record<CrmSourceField, string>>>;

/**
 * A CRM property's API name: HubSpot's internal names (`marketplace_offer`), Salesforce's API names
 * (`Marketplace_Offer__c`), Dataverse's logical names (`new_marketplaceoffer`).
 */
const PROPERTY_NAME = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;

/**
 * The properties the bot writes itself in one of the CRMs (compared without case): mapping a field
 * onto one would overwrite what the bot wrote there, or be overwritten by it.
 */
const WRITTEN_BY_THE_BOT = new Set(
  [
    // HubSpot contact and deal
    'email',
    'firstname',
    'lastname',
    'phone',
    'company',
    'jobtitle',
    'country',
    'dealname',
    'pipeline',
    'dealstage',
    'description',
    'hubspot_owner_id',
    'marketplace_lead_key',
    // Salesforce Lead
    'title',
    'leadsource',
    'status',
    'ownerid',
    'marketplace_lead_key__c',
    // Dataverse lead
    'leadid',
    'subject',
    'emailaddress1',
    'telephone1',
    'companyname',
    'address1_country',
    'statecode',
    'statuscode',
  ].map((name) => name.toLowerCase()),
);

/** Fields people ask for that Microsoft's lead format does not have, with why. */
const NOT_IN_THE_LEAD: Readonly<Record<string, string>> = {
  companySize:
    "Microsoft's leads do not say the company's size (CustomerInfo holds FirstName, LastName, Email, Phone, Country, Company and Title)",
};

/** An example of `crm.fieldMap`, for messages and docs. */
export const CRM_FIELD_MAP_EXAMPLE = '{ "offer": "marketplace_offer", "action": "marketplace_action" }';

/**
 * Checks `crm.fieldMap` of a rules document; each problem names the field. Returns the map when
 * it is usable (problems may still be reported for the rest of the document).
 */
export function parseCrmFieldMap(raw: unknown, where: string, problems: string[]): CrmFieldMap {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push(`${where} must be an object like ${CRM_FIELD_MAP_EXAMPLE}`);
    return {};
  }
  const map: Partial<Record<CrmSourceField, string>> = {};
  const targets = new Map<string, string>();
  for (const [field, property] of Object.entries(raw)) {
    if (!Object.hasOwn(CRM_SOURCE_FIELDS, field)) {
      problems.push(
        `${where}.${field}: ${Object.hasOwn(NOT_IN_THE_LEAD, field) ? NOT_IN_THE_LEAD[field] : 'not a marketplace field'}; the fields are ${Object.keys(CRM_SOURCE_FIELDS).join(', ')}`,
      );
      continue;
    }
    if (typeof property !== 'string' || !PROPERTY_NAME.test(property)) {
      problems.push(
        `${where}.${field} must be a CRM property's API name: a letter, then letters, digits or _ (at most 100), like "marketplace_${field.toLowerCase()}"`,
      );
      continue;
    }
    const lower = property.toLowerCase();
    if (WRITTEN_BY_THE_BOT.has(lower)) {
      problems.push(`${where}.${field}: "${property}" is a property the bot writes itself; name another`);
      continue;
    }
    const other = targets.get(lower);
    if (other !== undefined) {
      problems.push(`${where}.${field}: "${property}" already gets ${other}; each property takes one field`);
      continue;
    }
    targets.set(lower, field);
    map[field as CrmSourceField] = property;
  }
  return map;
}

/** The mapped properties' values for a lead: only the fields Microsoft gave (nothing is blanked). */
export function mappedFieldsOf(lead: Lead, map: CrmFieldMap): Record<string, string> {
  const values: Readonly<Record<CrmSourceField, string | null>> = {
    offer: lead.offerName,
    offerId: lead.productId ?? lead.offerKey,
    action: lead.actionCode,
    leadSource: lead.leadSourceText,
    country: lead.customer.country,
    description: lead.description?.text ?? null,
  };
  const fields: Record<string, string> = {};
  for (const [field, property] of Object.entries(map) as [CrmSourceField, string][]) {
    const value = values[field];
    if (value !== null && value !== '') fields[property] = value;
  }
  return fields;
}
