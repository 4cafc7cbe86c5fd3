import { describe, expect, it } from 'vitest';
import { literalMrkdwn } from '../../src/domain/mrkdwn.ts';
import { blocksToHtml, mrkdwnToHtml } from '../../src/playground/render.ts';

const names = {
  user: (id: string) => (id === 'U1' ? 'Alex <rep>' : id),
  channel: (id: string) => `chan-${id}`,
};

describe('mrkdwnToHtml', () => {
  it.each([
    [
      '*bold* and _italic_, ~struck~ and `code`',
      '<b>bold</b> and <i>italic</i>, <s>struck</s> and <code>code</code>',
    ],
    [
      '*Owned by <@U1>* since today',
      '<b>Owned by <span class="mention">@Alex &lt;rep&gt;</span></b> since today',
    ],
    [
      '<#C9> and <#C9|named>',
      '<span class="mention">#chan-C9</span> and <span class="mention">#named</span>',
    ],
    ['<!here> <!channel>', '<span class="mention">@here</span> <span class="mention">@channel</span>'],
    [
      '<https://x.example/a?b=1&amp;c=2|the link>',
      '<a href="https://x.example/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">the link</a>',
    ],
    ['<javascript:alert(1)|click>', '<a href="#" target="_blank" rel="noopener noreferrer">click</a>'],
    ['a &lt;b&gt; &amp; c', 'a &lt;b&gt; &amp; c'],
    ['line one\nline two', 'line one<br>line two'],
    ['2*3*4 is not bold', '2*3*4 is not bold'],
    ['&lt;script&gt;alert(1)&lt;/script&gt;', '&lt;script&gt;alert(1)&lt;/script&gt;'],
  ])('%j', (text, html) => {
    expect(mrkdwnToHtml(text, names)).toBe(html);
  });

  it("shows a customer's text exactly as written: no formatting, mention, link or markup", () => {
    const hostile =
      '<!channel> *buy* _now_ <https://evil.example|click> <img src=x onerror=alert(1)> & "q" \uE0000\uE000';
    const html = mrkdwnToHtml(`Company: ${literalMrkdwn(hostile)}`, names);
    expect(html).not.toMatch(/<(b|i|a|span|img)\b/);
    const shown = html
      .replaceAll('\u200B', '')
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>')
      .replaceAll('&quot;', '"')
      .replaceAll('&amp;', '&');
    expect(shown).toBe(`Company: ${hostile.replaceAll('\uE000', '')}`);
  });
});

describe('blocksToHtml', () => {
  it('renders the block and element types the bot uses, with what the page sends on use', () => {
    const html = blocksToHtml(
      [
        { type: 'header', text: { type: 'plain_text', text: 'A <b>header</b>' } },
        {
          type: 'section',
          block_id: 's1',
          text: { type: 'mrkdwn', text: '*Hi*' },
          fields: [{ type: 'mrkdwn', text: 'Field' }],
          accessory: {
            type: 'button',
            action_id: 'go',
            value: 'v"1',
            text: { type: 'plain_text', text: 'Go' },
            style: 'primary',
          },
        },
        {
          type: 'actions',
          block_id: 'a1',
          elements: [
            { type: 'users_select', action_id: 'pick', placeholder: { type: 'plain_text', text: 'Who?' } },
          ],
        },
        { type: 'context', elements: [{ type: 'mrkdwn', text: '_small_' }] },
        { type: 'divider' },
        {
          type: 'input',
          block_id: 'i1',
          optional: true,
          label: { type: 'plain_text', text: 'Note' },
          element: { type: 'plain_text_input', action_id: 'note', multiline: true, max_length: 2000 },
        },
        {
          type: 'input',
          block_id: 'i2',
          label: { type: 'plain_text', text: 'When' },
          element: { type: 'datepicker', action_id: 'on' },
        },
        { type: 'mystery' },
      ],
      names,
      [{ id: 'U1', name: 'Alex' }],
    );
    expect(html).toContain('<div class="block header">A &lt;b&gt;header&lt;/b&gt;</div>');
    expect(html).toContain('<b>Hi</b>');
    expect(html).toContain(
      'data-action-id="go" data-block-id="s1" data-type="button" data-value="v&quot;1">Go</button>',
    );
    expect(html).toContain('<option value="U1">Alex</option>');
    expect(html).toContain('<i>small</i>');
    expect(html).toContain(
      '<textarea data-action-id="note" data-block-id="i1" data-type="plain_text_input" maxlength="2000">',
    );
    expect(html).toContain(
      '<input type="date" data-action-id="on" data-block-id="i2" data-type="datepicker" value="">',
    );
    expect(html).toContain('[mystery block]');
  });
});
