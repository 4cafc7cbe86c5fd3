import { literalMrkdwn } from '../../domain/mrkdwn.ts';
import { encodeConversationRef, LEAD_ACTIONS } from './actions.ts';
import { slackDate } from './lead-message.ts';
import type { RenderedMessage } from './types.ts';

export interface ReminderSubject {
  readonly conversationId: string;
  readonly customer: string;
  readonly stage: string;
  readonly arrivedAt: Date;
  readonly permalink: string | null;
  readonly owner: string | null;
}

const link = (permalink: string | null) => (permalink ? ` <${permalink}|Open the lead>` : '');
const section = (text: string): RenderedMessage => ({
  text,
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
});

/** The owner's direct message at the SLA: what is late, a link, and the buttons to act or snooze. */
export function renderOwnerReminder(subject: ReminderSubject): RenderedMessage {
  const text = `⏰ Follow-up due: *${literalMrkdwn(subject.customer)}* (${subject.stage}) arrived ${slackDate(subject.arrivedAt)} and has no follow-up logged yet.${link(subject.permalink)}`;
  const value = encodeConversationRef(subject.conversationId);
  const button = (action_id: string, label: string, style?: 'primary') => ({
    type: 'button' as const,
    action_id,
    text: { type: 'plain_text' as const, text: label },
    value,
    ...(style ? { style } : {}),
  });
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      {
        type: 'actions',
        elements: [
          button(LEAD_ACTIONS.logFollowUp, 'Log follow-up', 'primary'),
          button(LEAD_ACTIONS.snooze1h, 'Snooze 1h'),
          button(LEAD_ACTIONS.snooze4h, 'Snooze 4h'),
          button(LEAD_ACTIONS.snoozeTomorrow, 'Until tomorrow morning'),
        ],
      },
    ],
  };
}

/** The note in the lead's thread when its SLA passes. */
export function renderReminderNote(owner: string | null): RenderedMessage {
  return section(
    owner
      ? `⏰ The follow-up SLA has passed with no follow-up logged. <@${owner}> was reminded.`
      : '⏰ The follow-up SLA has passed and nobody owns this lead: press *Claim*.',
  );
}

/** In the channel, for an active lead nobody owns at its SLA. */
export function renderUnclaimedReminder(subject: ReminderSubject): RenderedMessage {
  return section(
    `⏰ *${literalMrkdwn(subject.customer)}* (${subject.stage}) arrived ${slackDate(subject.arrivedAt)}, has passed its follow-up SLA, and nobody owns it. Claim it now.${link(subject.permalink)}`,
  );
}

/** To the managers, at the second threshold. */
export function renderEscalation(subject: ReminderSubject): RenderedMessage {
  const owner = subject.owner ? `Owner: <@${subject.owner}>.` : 'Nobody owns it.';
  return section(
    `🚨 No follow-up on *${literalMrkdwn(subject.customer)}* (${subject.stage}) since it arrived ${slackDate(subject.arrivedAt)}: twice the SLA. ${owner}${link(subject.permalink)}`,
  );
}
