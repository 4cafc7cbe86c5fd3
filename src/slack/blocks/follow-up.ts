import type { FollowUp, FollowUpKind } from '../../domain/conversation.ts';
import { FOLLOW_UP_MODAL } from './actions.ts';
import { slackDate } from './lead-message.ts';
import { SLACK_LIMITS, truncate } from './limits.ts';
import { conversationModal } from './modal.ts';
import type { ModalView, RenderedMessage } from './types.ts';

export const FOLLOW_UP_KINDS: ReadonlyArray<readonly [Exclude<FollowUpKind, 'thread reply'>, string]> = [
  ['call', 'Call'],
  ['email', 'E-mail'],
  ['meeting', 'Meeting'],
  ['other', 'Other'],
];

/** Block and action ids of the modal's inputs. */
export const FOLLOW_UP_INPUTS = {
  kind: { block: 'follow_up_kind', action: 'kind' },
  note: { block: 'follow_up_note', action: 'note' },
  nextStep: { block: 'follow_up_next', action: 'next_step_on' },
  nextStepTime: { block: 'follow_up_next_time', action: 'next_step_at' },
} as const;

const WHAT: Readonly<Record<FollowUpKind, string>> = {
  call: 'a call',
  email: 'an e-mail',
  meeting: 'a meeting',
  other: 'a follow-up',
  'thread reply': 'a reply in this thread',
};

/** The follow-up modal (views.open). Its private metadata names the conversation. */
export function followUpModal(conversationId: string): ModalView {
  const option = ([value, label]: readonly [string, string]) => ({
    text: { type: 'plain_text' as const, text: label },
    value,
  });
  return conversationModal({
    callbackId: FOLLOW_UP_MODAL,
    conversationId,
    title: 'Log follow-up',
    submit: 'Log',
    blocks: [
      {
        type: 'input',
        block_id: FOLLOW_UP_INPUTS.kind.block,
        label: { type: 'plain_text', text: 'What did you do?' },
        element: {
          type: 'radio_buttons',
          action_id: FOLLOW_UP_INPUTS.kind.action,
          options: FOLLOW_UP_KINDS.map(option),
          initial_option: option(FOLLOW_UP_KINDS[0] ?? ['call', 'Call']),
        },
      },
      {
        type: 'input',
        block_id: FOLLOW_UP_INPUTS.note.block,
        optional: true,
        label: { type: 'plain_text', text: 'Note' },
        element: {
          type: 'plain_text_input',
          action_id: FOLLOW_UP_INPUTS.note.action,
          multiline: true,
          max_length: 2000,
        },
      },
      {
        type: 'input',
        block_id: FOLLOW_UP_INPUTS.nextStep.block,
        optional: true,
        label: { type: 'plain_text', text: 'Next step on' },
        element: { type: 'datepicker', action_id: FOLLOW_UP_INPUTS.nextStep.action },
        hint: {
          type: 'plain_text',
          text: 'You are reminded that day, at the start of your working day unless you pick a time.',
        },
      },
      {
        type: 'input',
        block_id: FOLLOW_UP_INPUTS.nextStepTime.block,
        optional: true,
        label: { type: 'plain_text', text: 'At (your time)' },
        element: { type: 'timepicker', action_id: FOLLOW_UP_INPUTS.nextStepTime.action },
      },
    ],
  });
}

/** The thread note of a snooze. */
export function renderSnoozeNote(by: string, until: Date): RenderedMessage {
  const text = `😴 <@${by}> snoozed the follow-up reminders until ${slackDate(until)}.`;
  return { text, blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text }] }] };
}

/** The thread note of a follow-up; the rep's note is shown literally (plain text). */
export function renderFollowUpNote(followUp: FollowUp): RenderedMessage {
  const next = followUp.nextStepOn
    ? ` Next step on ${followUp.nextStepOn}${followUp.nextStepTime ? ` at ${followUp.nextStepTime}` : ''}.`
    : '';
  const text = `📝 <@${followUp.by}> logged ${WHAT[followUp.kind]}.${next}`;
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      ...(followUp.note
        ? [
            {
              type: 'section' as const,
              text: {
                type: 'plain_text' as const,
                text: truncate(followUp.note, SLACK_LIMITS.sectionText),
                emoji: false,
              },
            },
          ]
        : []),
    ],
  };
}
