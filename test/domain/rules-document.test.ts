import { describe, expect, it } from 'vitest';
import {
  parseRulesDocument,
  RULES_DOCUMENT_EXAMPLE,
  rulesDocumentJson,
} from '../../src/domain/rules-document.ts';

describe('parseRulesDocument', () => {
  it('accepts its own example', () => {
    const parsed = parseRulesDocument(RULES_DOCUMENT_EXAMPLE);
    expect(parsed).toEqual({
      ok: true,
      document: {
        routes: [
          { match: { offer: 'contoso.*', country: 'DE' }, channel: 'C0EMEA0001' },
          { match: { action: 'StartTestDrive' }, channel: 'C0TRIALS01' },
        ],
        rotations: {
          C0EMEA0001: [{ userId: 'U0ANNA0001' }, { userId: 'U0BEN00001', weight: 2, cap: 10 }],
        },
        acceptance: { C0EMEA0001: { minutes: 15, maxHops: 2 } },
        crm: { fieldMap: { offer: 'marketplace_offer', action: 'marketplace_action' } },
        sla: { claimMinutes: 5, firstTouchMinutes: { PLT: 60, Create: 30 } },
      },
    });
  });

  it('writes what it reads: export and import round-trip, weights, caps and acceptance included', () => {
    const parsed = parseRulesDocument(RULES_DOCUMENT_EXAMPLE);
    if (!parsed.ok) throw new Error(parsed.problems.join('; '));
    expect(parseRulesDocument(JSON.stringify(rulesDocumentJson(parsed.document)))).toEqual(parsed);
    expect(
      rulesDocumentJson({ routes: [], rotations: { C0X: [{ userId: 'U0A' }] }, acceptance: {} }),
    ).toEqual({
      routes: [],
      rotations: { C0X: ['U0A'] },
    });
  });

  it('leaves the CRM field map alone when the document does not name it, and clears it with an empty one', () => {
    expect(parseRulesDocument('{"routes":[]}')).toEqual({
      ok: true,
      document: { routes: [], rotations: {}, acceptance: {} },
    });
    expect(parseRulesDocument('{"crm":{"fieldMap":{}}}')).toMatchObject({
      ok: true,
      document: { crm: { fieldMap: {} } },
    });
  });

  it('reads the speed-to-lead tiers: action codes in any case, null for a claim SLA that is off', () => {
    expect(parseRulesDocument('{"sla":{"claimMinutes":null,"firstTouchMinutes":{"plt":15}}}')).toEqual({
      ok: true,
      document: {
        routes: [],
        rotations: {},
        acceptance: {},
        sla: { claimMinutes: null, firstTouchMinutes: { PLT: 15 } },
      },
    });
  });

  it.each([
    ['{', /^not valid JSON/],
    ['[]', /must be a JSON object/],
    ['{"routes":{}}', /"routes" must be a list/],
    ['{"routes":[{"match":{"offer":"x"},"channel":"#sales"}]}', /routes\[0\]\.channel must be a channel id/],
    ['{"routes":[{"match":{"colour":"x"},"channel":"C0123"}]}', /routes\[0\]\.match\.colour is not one of/],
    [
      '{"routes":[{"match":{"offer":""},"channel":"C0123"}]}',
      /routes\[0\]\.match\.offer must be a non-empty/,
    ],
    ['{"routes":[{"channel":"C0123"}]}', /routes\[0\]\.match must be an object/],
    ['{"rotations":{"C0123":["@anna"]}}', /rotations\.C0123\[0\] must be a user id like U0123456789/],
    ['{"rotations":{"C0123":"U0123"}}', /rotations\.C0123 must be a list of user ids/],
    [
      '{"rotations":{"C0123":[{"user":"U0123","weight":11}]}}',
      /rotations\.C0123\[0\]\.weight must be a whole number from 1 to 10/,
    ],
    [
      '{"rotations":{"C0123":[{"user":"U0123","cap":0}]}}',
      /rotations\.C0123\[0\]\.cap must be a whole number/,
    ],
    [
      '{"rotations":{"C0123":["U0123"]},"acceptance":{"C0123":{"minutes":15}}}',
      /acceptance\.C0123 must be like/,
    ],
    [
      '{"acceptance":{"C0999":{"minutes":15,"hops":1}}}',
      /acceptance\.C0999 names a channel without a rotation/,
    ],
    ['{"rotations":{"sales":["U0123"]}}', /"sales" is not a channel id/],
    ...['constructor', 'toString', '__proto__'].map((key): [string, RegExp] => [
      `{"rotations":{"C0123":["U0123"]},"acceptance":{"${key}":{"minutes":15,"hops":1}}}`,
      new RegExp(`acceptance\\.${key} names a channel without a rotation`),
    ]),
    [
      '{"rotations":{"C0123":["U0123"]},"acceptance":{"C0123":{"minutes":129601,"hops":1}}}',
      /acceptance\.C0123 must be like .*minutes 1 to 129600/,
    ],
    ['{"sla":[]}', /"sla" must be an object like/],
    ['{"sla":{"claim":5}}', /sla\.claim is not a speed-to-lead tier/],
    ['{"sla":{"claimMinutes":0}}', /sla\.claimMinutes must be whole minutes from 1 to 129600, or null/],
    ['{"sla":{"claimMinutes":"5m"}}', /sla\.claimMinutes must be whole minutes/],
    ['{"sla":{"firstTouchMinutes":60}}', /sla\.firstTouchMinutes must be an object of action codes/],
    ['{"sla":{"firstTouchMinutes":{"Trial":60}}}', /sla\.firstTouchMinutes\.Trial: "Trial" is not an action/],
    ['{"sla":{"firstTouchMinutes":{"DNC":60}}}', /sla\.firstTouchMinutes\.DNC: DNC leads are never chased/],
    ['{"sla":{"firstTouchMinutes":{"PLT":1.5}}}', /sla\.firstTouchMinutes\.PLT must be whole minutes/],
    ['{"crm":[]}', /"crm" must be an object/],
    ['{"crm":{"fields":{}}}', /crm\.fields is not a CRM setting/],
    ['{"crm":{"fieldMap":"offer"}}', /crm\.fieldMap must be an object like/],
    [
      '{"crm":{"fieldMap":{"colour":"x"}}}',
      /crm\.fieldMap\.colour: not a marketplace field; the fields are offer, offerId/,
    ],
    [
      '{"crm":{"fieldMap":{"companySize":"company_size"}}}',
      /crm\.fieldMap\.companySize: Microsoft's leads do not say the company's size/,
    ],
    ['{"crm":{"fieldMap":{"offer":"offer name"}}}', /crm\.fieldMap\.offer must be a CRM property's API name/],
    ['{"crm":{"fieldMap":{"offer":"<script>"}}}', /crm\.fieldMap\.offer must be a CRM property's API name/],
    ['{"crm":{"fieldMap":{"offer":7}}}', /crm\.fieldMap\.offer must be a CRM property's API name/],
    [
      `{"crm":{"fieldMap":{"offer":"${'x'.repeat(101)}"}}}`,
      /crm\.fieldMap\.offer must be a CRM property's API name/,
    ],
    [
      '{"crm":{"fieldMap":{"country":"Country"}}}',
      /crm\.fieldMap\.country: "Country" is a property the bot writes itself/,
    ],
    [
      '{"crm":{"fieldMap":{"offer":"DealStage"}}}',
      /crm\.fieldMap\.offer: "DealStage" is a property the bot writes itself/,
    ],
    [
      '{"crm":{"fieldMap":{"offer":"marketplace","action":"Marketplace"}}}',
      /crm\.fieldMap\.action: "Marketplace" already gets offer/,
    ],
    ['{"crm":{"fieldMap":{"__proto__":"x"}}}', /crm\.fieldMap\.__proto__: not a marketplace field/],
  ])('refuses %s', (text, problem) => {
    const parsed = parseRulesDocument(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems[0]).toMatch(problem);
  });
});
