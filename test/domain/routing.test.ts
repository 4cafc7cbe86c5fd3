import { describe, expect, it } from 'vitest';
import { parseLeadRow } from '../../src/domain/lead.ts';
import {
  matchesPattern,
  type RoutingRule,
  routeLead,
  ruleMatches,
  testRoute,
} from '../../src/domain/routing.ts';
import { JANE, leadRow } from '../fixtures/lead-rows.ts';

const lead = (columns = {}) => parseLeadRow(leadRow(columns));

describe('matchesPattern', () => {
  it.each([
    ['contoso.*', 'contoso.lead-insights', true],
    ['contoso.*', 'fabrikam.contoso', false],
    ['*insights', 'contoso.lead-insights', true],
    ['Contoso Lead Insights', 'contoso lead insights', true],
    ['*', 'anything', true],
    ['contoso.lead', 'contoso.lead-insights', false],
    ['a.b', 'axb', false], // a dot is literal, not a regex wildcard
    ["o'brien*", "O'Brien Ltd", true],
    ['(x|y)', '(x|y)', true],
    ['x', null, false],
    ['**contoso**', 'contoso', true], // runs of stars are one star
    ['a*b*c', 'abc', true],
    ['a*b*c', 'acb', false],
    ['ab*ba', 'aba', false], // the two ends may not overlap
    ['*a*a*', 'banana', true],
    ['*x*', 'banana', false],
  ])('%j ~ %j → %s', (pattern, value, expected) => {
    expect(matchesPattern(pattern, value)).toBe(expected);
  });
});

describe('matchesPattern on hostile patterns', () => {
  it('answers at once however many stars a pattern has and however long the value is', () => {
    const started = performance.now();
    for (let stars = 30; stars <= 200; stars += 10) {
      const pattern = `${'*'.repeat(stars)}a`;
      expect(matchesPattern(pattern, 'b'.repeat(40))).toBe(false);
      expect(matchesPattern(`${'*x'.repeat(stars / 2)}*y`, 'x'.repeat(10_000))).toBe(false);
    }
    // A backtracking regex takes many seconds on the first of these alone.
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe('ruleMatches', () => {
  it.each([
    [{ offer: 'contoso.*' }, {}, true],
    [{ offer: 'Contoso Lead*' }, { ProductId: undefined }, true], // the offer name
    [{ offer: 'fabrikam.*' }, {}, false],
    [{ publisher: 'contoso' }, {}, true],
    [{ source: 'AppSource' }, { LeadSource: 'SPZA-PLT|x', ActionCode: 'PLT' }, true],
    [{ source: 'SPZA' }, { LeadSource: 'SPZA-PLT|x', ActionCode: 'PLT' }, true],
    [{ source: 'AzurePortal' }, {}, false],
    [{ action: 'StartTestDrive' }, {}, true],
    [{ action: 'create' }, { LeadSource: 'AzurePortal-Create|x', ActionCode: 'Create' }, true],
    [{ country: 'US' }, {}, true], // the lead says USA
    [{ country: 'usa' }, { CustomerInfo: JSON.stringify({ ...JANE, Country: 'US' }) }, true],
    [{ country: 'DE' }, {}, false],
    [{ country: 'US' }, { CustomerInfo: '{}' }, false],
    [{ offer: 'contoso.*', country: 'US' }, {}, true],
    [{ offer: 'contoso.*', country: 'DE' }, {}, false], // every field must match
    [{}, {}, true], // a rule with no conditions catches all
  ])('%j on %j → %s', (match, columns, expected) => {
    expect(ruleMatches({ match, channel: 'C1' }, lead(columns))).toBe(expected);
  });
});

describe('routeLead', () => {
  const rules: RoutingRule[] = [
    { match: { country: 'DE' }, channel: 'CGERMANY' },
    { match: { offer: 'contoso.*' }, channel: 'CCONTOSO' },
    { match: { offer: 'contoso.lead-*' }, channel: 'CNEVER' },
  ];

  it('lets the first matching rule win', () => {
    expect(routeLead(rules, lead(), 'CDEFAULT')).toEqual({ channel: 'CCONTOSO', rule: 2 });
    expect(routeLead(rules, lead({ CustomerInfo: JSON.stringify({ Country: 'DEU' }) }), 'CDEFAULT')).toEqual({
      channel: 'CGERMANY',
      rule: 1,
    });
  });

  it('falls back to the default channel', () => {
    expect(
      routeLead(
        rules,
        lead({ ProductId: 'other.x', OfferDisplayName: 'Other', LeadSource: 'SPZA-PLT|Other' }),
        'CDEFAULT',
      ),
    ).toEqual({
      channel: 'CDEFAULT',
      rule: null,
    });
    expect(routeLead([], lead(), 'CDEFAULT')).toEqual({ channel: 'CDEFAULT', rule: null });
  });
});

describe('testRoute (the dry run of /leads route test)', () => {
  const rules: RoutingRule[] = [
    { match: { country: 'DE' }, channel: 'CEMEA' },
    { match: { offer: 'contoso.*', source: 'AppSource' }, channel: 'CAPPS' },
    { match: { action: 'Create' }, channel: 'CCREATE' },
  ];
  it.each([
    [{ country: 'Deu' }, 'CEMEA', 1, [null]],
    [
      { offer: 'contoso.x', source: 'SPZA', country: 'FR' },
      'CAPPS',
      2,
      [{ field: 'country', pattern: 'DE' }, null],
    ],
    [
      { offer: 'fabrikam.x', action: 'Create' },
      'CCREATE',
      3,
      [{ field: 'country', pattern: 'DE' }, { field: 'offer', pattern: 'contoso.*' }, null],
    ],
    [
      { offer: 'contoso.x' },
      'CDEFAULT',
      null,
      [
        { field: 'country', pattern: 'DE' },
        { field: 'source', pattern: 'AppSource' },
        { field: 'action', pattern: 'Create' },
      ],
    ],
  ] as const)('%j → %s (rule %s)', (sample, channel, rule, failures) => {
    const result = testRoute(rules, sample, 'CDEFAULT');
    expect(result.route).toEqual({ channel, rule });
    expect(result.verdicts.map((verdict) => verdict.failed)).toEqual(failures);
  });

  it('judges a sample exactly as routeLead judges the lead it describes', () => {
    const lead = parseLeadRow(
      leadRow({ LeadSource: 'SPZA-Create|contoso.y', ActionCode: 'Create', ProductId: 'contoso.y' }),
    );
    const sample = { offer: 'contoso.y', source: 'AppSource', action: 'Create', country: 'USA' };
    expect(testRoute(rules, sample, 'CDEFAULT').route).toEqual(routeLead(rules, lead, 'CDEFAULT'));
  });
});
