import { describe, expect, it } from 'vitest';
import { truncate } from '../../../src/slack/blocks/limits.ts';

describe('truncate', () => {
  it('leaves text within the limit alone', () => {
    expect(truncate('short', 10)).toBe('short');
    expect(truncate('x'.repeat(10), 10)).toBe('x'.repeat(10));
  });

  it('cuts to the limit with a visible marker', () => {
    const cut = truncate('x'.repeat(100), 50);
    expect(cut).toHaveLength(50);
    expect(cut.endsWith('… (truncated)')).toBe(true);
  });

  it('never splits an emoji (a surrogate pair)', () => {
    const text = `${'a'.repeat(36)}😀${'b'.repeat(50)}`; // the emoji straddles the cut
    const cut = truncate(text, 50);
    expect(cut).toBe(`${'a'.repeat(36)}… (truncated)`);
    expect(cut.length).toBeLessThanOrEqual(50);
  });

  it('never splits an escaped entity', () => {
    const text = `${'a'.repeat(35)}&amp;${'b'.repeat(50)}`;
    expect(truncate(text, 50)).toBe(`${'a'.repeat(35)}… (truncated)`);
  });
});
