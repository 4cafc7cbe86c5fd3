import { describe, expect, it } from 'vitest';
import { parseRulesDocument, RULES_DOCUMENT_EXAMPLE } from '../../src/domain/rules-document.ts';

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
        rotations: { C0EMEA0001: ['U0ANNA0001', 'U0BEN00001'] },
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
    ['{"rotations":{"C0123":["@anna"]}}', /rotations\.C0123 must be a list of user ids/],
    ['{"rotations":{"sales":["U0123"]}}', /"sales" is not a channel id/],
  ])('refuses %s', (text, problem) => {
    const parsed = parseRulesDocument(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems[0]).toMatch(problem);
  });
});
