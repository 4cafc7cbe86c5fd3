// Block Kit and mrkdwn as Slack shows them, as HTML for the playground page: the block and element
// types the bot uses (section, header, context, divider, actions, input; button, users_select,
// radio_buttons, plain_text_input, datepicker, timepicker). Every text is HTML-escaped; Slack's own
// escapes (&lt; &gt; &amp;) are shown as the characters they stand for, as Slack shows them.

/** Who and what a mention names: user ids to names, channel ids to names. */
export interface Names {
  readonly user: (id: string) => string;
  readonly channel: (id: string) => string;
}

interface TextObject {
  readonly type?: string;
  readonly text?: string;
}

interface Option {
  readonly text?: TextObject;
  readonly value?: string;
}

interface Element {
  readonly type?: string;
  readonly action_id?: string;
  readonly text?: TextObject | string;
  readonly value?: string;
  readonly style?: string;
  readonly url?: string;
  readonly options?: readonly Option[];
  readonly initial_option?: Option;
  readonly initial_user?: string;
  readonly initial_date?: string;
  readonly initial_time?: string;
  readonly initial_value?: string;
  readonly placeholder?: TextObject;
  readonly multiline?: boolean;
  readonly max_length?: number;
  readonly image_url?: string;
  readonly alt_text?: string;
}

interface Block {
  readonly type?: string;
  readonly block_id?: string;
  readonly text?: TextObject;
  readonly fields?: readonly TextObject[];
  readonly accessory?: Element;
  readonly elements?: readonly Element[];
  readonly element?: Element;
  readonly label?: TextObject;
  readonly hint?: TextObject;
  readonly optional?: boolean;
}

const ZERO_WIDTH_SPACE = '\u200B';

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Slack's escapes, undone: what the reader sees. */
const unescapeSlack = (text: string) =>
  text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');

// A formatting mark counts only at a word's edge, as in Slack: an opening mark not after nor before a
// zero-width space, a closing one not before it; that is how the bot keeps a customer's `*` `_` `~` `` ` ``
// literal, even inside its own bold text.
const BEFORE = `(^|[\\s(\\[{"'])`;
const AFTER = `(?=$|[\\s.,;:!?)\\]}"'])`;
const formatted = (mark: string, tag: string) =>
  [
    new RegExp(`${BEFORE}${mark}(?=[^\\s${ZERO_WIDTH_SPACE}])([^\\n]*?[^\\s])${mark}${AFTER}`, 'g'),
    `$1<${tag}>$2</${tag}>`,
  ] as const;
const FORMATS = [
  formatted('\\*', 'b'),
  formatted('_', 'i'),
  formatted('~', 's'),
  formatted('`', 'code'),
] as const;

/** Plain text between Slack's `<…>` sequences: escaped for HTML, then formatted. */
function formatText(text: string): string {
  let html = escapeHtml(unescapeSlack(text));
  for (const [pattern, replacement] of FORMATS) html = html.replace(pattern, replacement);
  return html.replaceAll('\n', '<br>');
}

