import { CLOSE_OUTCOMES, type Closure } from '../../domain/conversation.ts';
import { CLOSE_MODAL } from './actions.ts';
import { SLACK_LIMITS, truncate } from './limits.ts';
import { conversationModal } from './modal.ts';
import type { ModalView, RenderedMessage } from './types.ts';

export const CLOSE_INPUTS = {
  outcome: { block: 'close_outcome', action: 'outcome' },
  reason: { block: 'close_reason', action: 'reason' },
} as const;

const LABELS: Readonly<Record<Closure['outcome'], string>> = {
  won: 'Won',
  lost: 'Lost',
  'not a fit': 'Not a fit',
};

/** The close modal (views.open); its private metadata names the conversation. */
export function closeModal(conversationId: string): ModalView {
  const option = (outcome: Closure['outcome']) => ({
    text: { type: 'plain_text' as const, text: LABELS[outcome] },
    value: outcome,
  });
  return conversationModal({
    callbackId: CLOSE_MODAL,
    conversationId,
    title: 'Close lead',
    submit: 'Close lead',
    blocks: [
      {
        type: 'input',
        block_id: CLOSE_INPUTS.outcome.block,
        label: { type: 'plain_text', text: 'Outcome' },
        element: {
          type: 'radio_buttons',
          action_id: CLOSE_INPUTS.outcome.action,
          options: CLOSE_OUTCOMES.map(option),
        },
      },
      {
        type: 'input',
        block_id: CLOSE_INPUTS.reason.block,
        optional: true,
        label: { type: 'plain_text', text: 'Reason' },
        element: {
          type: 'plain_text_input',
          action_id: CLOSE_INPUTS.reason.action,
          multiline: true,
          max_length: 1000,
        },
      },
    ],
  });
}

/** The thread note of a closure; the reason is shown literally (plain text). */
export function renderClosedNote(closure: Closure): RenderedMessage {
  const text = `🏁 <@${closure.by}> closed this lead: *${LABELS[closure.outcome]}*.`;
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      ...(closure.reason
        ? [
            {
              type: 'section' as const,
              text: {
                type: 'plain_text' as const,
                text: truncate(closure.reason, SLACK_LIMITS.sectionText),
                emoji: false,
              },
            },
          ]
        : []),
    ],
  };
}

/** Why an action on a closed lead changed nothing. */
export function closedRefusalText(closure: Closure): string {
  return `🏁 This lead was closed (*${LABELS[closure.outcome]}*) by <@${closure.by}>, so nothing was changed. A new active lead from the customer reopens it.`;
}

export function closedStatus(closure: Closure): string {
  return `🏁 *Closed: ${LABELS[closure.outcome]}* by <@${closure.by}>`;
}
