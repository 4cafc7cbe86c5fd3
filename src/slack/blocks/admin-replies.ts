import type { AuditEntry } from '../../domain/audit.ts';
import { type LeadId, leadIdText } from '../../domain/lead.ts';
import { literalMrkdwn } from '../../domain/mrkdwn.ts';
import { encodeLeadRef, LEAD_ACTIONS } from './actions.ts';
import { slackDate } from './lead-message.ts';
import { SLACK_LIMITS, truncate } from './limits.ts';
import type { Block, RenderedMessage } from './types.ts';

/** A lead set aside after repeated failures, as `/leads failed` lists it. */
export interface SetAsideLead {
  readonly id: LeadId;
  readonly reason: string;
  readonly attempts: number;
  readonly at: Date;
  readonly retryRequested: boolean;
}

/** A command's private answer. `text` is mrkdwn built by the bot, with any user input already escaped. */
export function renderCommandReply(text: string): RenderedMessage {
  const fitted = truncate(text, SLACK_LIMITS.sectionText);
  return { text: fitted, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: fitted } }] };
}

/** The preview of a rules import, with the buttons that confirm or cancel it. */
export function renderImportPreview(preview: string, pendingId: string): RenderedMessage {
  const text = truncate(
    `This import would set:\n${preview}\nPress *Import* to apply it (within an hour).`,
    SLACK_LIMITS.sectionText,
  );
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            action_id: LEAD_ACTIONS.confirmRulesImport,
            text: { type: 'plain_text', text: 'Import' },
            value: pendingId,
            style: 'primary',
          },
          {
            type: 'button',
            action_id: LEAD_ACTIONS.cancelRulesImport,
            text: { type: 'plain_text', text: 'Cancel' },
            value: pendingId,
          },
        ],
      },
    ],
  };
}

/** The latest admin actions, newest first. */
export function renderAudit(entries: readonly AuditEntry[]): RenderedMessage {
  if (entries.length === 0) return renderCommandReply('No admin actions yet.');
  const lines = entries.map((entry) => {
    const what = `/leads ${literalMrkdwn(entry.command)}`;
    const result = entry.allowed
      ? entry.after !== null
        ? `: ${literalMrkdwn(entry.before ?? '—')} ⟶ ${literalMrkdwn(entry.after)}`
        : ''
      : ' — *refused* (not an admin)';
    return `• ${slackDate(entry.at)} <@${entry.by}> ${what}${result}`.replace(/\n/g, ' ');
  });
  const blocks = lines.slice(0, SLACK_LIMITS.blocksPerMessage).map((line) => ({
    type: 'section' as const,
    text: { type: 'mrkdwn' as const, text: truncate(line, SLACK_LIMITS.sectionText) },
  }));
  return { text: 'Latest admin actions', blocks };
}

/** `/leads failed`: the leads set aside after repeated failures, each with why and a Retry button. */
export function renderSetAsideLeads(leads: readonly SetAsideLead[]): RenderedMessage {
  if (leads.length === 0)
    return renderCommandReply('No lead is set aside: every lead was posted or is being retried.');
  const shown = leads.slice(0, 20);
  const blocks: Block[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*Set-aside leads* (${leads.length}): press *Retry* once the cause is fixed; the next poll posts it.`,
      },
    },
    ...shown.map(
      (lead): Block => ({
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `• Lead ${literalMrkdwn(leadIdText(lead.id))}, set aside ${slackDate(lead.at)} after ${lead.attempts} attempt(s): ${literalMrkdwn(lead.reason)}${lead.retryRequested ? ' · _retry requested_' : ''}`,
        },
        accessory: {
          type: 'button',
          action_id: LEAD_ACTIONS.retrySetAside,
          text: { type: 'plain_text', text: 'Retry' },
          value: encodeLeadRef(lead.id),
        },
      }),
    ),
  ];
  return { text: `${leads.length} set-aside lead(s)`, blocks };
}
