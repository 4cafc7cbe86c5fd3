import { leadIdText } from '../../domain/lead.ts';
import { literalMrkdwn } from '../../domain/mrkdwn.ts';
import type { BlockedChannel, QuarantineNotice } from '../../domain/poll-report.ts';
import type { RenderedMessage } from './types.ts';

const FIXES: Readonly<Record<string, string>> = {
  channel_not_found:
    'the channel does not exist or the bot cannot see it: check LEADS_CHANNEL and /leads routes',
  not_in_channel: 'the bot is not in the channel: invite it with /invite',
  is_archived: 'the channel is archived: unarchive it or route its leads elsewhere (/leads routes)',
  invalid_auth: 'the bot token is not valid: check SLACK_BOT_TOKEN',
  token_revoked: 'the bot token was revoked: reinstall the app and update SLACK_BOT_TOKEN',
  missing_scope: 'the app lacks a scope: reinstall it from manifest.yml',
};

/** Tells admins which channel Slack refuses and how to fix it; the leads wait and are posted once it is fixed. */
export function renderBlockedChannel(blocked: BlockedChannel): RenderedMessage {
  const fix = FIXES[blocked.error] ?? 'see the bot’s log';
  const text = `⚠️ The lead bot cannot post in <#${blocked.channel}>: Slack says \`${blocked.error}\` (${fix}). ${blocked.leads} lead(s) are waiting and will be posted as soon as this is fixed; none is lost.`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

/** Tells admins a lead was set aside (once per lead), why, and how to post it again. */
export function renderQuarantinedLead(notice: QuarantineNotice): RenderedMessage {
  const text = `🧯 A lead could not be posted and was set aside so that the others are not held up: lead ${literalMrkdwn(leadIdText(notice.leadId))}. Why: ${literalMrkdwn(notice.reason)}. Nothing is lost: an admin can list set-aside leads with \`/leads failed\` and press *Retry* once the cause is fixed.`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

/** Tells admins once that the polls fell back to scanning the lead table, and why. */
export function renderPartitionDrift(table: string): RenderedMessage {
  const text = `⚠️ Leads in the ${literalMrkdwn(table)} table are not in the date partitions Microsoft has always used: their PartitionKey format seems to have changed. No lead is missed: the hourly sweep found them and posted them, and every poll now reads the whole table (slower, and billed per entity read on Azure) until the bot restarts. Please report this with a sample row.`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
