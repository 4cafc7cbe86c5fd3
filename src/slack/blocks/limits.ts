/** Slack's Block Kit limits that this bot can reach, in one place. */
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  blocksPerView: 100,
  sectionText: 3000,
  sectionFieldText: 2000,
  sectionFields: 10,
  headerText: 150,
  contextElementText: 2000,
  buttonValue: 2000,
  buttonText: 75,
  contextElements: 10,
  actionElements: 25,
  actionId: 255,
  blockId: 255,
  /** Slack truncates the fallback text of a message at 40,000; 4,000 keeps notifications readable. */
  fallbackText: 4000,
} as const;

const MARKER = '… (truncated)';

/**
 * Cuts text to at most `max` UTF-16 units with a visible marker, never splitting a surrogate pair
 * (emoji, non-Latin scripts), an HTML entity written by escapeMrkdwn, or one of our own `<…>` tokens
 * (a mention, a date, a link).
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = Math.max(0, max - MARKER.length);
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  const entityStart = text.lastIndexOf('&', cut - 1);
  if (entityStart !== -1 && cut - entityStart < 5 && !text.slice(entityStart, cut).includes(';')) {
    cut = entityStart;
  }
  const tokenStart = text.lastIndexOf('<', cut - 1);
  if (tokenStart !== -1 && !text.slice(tokenStart, cut).includes('>')) cut = tokenStart;
  return text.slice(0, cut) + MARKER;
}

type AnyText = { readonly type: 'plain_text' | 'mrkdwn'; readonly text: string };

function fitText<T extends AnyText>(text: T, max: number): T {
  return text.text.length <= max ? text : { ...text, text: truncate(text.text, max) };
}

function fitElement<T extends { readonly type: string }>(element: T): T {
  if (element.type === 'plain_text' || element.type === 'mrkdwn')
    return fitText(element as unknown as AnyText, SLACK_LIMITS.contextElementText) as unknown as T;
  if (element.type !== 'button') return element;
  const button = element as unknown as { text: AnyText; value?: string };
  // A value is ours (an encoded reference), never cut: encodeConversationRef refuses one too long.
  return { ...element, text: fitText(button.text, SLACK_LIMITS.buttonText) };
}

/**
 * The one rule every payload passes before it leaves for Slack, after escaping: each text cut to its
 * block's limit (with a visible marker), at most 10 fields and 10 context elements a block, and at most
 * `maxBlocks` blocks. What a lead or a user wrote can make a message shorter, never undeliverable.
 */
export function fitBlocks<B extends { readonly type: string }>(blocks: readonly B[], maxBlocks: number): B[] {
  return blocks.slice(0, maxBlocks).map((block) => {
    const b = block as unknown as {
      text?: AnyText;
      fields?: readonly AnyText[];
      elements?: readonly { type: string }[];
    };
    switch (block.type) {
      case 'header':
        return { ...block, text: fitText(b.text as AnyText, SLACK_LIMITS.headerText) };
      case 'section':
        return {
          ...block,
          ...(b.text ? { text: fitText(b.text, SLACK_LIMITS.sectionText) } : {}),
          ...(b.fields
            ? {
                fields: b.fields
                  .slice(0, SLACK_LIMITS.sectionFields)
                  .map((field) => fitText(field, SLACK_LIMITS.sectionFieldText)),
              }
            : {}),
        };
      case 'context':
        return {
          ...block,
          elements: (b.elements ?? []).slice(0, SLACK_LIMITS.contextElements).map(fitElement),
        };
      case 'actions':
        return {
          ...block,
          elements: (b.elements ?? []).slice(0, SLACK_LIMITS.actionElements).map(fitElement),
        };
      default:
        return block;
    }
  });
}

/** A message (or an ephemeral answer) within Slack's limits: see fitBlocks. */
export function fitMessage<
  M extends { readonly text: string; readonly blocks: readonly { readonly type: string }[] },
>(message: M): M {
  return {
    ...message,
    text: truncate(message.text, SLACK_LIMITS.fallbackText),
    blocks: fitBlocks(message.blocks, SLACK_LIMITS.blocksPerMessage),
  };
}

/** A Home tab or modal within Slack's limits: see fitBlocks. */
export function fitView<V extends { readonly blocks: readonly { readonly type: string }[] }>(view: V): V {
  return { ...view, blocks: fitBlocks(view.blocks, SLACK_LIMITS.blocksPerView) };
}
