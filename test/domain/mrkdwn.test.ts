import { describe, expect, it } from 'vitest';
import { escapeMrkdwn } from '../../src/domain/mrkdwn.ts';

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
