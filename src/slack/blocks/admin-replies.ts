import type { AuditEntry } from '../../domain/audit.ts';
import { literalMrkdwn } from '../../domain/mrkdwn.ts';
import { LEAD_ACTIONS } from './actions.ts';
import { slackDate } from './lead-message.ts';
import { SLACK_LIMITS, truncate } from './limits.ts';
import type { RenderedMessage } from './types.ts';

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
