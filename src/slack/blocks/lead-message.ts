import { differenceInMinutes } from 'date-fns/differenceInMinutes';
import {
  type Closure,
  type Conversation,
  isAwaitingFollowUp,
  type PipelineStage,
  pipelineStage,
} from '../../domain/conversation.ts';
import type { CrmCard, CrmLookup } from '../../domain/crm-customer.ts';
import { explainLead, stageName } from '../../domain/explain.ts';
import { type CustomerField, customerLabel, customerName, type Lead, leadIdText } from '../../domain/lead.ts';
import type { LeadAction, LeadChannel } from '../../domain/lead-source.ts';
import { literalMrkdwn, slackLinkUrl } from '../../domain/mrkdwn.ts';
import type { FirstStartReport } from '../../domain/poll-report.ts';
import { describeDuration, formatDuration } from '../../domain/sla.ts';
import { encodeConversationRef, LEAD_ACTIONS, OWNERSHIP_BLOCK_PREFIX } from './actions.ts';
import { closedStatus } from './close.ts';
import { SLACK_LIMITS, truncate } from './limits.ts';
import type { Block, Mrkdwn, PlainText, RenderedMessage } from './types.ts';

// Text that comes from a lead goes only into plain_text objects (Slack shows them literally: no
// mentions, links or formatting) or through literalMrkdwn. mrkdwn objects carry our own words.

/** One step of a customer's journey, shown on the conversation's first message. */
export interface ConversationStage {
  readonly action: LeadAction;
  readonly channel: LeadChannel;
  readonly at: Date;
}

const plain = (text: string, max: number): PlainText => ({
  type: 'plain_text',
  text: truncate(text, max),
  emoji: false,
});
const mrkdwn = (text: string): Mrkdwn => ({ type: 'mrkdwn', text });

/** Slack date token: shown in each reader's own time zone, with a UTC fallback. */
export function slackDate(date: Date): string {
  const unix = Math.floor(date.getTime() / 1000);
  const fallback = `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${unix}^{date_short_pretty} at {time}|${fallback}>`;
}

const FIELD_LABELS: ReadonlyArray<readonly [CustomerField, string]> = [
  ['title', 'Title'],
  ['company', 'Company'],
  ['email', 'Email'],
  ['phone', 'Phone'],
  ['country', 'Country'],
];

const MISSING_LABELS: Readonly<Record<CustomerField, string>> = {
  firstName: 'first name',
  lastName: 'last name',
  email: 'e-mail',
  phone: 'phone',
  company: 'company',
  title: 'title',
  country: 'country',
};

function customerFields(lead: Lead): PlainText[] {
  const name = customerName(lead.customer);
  const fields = [
    ...(name ? [`Customer: ${name}`] : []),
    ...FIELD_LABELS.flatMap(([field, label]) => {
      const value = lead.customer[field];
      return value === null ? [] : [`${label}: ${value}`];
    }),
    `Offer: ${lead.offerName ?? 'not given'}`,
    ...(lead.publisher ? [`Publisher: ${lead.publisher}`] : []),
  ];
  return fields
    .slice(0, SLACK_LIMITS.sectionFields)
    .map((text) => plain(text, SLACK_LIMITS.sectionFieldText));
}

function missingNote(lead: Lead): string | null {
  if (lead.customerInfoUnreadable) return 'The customer details Microsoft sent could not be read.';
  if (lead.missing.length === 0) return null;
  if (lead.missing.length === 7) {
    return 'Microsoft sent no customer details (it withholds personal data of .edu customers, for one).';
  }
  return `Not provided by Microsoft: ${lead.missing.map((field) => MISSING_LABELS[field]).join(', ')}.`;
}

function sourceLine(lead: Lead): string {
  const code = lead.actionCode ? ` (${lead.actionCode})` : '';
  return `Source: ${explainLead(lead).where}${code}`;
}

function journey(stages: readonly ConversationStage[], omitted: number): string {
  const steps = stages.map((stage) => `${stageName(stage.action)} (${slackDate(stage.at)})`);
  if (omitted > 0) steps.splice(1, 0, `… ${omitted} more …`);
  return steps.join('  →  ');
}

