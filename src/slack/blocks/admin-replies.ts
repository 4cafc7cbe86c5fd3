import type { AuditEntry } from '../../domain/audit.ts';
import { leadKeyOfChange } from '../../domain/crm-change.ts';
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

/** A CRM write set aside after the CRM refused it, as `/leads failed` lists it. */
export interface SetAsideCrmWriteView {
  readonly key: string;
  readonly leadId: LeadId;
  readonly reason: string;
  readonly at: Date;
}

/** Each list shows this many; the header says how many there are in all. */
const SET_ASIDE_SHOWN = 20;

const retryRow = (text: string, actionId: string, value: string): Block => ({
  type: 'section',
  text: { type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) },
  accessory: { type: 'button', action_id: actionId, text: { type: 'plain_text', text: 'Retry' }, value },
});

/**
 * `/leads failed`: the leads set aside after repeated failures, and the CRM writes the CRM refused
 * (when one is connected: `crm` names it), each with why and a Retry button.
 */
export function renderSetAsideLeads(
  leads: readonly SetAsideLead[],
  crm: { readonly name: string; readonly writes: readonly SetAsideCrmWriteView[] } | null = null,
): RenderedMessage {
  const crmWrites = crm?.writes ?? [];
  if (leads.length === 0 && crmWrites.length === 0)
    return renderCommandReply(
      crm === null
        ? 'No lead is set aside: every lead was posted or is being retried.'
        : `No lead is set aside: every lead was posted or is being retried, and ${literalMrkdwn(crm.name)} took every lead it was sent.`,
    );
  const header = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text } });
  const blocks: Block[] = [];
  if (leads.length > 0)
    blocks.push(
      header(
        `*Set-aside leads* (${leads.length}): press *Retry* once the cause is fixed; the next poll posts it.`,
      ),
      ...leads
        .slice(0, SET_ASIDE_SHOWN)
        .map((lead) =>
          retryRow(
            `• Lead ${literalMrkdwn(truncate(leadIdText(lead.id), 300))}, set aside ${slackDate(lead.at)} after ${lead.attempts} attempt(s): ${literalMrkdwn(truncate(lead.reason, 1500))}${lead.retryRequested ? ' · _retry requested_' : ''}`,
            LEAD_ACTIONS.retrySetAside,
            encodeLeadRef(lead.id),
          ),
        ),
    );
  if (crm !== null && crmWrites.length > 0)
    blocks.push(
      header(
        `*Leads ${literalMrkdwn(crm.name)} refused* (${crmWrites.length}): they are in Slack, not in the CRM. Fix the cause (the CRM's words are below), then press *Retry*.`,
      ),
      ...crmWrites
        .slice(0, SET_ASIDE_SHOWN)
        .map((write) =>
          retryRow(
            `• Lead ${literalMrkdwn(truncate(leadIdText(write.leadId), 300))}${leadKeyOfChange(write.key) === write.key ? '' : ' (a change made in Slack: owner, follow-up or stage)'}, refused ${slackDate(write.at)}: ${literalMrkdwn(truncate(write.reason, 1500))}`,
            LEAD_ACTIONS.retryCrmWrite,
            write.key,
          ),
        ),
    );
  const total = leads.length + crmWrites.length;
  return { text: `${total} set-aside lead(s)`, blocks };
}
