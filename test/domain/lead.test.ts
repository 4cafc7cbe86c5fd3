import { describe, expect, it } from 'vitest';
import {
  type Customer,
  conversationKeyOf,
  customerLabel,
  MAX_KEY_LENGTH,
  parseLeadRow,
} from '../../src/domain/lead.ts';
import { JANE, leadRow } from '../fixtures/lead-rows.ts';

describe('parseLeadRow', () => {
  it('reads a well-formed row completely', () => {
    const row = leadRow({ Description: 'Please call me' }, new Date('2025-11-15T20:02:53Z'));
    const lead = parseLeadRow(row);
    expect(lead).toEqual({
      id: { partitionKey: '11:2F15:2F2025', rowKey: row.rowKey },
      receivedAt: new Date('2025-11-15T20:02:53Z'),
      createdAt: new Date('2025-11-15T20:02:52Z'),
      channel: 'AzureMarketplace',
      action: 'StartTestDrive',
      actionCode: 'StartTestDrive',
      leadSourceText: 'AzureMarketplace-StartTestDrive|Contoso Lead Insights',
      offerKey: 'contoso.lead-insights',
      offerName: 'Contoso Lead Insights',
      productId: 'contoso.lead-insights',
      publisher: 'Contoso',
      customer: {
        firstName: 'Jane',
        lastName: 'Doe',
        email: 'jane.doe@fabrikam.example',
        phone: '4255550100',
        country: 'USA',
        company: 'Fabrikam',
        title: 'CTO',
      },
      description: { kind: 'note', text: 'Please call me' },
      customerInfoUnreadable: false,
      isTest: false,
      isDoNotContact: false,
      missing: [],
      problems: [],
    });
  });

  it.each([
    ['SPZA-PLT|Contoso', 'PLT', 'AppSource', 'PLT'],
    ['AzureMarketplace-INS|contoso.x', 'INS', 'AzureMarketplace', 'INS'],
    ['SPZA-INS|Contoso', 'INS', 'AppSource', 'INS'],
    ['AzurePortal-Create|contoso.x', 'Create', 'AzurePortal', 'Create'],
    ['AzureMarketplace-StartTestDrive|x', 'StartTestDrive', 'AzureMarketplace', 'StartTestDrive'],
    ['TestDrive-StartTestDrive|x', 'StartTestDrive', 'TestDrive', 'StartTestDrive'],
    ['SPZA-DNC|Contoso', 'DNC', 'AppSource', 'DNC'],
    ['AzureMarketplace-FreeTrial|x', 'FreeTrial', 'AzureMarketplace', 'other'],
    // the ActionCode column wins; LeadSource's action is the fallback
    ['SPZA-PLT|Contoso', undefined, 'AppSource', 'PLT'],
    ['SPZA-PLT|Contoso', 'INS', 'AppSource', 'INS'],
  ])('LeadSource %j with ActionCode %j → %s / %s', (leadSource, actionCode, channel, action) => {
    const lead = parseLeadRow(leadRow({ LeadSource: leadSource, ActionCode: actionCode }));
    expect({ channel: lead.channel, action: lead.action, problems: lead.problems }).toEqual({
      channel,
      action,
      problems: [],
    });
  });

  it('marks DNC leads as do-not-contact', () => {
    expect(parseLeadRow(leadRow({ LeadSource: 'SPZA-DNC|x', ActionCode: 'DNC' })).isDoNotContact).toBe(true);
  });

  it.each([
    [
      { ProductId: 'contoso.a', LeadSource: 'SPZA-PLT|Offer B', OfferDisplayName: 'Offer C' },
      'contoso.a',
      'Offer C',
    ],
    [
      { ProductId: undefined, LeadSource: 'SPZA-PLT|Offer B', OfferDisplayName: 'Offer C' },
      'Offer B',
      'Offer C',
    ],
    [{ ProductId: undefined, LeadSource: 'SPZA-PLT', OfferDisplayName: 'Offer C' }, 'Offer C', 'Offer C'],
    [
      { ProductId: 'contoso.a', LeadSource: 'SPZA-PLT', OfferDisplayName: undefined },
      'contoso.a',
      'contoso.a',
    ],
    [{ ProductId: '', LeadSource: '', OfferDisplayName: '' }, null, null],
  ])('offer from %j → key %j, name %j', (columns, offerKey, offerName) => {
    const lead = parseLeadRow(leadRow(columns));
    expect({ offerKey: lead.offerKey, offerName: lead.offerName }).toEqual({ offerKey, offerName });
  });

  it.each([
    ['{not json', 'CustomerInfo is not valid JSON'],
    ['"just a string"', 'CustomerInfo is not a JSON object'],
    ['[1,2]', 'CustomerInfo is not a JSON object'],
    ['null', 'CustomerInfo is not a JSON object'],
  ])('CustomerInfo %j is malformed: %s, and the lead is still made', (customerInfo, problem) => {
    const lead = parseLeadRow(leadRow({ CustomerInfo: customerInfo }));
    expect(lead.problems).toEqual([problem]);
    expect(lead.customerInfoUnreadable).toBe(true);
    expect(lead.missing).toHaveLength(7);
    expect(lead.offerName).toBe('Contoso Lead Insights');
  });

  it.each([[undefined], [''], ['  ']])(
    'CustomerInfo %j is empty, not malformed: everything is missing',
    (customerInfo) => {
      const lead = parseLeadRow(leadRow({ CustomerInfo: customerInfo }));
      expect(lead.problems).toEqual([]);
      expect(lead.missing).toEqual([
        'firstName',
        'lastName',
        'email',
        'phone',
        'company',
        'title',
        'country',
      ]);
    },
  );

  it('reads CustomerInfo keys in any letter case, blanks as missing and numbers as text', () => {
    const lead = parseLeadRow(
      leadRow({ CustomerInfo: '{"firstname":"Ana","EMAIL":"a@b.example","Phone":4255550100,"Title":"  "}' }),
    );
    expect(lead.customer).toMatchObject({
      firstName: 'Ana',
      email: 'a@b.example',
      phone: '4255550100',
      title: null,
    });
    expect(lead.missing).toEqual(['lastName', 'company', 'title', 'country']);
  });

  it.each([
    [undefined, null],
    ['', null],
    [' ', null],
    ['Campaigns: ', null],
    ['campaigns:', null],
    ['We need 40 seats', { kind: 'note', text: 'We need 40 seats' }],
    ['{"utm_source":"newsletter","id":7}', { kind: 'parameters', text: 'utm_source=newsletter, id=7' }],
    ['{}', null],
    ['{not json but a note}', { kind: 'note', text: '{not json but a note}' }],
  ])('Description %j → %j', (description, expected) => {
    expect(parseLeadRow(leadRow({ Description: description })).description).toEqual(expected);
  });

  it.each([
    [{ LeadSource: 'SPZA-PLT|MSFT_TEST_638960000000000000' }],
    [{ CustomerInfo: JSON.stringify({ Email: 'msft_test_638960000000000000@test.com' }) }],
    [{ Description: 'MSFT_TEST_1' }],
    [{ OfferDisplayName: 'Msft_Test_Offer' }],
  ])('recognises a test lead by MSFT_TEST in any field, any case: %j', (columns) => {
    expect(parseLeadRow(leadRow(columns)).isTest).toBe(true);
  });

  it('is not a test lead otherwise', () => {
    expect(parseLeadRow(leadRow()).isTest).toBe(false);
  });

  it.each([
    [{ LeadSource: undefined }, ['LeadSource is empty']],
    [{ LeadSource: 'Contoso Lead Insights' }, ['LeadSource is not in the form Source-Action|Offer']],
    [{ CreatedTime: 'last Tuesday' }, ['CreatedTime could not be read']],
    [
      { LeadSource: 'garbage', CustomerInfo: '{', CreatedTime: '??' },
      [
        'LeadSource is not in the form Source-Action|Offer',
        'CustomerInfo is not valid JSON',
        'CreatedTime could not be read',
      ],
    ],
  ])('describes what is malformed in %j', (columns, problems) => {
    const lead = parseLeadRow(leadRow(columns));
    expect(lead.problems).toEqual(problems);
    expect(lead.receivedAt).toEqual(new Date('2025-11-15T20:02:53Z'));
  });

  it('keeps an unparsed LeadSource as written and labels the source unknown', () => {
    const lead = parseLeadRow(leadRow({ LeadSource: 'Contoso Lead Insights', ActionCode: 'INS' }));
    expect(lead).toMatchObject({
      channel: 'unknown',
      action: 'INS',
      leadSourceText: 'Contoso Lead Insights',
    });
  });

  it('falls back from an unreadable CreatedTime to nothing, keeping the Timestamp', () => {
    const lead = parseLeadRow(leadRow({ CreatedTime: 'garbage' }));
    expect(lead.createdAt).toBeNull();
  });

  it.each([
    ['columns of other types', { LeadSource: 42 as unknown as string }],
    ['an object in a text column', { Description: { a: 1 } as unknown as string }],
  ])('never throws on %s', (_, columns) => {
    expect(() => parseLeadRow(leadRow(columns))).not.toThrow();
  });
});