/** Who owns the conversation a message heads; Slack shows each `<@U…>` as the person's current name. */
export interface OwnershipView {
  readonly conversationId: string;
  /** `accepted` false: the rotation gave it and waits for the assignee to accept it. */
  readonly owner: { readonly userId: string; readonly since: Date; readonly accepted?: boolean } | null;
  /** When an active lead waits for a follow-up: its deadline. */
  readonly followUpDue?: Date | null;
  /** The owner snoozed the reminders until then. */
  readonly snoozedUntil?: Date | null;
  /** The follow-up that answered the latest active lead (or the latest one logged). */
  readonly followedUp?: { readonly by: string; readonly minutesAfterArrival: number } | null;
  /** A closed lead shows its outcome and no controls. */
  readonly closed?: Closure | null;
  /** Where it stands: New, Contacted, Qualified (a closed lead shows its outcome instead). */
  readonly stage?: PipelineStage;
}

function ownershipBlocks(view: OwnershipView): Block[] {
  if (view.closed) {
    const reason = view.closed.reason
      ? [plain(`Reason: ${view.closed.reason}`, SLACK_LIMITS.contextElementText)]
      : [];
    return [
      {
        type: 'context',
        elements: [mrkdwn(`${closedStatus(view.closed)} ${slackDate(view.closed.at)}`), ...reason],
      },
    ];
  }
  const owner = view.owner
    ? view.owner.accepted === false
      ? `👤 *Assigned to <@${view.owner.userId}>* ${slackDate(view.owner.since)}: waiting for them to accept`
      : `👤 *Owned by <@${view.owner.userId}>* since ${slackDate(view.owner.since)}`
    : '🙋 *Unclaimed:* press *Claim* to own this lead.';
  const followUp = view.followedUp
    ? `✅ Followed up by <@${view.followedUp.by}> ${formatDuration(Math.max(1, view.followedUp.minutesAfterArrival))} after arrival`
    : view.followUpDue
      ? `⏰ Follow-up due ${slackDate(view.followUpDue)}${view.snoozedUntil ? ` · 😴 reminders snoozed until ${slackDate(view.snoozedUntil)}` : ''}`
      : null;
  const stage = view.stage ? `📍 Stage: *${view.stage}*` : null;
  const status = [owner, followUp, stage].filter(Boolean).join('\n');
  const value = encodeConversationRef(view.conversationId);
  const accept =
    view.owner?.accepted === false
      ? [
          {
            type: 'button' as const,
            action_id: LEAD_ACTIONS.accept,
            text: plain('Accept', 75),
            value,
            style: 'primary' as const,
          },
        ]
      : [];
  const controls = view.owner
    ? [
        ...accept,
        {
          type: 'button' as const,
          action_id: LEAD_ACTIONS.logFollowUp,
          text: plain('Log follow-up', 75),
          value,
          style: 'primary' as const,
        },
        {
          type: 'users_select' as const,
          action_id: LEAD_ACTIONS.handOver,
          placeholder: plain('Hand over to…', 150),
        },
        ...(view.stage === 'Qualified'
          ? []
          : [
              {
                type: 'button' as const,
                action_id: LEAD_ACTIONS.qualify,
                text: plain('Qualified', 75),
                value,
              },
            ]),
        { type: 'button' as const, action_id: LEAD_ACTIONS.release, text: plain('Release', 75), value },
        { type: 'button' as const, action_id: LEAD_ACTIONS.close, text: plain('Close…', 75), value },
      ]
    : [
        {
          type: 'button' as const,
          action_id: LEAD_ACTIONS.claim,
          text: plain('Claim', 75),
          value,
          style: 'primary' as const,
        },
      ];
  return [
    { type: 'section', text: mrkdwn(status) },
    { type: 'actions', block_id: `${OWNERSHIP_BLOCK_PREFIX}${view.conversationId}`, elements: controls },
  ];
}

export interface LeadMessageOptions {
  /** The conversation's owner and controls, on the conversation's first message. */
  readonly ownership?: OwnershipView;
  /** The customer's steps so far, oldest first; shown when there is more than one. */
  readonly stages?: readonly ConversationStage[];
  /** Steps left out of `stages` between the first and the latest ones. */
  readonly omittedStages?: number;
  /** True for a later lead of a known customer, posted in the conversation's thread. */
  readonly isRepeat?: boolean;
  /** The follow-up SLA in force for this lead (null or absent: it is not chased). */
  readonly slaMinutes?: number | null;
  /** The claim SLA, stated while nobody owns the lead (null or absent: not stated). */
  readonly claimMinutes?: number | null;
  /** Where the lead is in the team's CRM, once it was written there. */
  readonly crm?: CrmCard | null;
}

