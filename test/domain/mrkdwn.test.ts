import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeMrkdwn, literalMrkdwn, slackLinkUrl } from '../../src/domain/mrkdwn.ts';

describe('escapeMrkdwn', () => {
  it.each([
    ['<!channel>', '&lt;!channel&gt;'],
    ['<!here>', '&lt;!here&gt;'],
    ['<@U123>', '&lt;@U123&gt;'],
    ['<https://evil.example|click>', '&lt;https://evil.example|click&gt;'],
    ['Fish & Chips', 'Fish &amp; Chips'],
    ['&lt; already', '&amp;lt; already'],
    ['Zürich 東京', 'Zürich 東京'],
    ['', ''],
  ])('%j → %j', (text, escaped) => {
    expect(escapeMrkdwn(text)).toBe(escaped);
  });
});

const Z = '\u200B';

describe('literalMrkdwn', () => {
  it.each([
    ['*EVIL*', `${Z}*${Z}EVIL${Z}*${Z}`],
    ['_x_ ~x~', `${Z}_${Z}x${Z}_${Z} ${Z}~${Z}x${Z}~${Z}`],
    ['`x`', `${Z}\`${Z}x${Z}\`${Z}`],
    ['https://evil.example/bare', `https:${Z}//evil.${Z}example/bare`],
    ['jane@evil.example', `jane@${Z}evil.${Z}example`],
    [':tada: party', `:${Z}tada: party`],
    ['<!channel> & co.', '&lt;!channel&gt; &amp; co.'],
    ['Adatum SA', 'Adatum SA'],
  ])('%j → %j', (text, shown) => {
    expect(literalMrkdwn(text)).toBe(shown);
  });

  it('leaves no mention, formatting pair, link, address or emoji code in any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii', maxLength: 80 }), (text) => {
        const shown = literalMrkdwn(text);
        expect(shown).not.toMatch(/[<>]/);
        // Every formatting mark stands between zero-width spaces: it can neither open nor close.
        expect(shown.replace(new RegExp(`${Z}[*_~\`]${Z}`, 'g'), '')).not.toMatch(/[*_~`]/);
        // No scheme, domain, address or emoji code stays joined.
        expect(shown).not.toMatch(/[:.@][^\s\u200B]/);
        // Exactly as written once the invisible spaces are removed.
        expect(
          shown.replaceAll(Z, '').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&'),
        ).toBe(text);
      }),
    );
  });
});

describe('slackLinkUrl', () => {
  it.each([
    [
      'https://app.hubspot.com/contacts/42/record/0-3/1001',
      'https://app.hubspot.com/contacts/42/record/0-3/1001',
    ],
    ['http://127.0.0.1:8080/main.aspx?etn=lead&id=1', 'http://127.0.0.1:8080/main.aspx?etn=lead&amp;id=1'],
    ['https://crm.example/a|<!channel>', 'https://crm.example/a%7C%3C!channel%3E'],
    ['https://crm.example/?q=<@U1>|x', 'https://crm.example/?q=%3C@U1%3E%7Cx'],
  ])('keeps %s as one link address: %s', (address, safe) => {
    expect(slackLinkUrl(address)).toBe(safe);
  });

  it.each([
    'javascript:alert(1)',
    'data:text/html,<b>x</b>',
    'mailto:someone@example.com',
    'https://evil.example|<!channel>/x',
    'not a url',
    '',
  ])('refuses %s', (address) => {
    expect(slackLinkUrl(address)).toBeNull();
  });
});
