import type { KnownBlock } from '@slack/types';
import { encodeConversationRef } from './actions.ts';
import type { ModalView } from './types.ts';

/** A modal about one conversation: its private metadata names it, so the submission knows which. */
export function conversationModal(spec: {
  readonly callbackId: string;
  readonly conversationId: string;
  readonly title: string;
  readonly submit: string;
  readonly blocks: KnownBlock[];
}): ModalView {
  return {
    type: 'modal',
    callback_id: spec.callbackId,
    private_metadata: encodeConversationRef(spec.conversationId),
    title: { type: 'plain_text', text: spec.title },
    submit: { type: 'plain_text', text: spec.submit },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: spec.blocks,
  };
}