/** The speed-to-lead tiers in force, after the next step: "Claim within 5 minutes; follow up within 1 hour." */
function speedTiersText(options: LeadMessageOptions): string {
  if (options.slaMinutes == null) return '';
  const firstTouch = describeDuration(options.slaMinutes);
  return options.claimMinutes == null
    ? ` Follow up within ${firstTouch}: this lead’s SLA.`
    : ` Claim within ${describeDuration(options.claimMinutes)}; follow up within ${firstTouch}: this lead’s SLA.`;
}

/** The message for a sales lead (or a do-not-contact notice). */
export function renderLeadMessage(lead: Lead, options: LeadMessageOptions = {}): RenderedMessage {
  const stages = options.stages ?? [];
  const explanation = explainLead(stages.at(-1) ?? lead);
  const who = customerLabel(lead.customer);
  const headline = options.isRepeat
    ? `${explanation.icon} Same customer again: ${explanation.stage}`
    : `${explanation.icon} ${explanation.stage}: ${who}`;
  const blocks: Block[] = [
    { type: 'header', text: plain(headline, SLACK_LIMITS.headerText) },
    { type: 'section', text: mrkdwn(explanation.whatHappened) },
    { type: 'section', fields: customerFields(lead) },
  ];
  const missing = missingNote(lead);
  if (missing) blocks.push({ type: 'context', elements: [mrkdwn(`ℹ️ ${missing}`)] });
  if (lead.description) {
    const label = lead.description.kind === 'note' ? 'Note from the customer' : 'Campaign parameters';
    blocks.push({
      type: 'section',
      text: plain(`${label}: ${lead.description.text}`, SLACK_LIMITS.sectionText),
    });
  }
  if (lead.problems.length > 0) {
    blocks.push({
      type: 'context',
      elements: [
        mrkdwn(
          `⚠️ This lead row was malformed (${lead.problems.join('; ')}). It is shown with what could be read.`,
        ),
        ...(lead.leadSourceText
          ? [plain(`LeadSource as written: ${lead.leadSourceText}`, SLACK_LIMITS.contextElementText)]
          : []),
      ],
    });
  }
  if (stages.length > 1) {
    const steps = journey(stages, options.omittedStages ?? 0);
    blocks.push({ type: 'context', elements: [mrkdwn(`*Journey:* ${steps}`)] });
  }
  blocks.push({
    type: 'section',
    text: mrkdwn(`*Next step:* ${explanation.nextStep}${speedTiersText(options)}`),
  });
  if (options.ownership) blocks.push(...ownershipBlocks(options.ownership));
  blocks.push({
    type: 'context',
    elements: [
      mrkdwn(`Arrived ${slackDate(lead.receivedAt)}`),
      plain(`${sourceLine(lead)} · Lead ${leadIdText(lead.id)}`, SLACK_LIMITS.contextElementText),
      ...(options.crm?.record ? [crmRecordElement(options.crm.crmName, options.crm.record.url)] : []),
    ],
  });
  if (options.crm?.lookup) blocks.splice(3, 0, crmLookupBlock(options.crm.crmName, options.crm.lookup));
  const offer = lead.offerName ? ` for ${literalMrkdwn(lead.offerName)}` : '';
  const text = `${explanation.stage}: ${literalMrkdwn(who)}${offer}`;
  return { text: truncate(text, SLACK_LIMITS.fallbackText), blocks };
}

/** Microsoft's test lead: proof that the lead destination works, never a sales lead. */
export function renderTestLeadMessage(lead: Lead): RenderedMessage {
  // Offer names are short in practice; a long one is cut so the section stays within Slack's limit.
  const offer = lead.offerName ? ` for *${literalMrkdwn(truncate(lead.offerName, 200))}*` : '';
  return {
    text: 'Microsoft test lead received: your lead destination works',
    blocks: [
      { type: 'header', text: plain('🔌 Microsoft test lead received', SLACK_LIMITS.headerText) },
      {
        type: 'section',
        text: mrkdwn(
          `Your lead destination works: Microsoft sent a test lead${offer}. It does this when an offer is published or when *Validate* is pressed in Partner Center. This is a connection check, not a customer: nobody needs to act.`,
        ),
      },
      {
        type: 'context',
        elements: [
          mrkdwn(`Arrived ${slackDate(lead.receivedAt)}`),
          plain(`Lead ${leadIdText(lead.id)}`, SLACK_LIMITS.contextElementText),
        ],
      },
    ],
  };
}

