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
    [{}, 'missing UserDetails (an object), LeadSource, ActionCode, OfferTitle'],
    [{ ...MICROSOFT_EXAMPLE, UserDetails: 'x' }, 'missing UserDetails (an object)'],
    [{ ...MICROSOFT_EXAMPLE, ActionCode: ' ' }, 'missing ActionCode'],
  ])('refuses %j: %s', (body, problem) => {
    expect(parseInboundLead(body, NOW)).toEqual({ ok: false, problem });
  });
});