describe('conversationKeyOf', () => {
  const keyOf = (customer: object, columns = {}) =>
    conversationKeyOf(parseLeadRow(leadRow({ CustomerInfo: JSON.stringify(customer), ...columns })));

  it('is the same for the same e-mail in another letter case and with spaces, for the same offer', () => {
    expect(keyOf({ Email: ' Jane.Doe@Fabrikam.example ' })).toBe(
      keyOf({ Email: 'jane.doe@fabrikam.example' }),
    );
  });

  it('differs across offers', () => {
    expect(keyOf(JANE, { ProductId: 'contoso.a' })).not.toBe(keyOf(JANE, { ProductId: 'contoso.b' }));
  });

  it('gives a lead without an e-mail a conversation of its own', () => {
    const row = leadRow({ CustomerInfo: '{}' });
    expect(conversationKeyOf(parseLeadRow(row))).toBe(`lead\n11:2F15:2F2025\n${row.rowKey}`);
  });

  it.each([
    ['a test lead', JANE, { Description: 'MSFT_TEST_1' }],
    ['a do-not-contact notice', JANE, { LeadSource: 'SPZA-DNC|x', ActionCode: 'DNC' }],
  ])('is null for %s: it is shown, never worked', (_, customer, columns) => {
    expect(keyOf(customer, columns)).toBeNull();
  });
});

