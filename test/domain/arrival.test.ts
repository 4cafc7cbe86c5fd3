import { describe, expect, it } from 'vitest';
import {
  type Arrival,
  arrivalKeyOf,
  arrivalOf,
  differencesBetween,
  isSameLeadByOtherPath,
} from '../../src/domain/arrival.ts';
import { parseLeadRow } from '../../src/domain/lead.ts';
import { JANE, leadRow } from '../fixtures/lead-rows.ts';

const at = new Date('2026-11-30T10:00:00Z');
const arrival = (overrides: Partial<Arrival> = {}): Arrival => ({
  leadId: { partitionKey: '11:2F30:2F2026', rowKey: 'a' },
  path: 'table',
  receivedAt: at,
  offers: ['contoso.lead-insights', 'contoso lead insights'],
  identity: 'jane\ndoe\ncontoso',
  ...overrides,
});
const minutes = (n: number) => new Date(at.getTime() + n * 60_000);

describe('one lead by both destinations', () => {
  it.each([
    [
      'the other path, minutes later, an offer name in common',
      { path: 'push', receivedAt: minutes(3), offers: ['contoso lead insights'] },
      true,
    ],
    ['the other path, earlier (the push came first)', { path: 'push', receivedAt: minutes(-30) }, true],
    ['the other path, 23 h 59 min later', { path: 'push', receivedAt: minutes(24 * 60 - 1) }, true],
    [
      'the other path, 24 h 1 min later: a new lead',
      { path: 'push', receivedAt: minutes(24 * 60 + 1) },
      false,
    ],
    [
      'the same path: a lead of its own (the customer acted twice)',
      { path: 'table', receivedAt: minutes(3) },
      false,
    ],
    ['the other path, another offer', { path: 'push', offers: ['fabrikam backup'] }, false],
    [
      'the other path naming another company: a lead of its own, never a stand-in for the row',
      { path: 'push', identity: 'jane\ndoe\nevil corp' },
      false,
    ],
    ['the other path naming another person', { path: 'push', identity: 'mallory\ndoe\ncontoso' }, false],
    ['an arrival recorded before identities were kept', { path: 'push', identity: null }, false],
  ] as const)('%s → same lead: %s', (_, later, same) => {
    expect(
      isSameLeadByOtherPath(
        arrival(),
        arrival({ ...later, leadId: { partitionKey: 'p', rowKey: 'push-1' } }),
      ),
    ).toBe(same);
  });

  it('knows a pushed lead by its row key, and lists every name of the offer once, lower-cased', () => {
    const row = leadRow({ ProductId: 'Contoso.Lead-Insights', OfferDisplayName: 'Contoso Lead Insights' });
    expect(arrivalOf(parseLeadRow(row))).toMatchObject({ path: 'table' });
    expect(arrivalOf(parseLeadRow({ ...row, rowKey: 'push-abc' }))).toMatchObject({ path: 'push' });
    expect(arrivalOf(parseLeadRow(row)).offers).toEqual(['contoso.lead-insights', 'contoso lead insights']);
  });

  it('compares who the customer is without regard to case and spacing', () => {
    const row = leadRow({});
    const shouting = leadRow({
      CustomerInfo: JSON.stringify({
        ...JANE,
        FirstName: `  ${(JANE.FirstName ?? '').toUpperCase()} `,
        Company: (JANE.Company ?? '').toUpperCase(),
      }),
    });
    expect(arrivalOf(parseLeadRow(shouting)).identity).toBe(arrivalOf(parseLeadRow(row)).identity);
  });

  it.each([
    ['nothing differs', {}, []],
    [
      'the pushed copy changed the phone and the note',
      {
        CustomerInfo: JSON.stringify({ ...JANE, Phone: '+1 555 0100' }),
        Description: 'Not interested any more, do not call',
      },
      ['phone', 'description'],
    ],
    [
      'the pushed copy left the title out',
      { CustomerInfo: JSON.stringify({ ...JANE, Title: '' }) },
      ['title'],
    ],
  ])('differences between the table row and its pushed copy: %s', (_, pushedColumns, fields) => {
    const table = parseLeadRow(leadRow({}));
    const pushed = parseLeadRow({ ...leadRow(pushedColumns), rowKey: 'push-1' });
    const differences = differencesBetween(table, pushed);
    expect(differences.map((difference) => difference.field)).toEqual(fields);
    for (const difference of differences) {
      expect(difference.table).not.toBe(difference.pushed);
    }
  });

  it.each([
    ['a lead with an e-mail', {}, `${(JANE.Email ?? '').toLowerCase()}\nStartTestDrive`],
    ['no e-mail', { CustomerInfo: JSON.stringify({ ...JANE, Email: '' }) }, null],
    ['a do-not-contact notice', { LeadSource: 'SPZA-DNC|x', ActionCode: 'DNC' }, null],
  ])('key of %s', (_, columns, key) => {
    expect(arrivalKeyOf(parseLeadRow(leadRow(columns)))).toBe(key);
  });
});