/** Posted once, on the very first start, so the team knows what was and was not posted. */
export function renderFirstStartNotice(report: FirstStartReport): RenderedMessage {
  const older =
    report.olderLeads === 0
      ? 'There were no older leads.'
      : `${report.olderLeads} older lead${report.olderLeads === 1 ? ' was' : 's were'} left in the table and not posted (the window is the BACKFILL_DAYS setting).`;
  const text = `Lead bot connected to the ${literalMrkdwn(report.table)} table. Leads from the last ${report.windowDays} days (since ${slackDate(report.since)}) are posted here. ${older}`;
  return { text, blocks: [{ type: 'section', text: mrkdwn(`👋 ${text}`) }] };
}

/** "🔗 Open in HubSpot" as a link to the record, or where it is when the CRM has no page for it. */
function crmRecordElement(crmName: string, address: string | null) {
  const name = literalMrkdwn(crmName);
  const url = address === null ? null : slackLinkUrl(address);
  return mrkdwn(url === null ? `🔗 In ${name}` : `🔗 <${url}|Open in ${name}>`);
}

/** CRM texts longer than this are cut before they are escaped: a name, not an essay. */
const CRM_TEXT_MAX = 120;
const crmText = (text: string) => literalMrkdwn(truncate(text, CRM_TEXT_MAX));

/**
 * What the CRM knew of the customer, below who they are: "Known in HubSpot: contact since Mar 4, 2024 ·
 * owner Anna Berg · 2 open deals · Open contact", or that they are new to it. The CRM's texts are
 * shown as written (escaped), its address linked only when it is http(s).
 */
export function crmLookupBlock(crmName: string, lookup: CrmLookup): Block {
  const crm = literalMrkdwn(crmName);
  const found = lookup.found;
  if (found === null)
    return {
      type: 'context',
      elements: [mrkdwn(`🆕 New to ${crm}: no contact or company there matches this customer.`)],
    };
  const what = found.matchedBy === 'email' ? 'contact' : 'company';
  const who = found.name === null ? '' : ` ${crmText(found.name)}`;
  const parts = [
    found.matchedBy === 'email'
      ? `*Known in ${crm}:* contact${who}`
      : `*Their company is in ${crm}* (by the e-mail's domain):${who}`,
  ];
  if (found.since !== null) parts[0] += ` since ${slackDay(found.since)}`;
  const owner = found.owner?.name ?? found.owner?.email ?? null;
  parts.push(owner === null ? 'no owner' : `owner ${crmText(owner)}`);
  parts.push(found.openDeals === 1 ? '1 open deal' : `${found.openDeals} open deals`);
  const url = found.url === null ? null : slackLinkUrl(found.url);
  if (url !== null) parts.push(`<${url}|Open ${what} in ${crm}>`);
  return { type: 'context', elements: [mrkdwn(`🗂️ ${parts.join(' · ')}`)] };
}

/** A day in the reader's own format ("Mar 4, 2024"), with a plain fallback. */
function slackDay(date: Date): string {
  const unix = Math.floor(date.getTime() / 1000);
  return `<!date^${unix}^{date_short}|${date.toISOString().slice(0, 10)}>`;
}

/** A conversation's first message: the first lead, the latest stage and journey, the owner and controls. */
export function renderConversation(
  conversation: Conversation,
  rootLead: Lead,
  now: Date,
  crm: CrmCard | null = null,
): RenderedMessage {
  const { sla, followUp } = conversation;
  const awaiting = isAwaitingFollowUp(conversation);
  const arrival = sla?.startedAt ?? conversation.stages[0]?.at ?? rootLead.receivedAt;
  return renderLeadMessage(rootLead, {
    stages: conversation.stages,
    omittedStages: conversation.omittedStages,
    slaMinutes: sla?.minutes ?? null,
    claimMinutes:
      conversation.owner === null && conversation.closed === null ? (sla?.claimMinutes ?? null) : null,
    crm,
    ownership: {
      conversationId: conversation.id,
      owner: conversation.owner,
      closed: conversation.closed,
      stage: pipelineStage(conversation),
      followUpDue: awaiting ? (sla?.remindAt ?? null) : null,
      snoozedUntil:
        awaiting && conversation.snoozedUntil && conversation.snoozedUntil > now
          ? conversation.snoozedUntil
          : null,
      followedUp:
        !awaiting && followUp
          ? { by: followUp.by, minutesAfterArrival: differenceInMinutes(followUp.at, arrival) }
          : null,
    },
  });
}