describe('customerLabel', () => {
  const customer = (fields: Partial<Customer>): Customer => ({
    firstName: null,
    lastName: null,
    email: null,
    phone: null,
    country: null,
    company: null,
    title: null,
    ...fields,
  });
  it.each([
    [{ firstName: 'Ines', lastName: 'Moreau', company: 'Adatum SA' }, 'Ines Moreau · Adatum SA'],
    [{ firstName: 'Ines', company: 'Adatum SA' }, 'Ines · Adatum SA'],
    [{ company: 'Adatum SA', email: 'ines@adatum.example' }, 'Adatum SA'],
    [{ lastName: 'Moreau', email: 'ines@adatum.example' }, 'Moreau'],
    [{ email: 'ines@adatum.example' }, 'ines@adatum.example'],
    [{}, 'Unknown customer'],
  ])('%j → %j', (fields, label) => {
    expect(customerLabel(customer(fields))).toBe(label);
  });
});

describe('conversationKeyOf with a stranger’s oversize e-mail and offer', () => {
  const huge = (email: string, productId: string) =>
    conversationKeyOf(
      parseLeadRow(
        leadRow({ CustomerInfo: JSON.stringify({ ...JANE, Email: email }), ProductId: productId }),
      ),
    ) ?? '';
  it('stays short enough to store, and still tells customers apart', () => {
    const email = `${'a'.repeat(5_000)}@x.example`;
    const key = huge(email, 'p'.repeat(32_000));
    expect(key.length).toBeLessThanOrEqual(MAX_KEY_LENGTH);
    expect(huge(email.toUpperCase(), 'p'.repeat(32_000))).toBe(key); // the same customer, however written
    expect(huge(email, `${'p'.repeat(31_999)}q`)).not.toBe(key); // another offer, differing at the very end
  });
});
