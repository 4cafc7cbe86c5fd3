import { literalMrkdwn } from '../../domain/mrkdwn.ts';
import { type AssignmentProblem, describeSkips } from '../../domain/rotation.ts';
import { describeDuration } from '../../domain/sla.ts';
import { conversationButton, LEAD_ACTIONS } from './actions.ts';
import { slackDate } from './lead-message.ts';
import type { Block, RenderedMessage } from './types.ts';

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

/** The buttons of a reminder to an owner: act on the lead now, or later. */
function ownerActions(conversationId: string, withClose: boolean): Block {
  const button = (action_id: string, label: string, style?: 'primary') =>
    conversationButton(conversationId, action_id, label, style);
  return {
    type: 'actions',
    elements: [
      button(LEAD_ACTIONS.logFollowUp, 'Log follow-up', 'primary'),
      button(LEAD_ACTIONS.snooze1h, 'Snooze 1h'),
      button(LEAD_ACTIONS.snooze4h, 'Snooze 4h'),
      button(LEAD_ACTIONS.snoozeTomorrow, 'Until tomorrow morning'),
      ...(withClose ? [button(LEAD_ACTIONS.close, 'Close…')] : []),
    ],
  };
}

const withActions = (text: string, actions: Block): RenderedMessage => ({
  text,
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }, actions],
});

/** The owner's direct message at the SLA: what is late, a link, and the buttons to act or snooze. */
export function renderOwnerReminder(subject: ReminderSubject): RenderedMessage {
  return withActions(
    `⏰ Follow-up due: *${literalMrkdwn(subject.customer)}* (${subject.stage}) arrived ${slackDate(subject.arrivedAt)} and has no follow-up logged yet.${link(subject.permalink)}`,
    ownerActions(subject.conversationId, false),
  );
}

/** The owner's direct message when the next step they planned falls due. */
export function renderNextStepReminder(subject: ReminderSubject, planned: string): RenderedMessage {
  return withActions(
    `📅 Next step due today: *${literalMrkdwn(subject.customer)}* (${subject.stage}), planned for ${planned}.${link(subject.permalink)}`,
    ownerActions(subject.conversationId, true),
  );
}

/** The owner's direct message when their lead went quiet. */
export function renderStaleNudge(subject: ReminderSubject, minutes: number): RenderedMessage {
  return withActions(
    `💤 *${literalMrkdwn(subject.customer)}* (${subject.stage}) has had no follow-up, next step or change of stage for ${describeDuration(minutes)}. Log what happened, plan a next step, or close it.${link(subject.permalink)}`,
    ownerActions(subject.conversationId, true),
  );
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

/** In the lead's channel, when nobody claimed it for a while: the lead again, with a Claim button. */
export function renderUnclaimedAnnouncement(subject: ReminderSubject, minutes: number): RenderedMessage {
  const about = `*${literalMrkdwn(subject.customer)}* (${subject.stage}), arrived ${slackDate(subject.arrivedAt)}`;
  // A lead the rotation gave out: its assignee is asked to accept it (only they can).
  if (subject.owner !== null)
    return withActions(
      `⏱️ Not accepted after ${describeDuration(minutes)}: ${about}, assigned to <@${subject.owner}>: press *Accept* or log a follow-up.${link(subject.permalink)}`,
      {
        type: 'actions',
        elements: [conversationButton(subject.conversationId, LEAD_ACTIONS.accept, 'Accept', 'primary')],
      },
    );
  return withActions(
    `🙋 Still unclaimed after ${describeDuration(minutes)}: ${about}.${link(subject.permalink)}`,
    {
      type: 'actions',
      elements: [conversationButton(subject.conversationId, LEAD_ACTIONS.claim, 'Claim', 'primary')],
    },
  );
}

function problemText(problem: AssignmentProblem, owner: string | null): string {
  if (problem.kind === 'stale')
    return `${owner ? `its owner <@${owner}> did` : 'nobody did'} nothing with it for ${describeDuration(problem.minutes)} (no follow-up, next step or change of stage)`;
  switch (problem.kind) {
    case 'nobodyAvailable':
      return `nobody in its rotation can take it (${describeSkips(problem.skipped) || 'nobody in it'}), so it waits in its channel to be claimed`;
    case 'notAccepted':
      return `${problem.hops === 0 ? `<@${problem.from}> did not accept it` : `${problem.hops + 1} reps in turn, last <@${problem.from}>, did not accept it`} within ${describeDuration(problem.minutes)}, so it is back in its channel, unclaimed`;
    case 'deactivated':
      return `its owner <@${problem.from}> was deactivated in Slack and nobody in the rotation can take it, so it is back in its channel, unclaimed`;
    case 'unclaimed':
      return owner
        ? `the rotation gave it to <@${owner}>, who has not accepted it for ${describeDuration(problem.minutes)}`
        : `nobody has claimed it for ${describeDuration(problem.minutes)}`;
  }
}

/** To the managers, when assignment needs a person to step in. */
export function renderAssignmentProblem(
  subject: ReminderSubject,
  problem: AssignmentProblem,
): RenderedMessage {
  return section(
    `🚨 *${literalMrkdwn(subject.customer)}* (${subject.stage}), arrived ${slackDate(subject.arrivedAt)}: ${problemText(problem, subject.owner)}.${link(subject.permalink)}`,
  );
}
