import { describe, expect, it } from 'vitest';
import {
  type CrmLookup,
  crmCustomerQueryOf,
  parseCrmLookup,
  serialiseCrmLookup,
  websiteHost,
} from '../../src/domain/crm-customer.ts';
import { crmLookupBlock } from '../../src/slack/blocks/lead-message.ts';

describe('crmCustomerQueryOf', () => {
  it.each([
    ['ann@contoso.example', 'contoso.example'],
    ['Ann@Sales.Contoso.COM ', 'sales.contoso.com'],
    ['eve@gmail.com', null],
    ['eve@GMAIL.com', null],
    ['bob@outlook.com', null],
    ['no-at-sign', null],
    ["x@contoso.example' or 1 eq 1", null],
    ['x@localhost', null],
    ['x@%', null],
  ])('%s looks up the domain %s', (email, domain) => {
    expect(crmCustomerQueryOf(email)).toEqual({ email: email.trim(), domain });
  });
});

describe('websiteHost', () => {
  it.each([
    ['https://www.contoso.com/about', 'contoso.com'],
    ['contoso.com', 'contoso.com'],
    ['http://Shop.Contoso.com', 'shop.contoso.com'],
    ['https://notcontoso.com', 'notcontoso.com'],
    ['::::', null],
  ])('%s is %s', (website, host) => {
    expect(websiteHost(website)).toBe(host);
  });
});

describe('a stored CRM answer', () => {
  const known: CrmLookup = {
    found: {
      matchedBy: 'domain',
      name: 'Fabrikam',
      since: new Date('2021-06-01T00:00:00Z'),
      owner: { name: null, email: 'anna@team.example' },
      openDeals: 3,
      url: null,
    },
  };
  it.each([
    ['a found customer', known],
    ['a new customer', { found: null }],
  ])('reads back %s as it was kept', (_, lookup) => {
    expect(parseCrmLookup(serialiseCrmLookup(lookup))).toEqual(lookup);
  });
  it.each([
    'not json',
    '{}',
    '{"found":{"matchedBy":"phone","openDeals":1}}',
    '{"found":{"matchedBy":"email","openDeals":-1}}',
  ])('refuses %s (the card goes without)', (text) => {
    expect(parseCrmLookup(text)).toBeNull();
  });
});

describe("the card's CRM line", () => {
  const textOf = (lookup: CrmLookup) =>
    (crmLookupBlock('HubSpot', lookup) as { elements: { text: string }[] }).elements[0]?.text ?? '';
  const customer = (over: Partial<NonNullable<CrmLookup['found']>>): CrmLookup => ({
    found: {
      matchedBy: 'email',
      name: 'Dana',
      since: null,
      owner: null,
      openDeals: 0,
      url: null,
      ...over,
    },
  });

  it.each([
    [customer({}), '🗂️ *Known in HubSpot:* contact Dana · no owner · 0 open deals'],
    [
      customer({ openDeals: 1, owner: { name: null, email: 'anna@team.example' } }),
      '🗂️ *Known in HubSpot:* contact Dana · owner anna@\u200bteam.\u200bexample · 1 open deal',
    ],
    [
      customer({ matchedBy: 'domain', name: 'Fabrikam', url: 'https://crm.example/c/1' }),
      "🗂️ *Their company is in HubSpot* (by the e-mail's domain): Fabrikam · no owner · 0 open deals · <https://crm.example/c/1|Open company in HubSpot>",
    ],
    [
      customer({ url: 'javascript:alert(1)' }),
      '🗂️ *Known in HubSpot:* contact Dana · no owner · 0 open deals',
    ],
    [{ found: null }, '🆕 New to HubSpot: no contact or company there matches this customer.'],
  ])('%#: %s', (lookup, text) => {
    expect(textOf(lookup)).toBe(text);
  });

  it('cuts a CRM name to 120 characters, so the line stays within Slack’s limits', () => {
    const text = textOf(
      customer({ name: 'x'.repeat(5_000), owner: { name: '*'.repeat(5_000), email: null } }),
    );
    expect(text.length).toBeLessThan(2_000);
    expect(text).not.toContain('x'.repeat(121));
  });
});
