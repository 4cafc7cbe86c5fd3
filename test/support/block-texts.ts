import { type Block, isTextObject, type TextObject } from '../../src/slack/blocks/types.ts';

/** Every text object of the blocks, in order: headers, section texts and fields, context elements, button labels. */
export function textObjectsOf(blocks: readonly { readonly type: string }[]): TextObject[] {
  return (blocks as readonly Block[]).flatMap((block): TextObject[] => {
    switch (block.type) {
      case 'header':
        return [block.text];
      case 'section':
        return [...(block.text ? [block.text] : []), ...(block.fields ?? [])];
      case 'context':
        return block.elements.filter(isTextObject);
      case 'actions':
        return block.elements.flatMap((element) => (element.type === 'button' ? [element.text] : []));
      default:
        return [];
    }
  });
}
