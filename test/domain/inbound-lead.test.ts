import { describe, expect, it } from 'vitest';
import { parseInboundLead } from '../../src/domain/inbound-lead.ts';
import { parseLeadRow } from '../../src/domain/lead.ts';
import { MICROSOFT_EXAMPLE } from '../fixtures/inbound-leads.ts';

const NOW = new Date('2026-11-21T08:05:09Z');

describe('parseInboundLead', () => {
  it('turns Microsoft’s example into the row Microsoft’s table writer would write', () => {
    const parsed = parseInboundLead(MICROSOFT_EXAMPLE, NOW);
    expect(parsed).toEqual({
      ok: true,
      columns: {
        LeadSource: 'AzureMarketplace-INS|Test Microsoft',
        ActionCode: 'INS',
        CustomerInfo: JSON.stringify(MICROSOFT_EXAMPLE.UserDetails),
        Description: 'Test run through Power Automate',
        OfferDisplayName: 'Test Microsoft',
        CreatedTime: '11/21/2026 08:05:09',
      },
    });
    // …which the one pipeline reads like any other lead.
    if (!parsed.ok) throw new Error('not parsed');
    const lead = parseLeadRow({
      partitionKey: '11:2F21:2F2026',
      rowKey: 'r',
      timestamp: NOW,
      ...parsed.columns,
    });
    expect(lead).toMatchObject({
      channel: 'AzureMarketplace',
      action: 'INS',
      offerName: 'Test Microsoft',
      problems: [],
    });
    expect(lead.customer).toMatchObject({ email: 'someone@contoso.com', company: 'Contoso' });
  });

  it('reads keys in any letter case', () => {
    const parsed = parseInboundLead(
      {
        userDetails: { firstname: 'Ana', EMAIL: 'a@b.example' },
        leadsource: 'SPZA',
        actioncode: 'PLT',
        offerTitle: 'X',
      },
      NOW,
    );
    expect(parsed).toMatchObject({
      ok: true,
      columns: { LeadSource: 'SPZA-PLT|X', CustomerInfo: '{"FirstName":"Ana","Email":"a@b.example"}' },
    });
  });

  it.each([
    [[], 'the body must be a JSON object'],
    ['text', 'the body must be a JSON object'],
    [null, 'the body must be a JSON object'],
    [{}, 'the body names neither a customer (UserDetails) nor an offer (OfferTitle)'],
    [{ LeadSource: 'AzureMarketplace', ActionCode: 'INS', UserDetails: {} }, 'the body names neither'],
  ])('refuses %j: %s', (body, problem) => {
    expect(parseInboundLead(body, NOW)).toEqual({ ok: false, problem: expect.stringContaining(problem) });
  });

  const leadOf = (body: unknown) => {
    const parsed = parseInboundLead(body, NOW);
    if (!parsed.ok) throw new Error(parsed.problem);
    return parseLeadRow({ partitionKey: 'p', rowKey: 'r', timestamp: NOW, ...parsed.columns });
  };

  it.each([
    // Microsoft's older documented example: no ActionCode, the table's LeadSource form.
    [
      { OfferTitle: 'Contoso', LeadSource: 'SPZA-PLT|contoso.x', UserDetails: { Email: 'a@b.example' } },
      {
        action: 'PLT',
        channel: 'AppSource',
        problems: ['ActionCode was missing: the action was read from LeadSource'],
      },
    ],
    [
      { OfferTitle: 'Contoso', LeadSource: 'AzureMarketplace', UserDetails: { Email: 'a@b.example' } },
      {
        action: 'other',
        channel: 'AzureMarketplace',
        problems: ['ActionCode was missing and LeadSource names no action: what the customer did is unknown'],
      },
    ],
    [
      { ...MICROSOFT_EXAMPLE, UserDetails: 'x' },
      { action: 'INS', offerName: 'Test Microsoft', problems: ['UserDetails was not an object'] },
    ],
    [
      { UserDetails: { Email: 'a@b.example' } },
      {
        action: 'other',
        problems: [
          'ActionCode was missing and LeadSource names no action: what the customer did is unknown',
          'LeadSource was missing: the source is unknown',
        ],
      },
    ],
  ])('accepts %j and shows what was missing', (body, expected) => {
    expect(leadOf(body)).toMatchObject(expected);
  });

  it('cuts oversize text to fit the table, with a visible marker and a note, instead of refusing the lead', () => {
    const parsed = parseInboundLead(
      { ...MICROSOFT_EXAMPLE, Description: 'd'.repeat(40_000), UserDetails: { Company: 'c'.repeat(5_000) } },
      NOW,
    );
    if (!parsed.ok) throw new Error(parsed.problem);
    for (const value of Object.values(parsed.columns)) expect(value.length).toBeLessThanOrEqual(32_000);
    const lead = leadOf({
      ...MICROSOFT_EXAMPLE,
      Description: 'd'.repeat(40_000),
      UserDetails: { Company: 'c'.repeat(5_000) },
    });
    expect(lead.customer.company).toBe(`${'c'.repeat(2_000)}… (cut)`);
    expect(lead.problems).toEqual([
      'Company was 5000 characters long: it was cut to 2000',
      'Description was 40000 characters long: it was cut to 30000',
    ]);
  });
});