/** One `<…>` sequence: a mention, a channel, a special mention or a link. */
function formatAngle(inner: string, names: Names): string {
  const [target = '', label] = inner.split('|', 2);
  if (target.startsWith('@'))
    return `<span class="mention">@${escapeHtml(names.user(target.slice(1)))}</span>`;
  if (target.startsWith('#'))
    return `<span class="mention">#${escapeHtml(label ?? names.channel(target.slice(1)))}</span>`;
  if (target.startsWith('!')) {
    const special = target.slice(1).split('^')[0] ?? '';
    if (special.startsWith('date')) return escapeHtml(unescapeSlack(label ?? special));
    return `<span class="mention">@${escapeHtml(special)}</span>`;
  }
  const url = unescapeSlack(target);
  const safe = /^(https?:|mailto:|tel:|#)/i.test(url) ? url : '#';
  return `<a href="${escapeHtml(safe)}" target="_blank" rel="noopener noreferrer">${escapeHtml(unescapeSlack(label ?? url))}</a>`;
}

/** Marks where a rendered `<…>` sequence goes back in (a private-use character, removed from the input). */
const PLACEHOLDER = '\uE000';

/** Slack mrkdwn as Slack shows it. */
export function mrkdwnToHtml(text: string, names: Names): string {
  // Each `<…>` sequence is rendered apart and stands in the text as a placeholder while the text is
  // formatted, so a bold span may hold a mention ("*Owned by <@U1>*") as in Slack.
  const sequences: string[] = [];
  const withPlaceholders = text.replaceAll(PLACEHOLDER, '').replace(/<([^<>]*)>/g, (_, inner: string) => {
    sequences.push(formatAngle(inner, names));
    return `\uE000${sequences.length - 1}\uE000`;
  });
  return formatText(withPlaceholders).replace(
    /\uE000(\d+)\uE000/g,
    (_, index: string) => sequences[Number(index)] ?? '',
  );
}

function textHtml(text: TextObject | string | undefined, names: Names): string {
  if (text === undefined) return '';
  if (typeof text === 'string') return escapeHtml(text);
  return text.type === 'mrkdwn'
    ? mrkdwnToHtml(text.text ?? '', names)
    : escapeHtml(text.text ?? '').replaceAll('\n', '<br>');
}

/** Where an interactive element sits: what the page sends when it is used. */
const dataOf = (element: Element, blockId: string) =>
  `data-action-id="${escapeHtml(element.action_id ?? '')}" data-block-id="${escapeHtml(blockId)}" data-type="${escapeHtml(element.type ?? '')}"`;

function optionsHtml(options: readonly Option[] | undefined, selected: string | undefined, names: Names) {
  return (options ?? [])
    .map(
      (option) =>
        `<option value="${escapeHtml(option.value ?? '')}"${option.value === selected ? ' selected' : ''}>${textHtml(option.text, names)}</option>`,
    )
    .join('');
}

function elementHtml(
  element: Element,
  blockId: string,
  names: Names,
  users: readonly { id: string; name: string }[],
): string {
  const data = dataOf(element, blockId);
  switch (element.type) {
    case 'button':
      return `<button class="button ${escapeHtml(element.style ?? '')}" ${data} data-value="${escapeHtml(element.value ?? '')}">${textHtml(element.text, names)}</button>`;
    case 'users_select':
      return `<select ${data}><option value="">${textHtml(element.placeholder ?? { text: 'Pick someone' }, names)}</option>${users
        .map(
          (user) =>
            `<option value="${escapeHtml(user.id)}"${user.id === element.initial_user ? ' selected' : ''}>${escapeHtml(user.name)}</option>`,
        )
        .join('')}</select>`;
    case 'static_select':
    case 'overflow':
      return `<select ${data}><option value="">${textHtml(element.placeholder ?? { text: '…' }, names)}</option>${optionsHtml(element.options, element.initial_option?.value, names)}</select>`;
    case 'radio_buttons':
      return `<div class="radios" ${data}>${(element.options ?? [])
        .map(
          (option) =>
            `<label><input type="radio" name="${escapeHtml(`${blockId}/${element.action_id ?? ''}`)}" value="${escapeHtml(option.value ?? '')}"${option.value === element.initial_option?.value ? ' checked' : ''}> ${textHtml(option.text, names)}</label>`,
        )
        .join('')}</div>`;
    case 'plain_text_input':
      return element.multiline
        ? `<textarea ${data} maxlength="${element.max_length ?? 3000}">${escapeHtml(element.initial_value ?? '')}</textarea>`
        : `<input type="text" ${data} maxlength="${element.max_length ?? 3000}" value="${escapeHtml(element.initial_value ?? '')}">`;
    case 'datepicker':
      return `<input type="date" ${data} value="${escapeHtml(element.initial_date ?? '')}">`;
    case 'timepicker':
      return `<input type="time" ${data} value="${escapeHtml(element.initial_time ?? '')}">`;
    case 'image':
      return `<span class="image">${escapeHtml(element.alt_text ?? '')}</span>`;
    case 'mrkdwn':
    case 'plain_text':
      return `<span>${textHtml(element as TextObject, names)}</span>`;
    default:
      return `<span class="unknown">[${escapeHtml(element.type ?? 'unknown')}]</span>`;
  }
}

/** Blocks as HTML; `users` fill user pickers. */
export function blocksToHtml(
  blocks: readonly unknown[],
  names: Names,
  users: readonly { id: string; name: string }[] = [],
): string {
  return (blocks as readonly Block[])
    .map((block, index) => {
      const blockId = block.block_id ?? `b${index}`;
      switch (block.type) {
        case 'header':
          return `<div class="block header">${textHtml(block.text, names)}</div>`;
        case 'divider':
          return '<hr class="block divider">';
        case 'section': {
          const fields = (block.fields ?? [])
            .map((field) => `<div class="field">${textHtml(field, names)}</div>`)
            .join('');
          const accessory = block.accessory
            ? `<div class="accessory">${elementHtml(block.accessory, blockId, names, users)}</div>`
            : '';
          return `<div class="block section"><div class="section-body">${textHtml(block.text, names)}${fields ? `<div class="fields">${fields}</div>` : ''}</div>${accessory}</div>`;
        }
        case 'context':
          return `<div class="block context">${(block.elements ?? []).map((element) => elementHtml(element, blockId, names, users)).join(' ')}</div>`;
        case 'actions':
          return `<div class="block actions">${(block.elements ?? []).map((element) => elementHtml(element, blockId, names, users)).join('')}</div>`;
        case 'input':
          return `<label class="block input" data-input-block="${escapeHtml(blockId)}"><span class="label">${textHtml(block.label, names)}${block.optional ? ' <em>(optional)</em>' : ''}</span>${block.element ? elementHtml(block.element, blockId, names, users) : ''}${block.hint ? `<span class="hint">${textHtml(block.hint, names)}</span>` : ''}</label>`;
        default:
          return `<div class="block unknown">[${escapeHtml(block.type ?? 'unknown')} block]</div>`;
      }
    })
    .join('');
}
