import { type Conversation, isAwaitingFollowUp } from '../../domain/conversation.ts';
import { literalMrkdwn } from '../../domain/mrkdwn.ts';
import type { OwnershipChangeKind } from '../../domain/ownership.ts';
import { slackDate } from './lead-message.ts';
import type { RenderedMessage } from './types.ts';

export interface OwnershipNote {
  readonly kind: OwnershipChangeKind;
  readonly by: string;
  readonly from: string | null;
  readonly to: string | null;
}

const user = (id: string | null) => (id === null ? 'nobody' : `<@${id}>`);

/** The thread reply that keeps every ownership change visible in Slack. */
export function renderOwnershipNote(note: OwnershipNote): RenderedMessage {
  const text = (() => {
    switch (note.kind) {
      case 'claim':
        return `🙋 ${user(note.to)} claimed this lead.`;
      case 'assign':
        return `🔄 Assigned to ${user(note.to)} by the channel's rotation.`;
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
  readonly kind: OwnershipChangeKind;
  readonly by: string;
  readonly customer: string;
  readonly stage: string;
  readonly permalink: string | null;
  /** " Follow up by <time>." while the lead awaits its first follow-up (see followUpBy). */
  readonly followUpBy: string;
}): RenderedMessage {
  const why = input.kind === 'assign' ? 'The rotation assigned you' : `<@${input.by}> gave you`;
  const link = input.permalink ? ` <${input.permalink}|Open the lead>` : '';
  const text = `${why} a lead: *${literalMrkdwn(input.customer)}* (${input.stage}).${input.followUpBy}${link}`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
