import { type Conversation, isAwaitingFollowUp } from '../../domain/conversation.ts';
import { literalMrkdwn } from '../../domain/mrkdwn.ts';
import type { OwnershipEvent } from '../../domain/ownership.ts';
import { describeSkips } from '../../domain/rotation.ts';
import { describeDuration } from '../../domain/sla.ts';
import { conversationButton, LEAD_ACTIONS } from './actions.ts';
import { slackDate } from './lead-message.ts';
import type { RenderedMessage } from './types.ts';

export type OwnershipNote = Pick<
  OwnershipEvent,
  'kind' | 'by' | 'from' | 'to' | 'skipped' | 'reason' | 'acceptWithinMinutes'
>;

/** " Skipped: <@UA> (paused)." when the rotation passed reps over; empty otherwise. */
const skippedText = (note: OwnershipNote) =>
  note.skipped?.length ? ` Skipped: ${describeSkips(note.skipped)}.` : '';

/** " Accept within 15 minutes, or it goes to the next rep." when the channel asks for acceptance. */
export const acceptText = (note: Pick<OwnershipNote, 'acceptWithinMinutes'>) =>
  note.acceptWithinMinutes
    ? ` Press *Accept* (or log a follow-up) within ${describeDuration(note.acceptWithinMinutes)}, or it goes to the next rep.`
    : '';

function passText(note: OwnershipNote): string {
  const why =
    note.reason?.kind === 'deactivated'
      ? `${user(note.from)}'s Slack account was deactivated`
      : `${user(note.from)} did not accept it within ${describeDuration(note.reason?.minutes ?? 0)}`;
  return note.to === null
    ? `⏭️ ${why}, and nobody else in the rotation can take it: it is unclaimed again.`
    : `⏭️ ${why}: the rotation passed it on to ${user(note.to)}.`;
}

const user = (id: string | null) => (id === null ? 'nobody' : `<@${id}>`);

/** The thread reply that keeps every ownership change visible in Slack. */
export function renderOwnershipNote(note: OwnershipNote): RenderedMessage {
  const text = (() => {
    switch (note.kind) {
      case 'claim':
        return `🙋 ${user(note.to)} claimed this lead.`;
      case 'assign':
        return note.by === 'crm'
          ? `🗂️ Assigned to ${user(note.to)}: they own this customer in the CRM.`
          : `🔄 Assigned to ${user(note.to)} by the channel's rotation.${skippedText(note)}${acceptText(note)}`;
      case 'pass':
        return `${passText(note)}${skippedText(note)}${note.to === null ? '' : acceptText(note)}`;
      case 'accept':
        return `👍 ${user(note.by)} accepted this lead.`;
      case 'handover':
        return `🤝 ${user(note.from)} handed this lead over to ${user(note.to)}.`;
      case 'reassign':
        return `🤝 ${user(note.by)} reassigned this lead from ${user(note.from)} to ${user(note.to)}.`;
      case 'release':
        return `↩️ ${user(note.by)} released this lead: it is unclaimed again.`;
    }
  })();
  return { text, blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text }] }] };
}

/** " Follow up by <time>." while the lead awaits its first follow-up; empty when it is not chased. */
export function followUpBy(conversation: Conversation): string {
  const due = isAwaitingFollowUp(conversation) ? conversation.sla?.remindAt : undefined;
  return due ? ` Follow up by ${slackDate(due)}.` : '';
}

/** The direct message to a rep who was given a lead. */
export function renderNewOwnerMessage(input: {
  readonly by: string;
  readonly customer: string;
  readonly stage: string;
  readonly permalink: string | null;
  /** " Follow up by <time>." while the lead awaits its first follow-up (see followUpBy). */
  readonly followUpBy: string;
  /** Set when the lead waits for them to accept it (the rotation's accept-or-pass). */
  readonly acceptWithinMinutes?: number;
  readonly conversationId: string;
}): RenderedMessage {
  const why =
    input.by === 'rotation'
      ? 'The rotation assigned you'
      : input.by === 'crm'
        ? 'You own this customer in the CRM, so you were given'
        : `<@${input.by}> gave you`;
  const link = input.permalink ? ` <${input.permalink}|Open the lead>` : '';
  const text = `${why} a lead: *${literalMrkdwn(input.customer)}* (${input.stage}).${input.followUpBy}${acceptText(input)}${link}`;
  const accept = input.acceptWithinMinutes
    ? [
        {
          type: 'actions' as const,
          elements: [conversationButton(input.conversationId, LEAD_ACTIONS.accept, 'Accept', 'primary')],
        },
      ]
    : [];
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }, ...accept] };
}

/** The thread note when the owner (or a manager) marks the lead Qualified. */
export function renderQualifiedNote(by: string): RenderedMessage {
  const text = `🎯 ${user(by)} marked this lead *Qualified*.`;
  return { text, blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text }] }] };
}
