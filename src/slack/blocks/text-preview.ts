import { type Block, isTextObject, type RenderedMessage, type TextObject } from './types.ts';

// Slack's date token `<!date^unix^format|fallback>` reads best in a terminal as its fallback.
const readable = (text: TextObject) => text.text.replace(/<!date\^\d+\^[^|>]*\|([^>]*)>/g, '$1');

function blockLines(block: Block): string[] {
  switch (block.type) {
    case 'header':
      return [`━━ ${readable(block.text)} ━━`];
    case 'section':
      return [
        ...(block.text ? [readable(block.text)] : []),
        ...(block.fields ?? []).map((field) => `  • ${readable(field)}`),
      ];
    case 'context':
      return [`  ${block.elements.filter(isTextObject).map(readable).join(' · ')}`];
    case 'actions':
      return [
        `  ${block.elements.map((element) => `[ ${element.type === 'button' ? element.text.text : 'placeholder' in element && element.placeholder ? element.placeholder.text : element.type} ]`).join(' ')}`,
      ];
    case 'divider':
      return ['  ─────'];
  }
}

/** A message as a person would read it in a terminal (local mode). */
export function previewMessage(message: RenderedMessage): string {
  const lines = message.blocks.length > 0 ? message.blocks.flatMap(blockLines) : [message.text];
  return lines.join('\n');
}
