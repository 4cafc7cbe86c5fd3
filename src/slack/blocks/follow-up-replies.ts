import type { FollowUpOutcome, QualifyOutcome, SnoozeOutcome } from '../../domain/conversation.ts';
import { closedRefusalText } from './close.ts';
import { slackDate } from './lead-message.ts';
import type { RenderedMessage } from './types.ts';

const reply = (text: string): RenderedMessage => ({
  text,
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
});

/** Why a follow-up or snooze was refused. */
export function followUpRefusalText(outcome: Exclude<FollowUpOutcome, { kind: 'logged' }>): string {
  if (outcome.kind === 'notFound')
    return '⚠️ This lead no longer exists in the bot’s records, so nothing was changed.';
  if (outcome.kind === 'closed') return closedRefusalText(outcome.closure);
  return outcome.owner
    ? `Only its owner <@${outcome.owner}> or a manager can log follow-ups or snooze reminders for this lead.`
    : 'Nobody owns this lead yet: press *Claim* first, then log your follow-up.';
}

export function renderFollowUpRefusal(
  outcome: Exclude<FollowUpOutcome, { kind: 'logged' }>,
): RenderedMessage {
  return reply(followUpRefusalText(outcome));
}

export function renderSnoozeReply(outcome: SnoozeOutcome): RenderedMessage {
  return outcome.kind === 'snoozed'
    ? reply(`😴 Snoozed: you will be reminded again ${slackDate(outcome.until)}.`)
    : renderFollowUpRefusal(outcome);
}

export function renderQualifyReply(outcome: QualifyOutcome): RenderedMessage {
  if (outcome.kind === 'qualified')
    return reply('🎯 Marked *Qualified*: the thread says so, and the stage shows on the lead.');
  if (outcome.kind === 'alreadyQualified') return reply('This lead is qualified already.');
  return renderFollowUpRefusal(outcome);
}
