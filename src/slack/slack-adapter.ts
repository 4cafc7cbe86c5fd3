import { summarizeConversation } from '../domain/conversation.ts';
import type { LeadId } from '../domain/lead.ts';
import type { ConversationSubject, SlackPort, ThreadNote } from '../services/slack-port.ts';
import { renderArrivalNote } from './blocks/arrival-notes.ts';
import { renderClosedNote } from './blocks/close.ts';
import { renderDigest, renderWeeklySummary } from './blocks/digest.ts';
import { renderFollowUpNote, renderSnoozeNote } from './blocks/follow-up.ts';
import { renderHome } from './blocks/home.ts';
import {
  renderConversation,
  renderFirstStartNotice,
  renderLeadMessage,
  renderTestLeadMessage,
} from './blocks/lead-message.ts';
import {
  followUpBy,
  renderNewOwnerMessage,
  renderOwnershipNote,
  renderQualifiedNote,
} from './blocks/ownership-notes.ts';
import { renderBlockedChannel, renderPartitionDrift, renderQuarantinedLead } from './blocks/problems.ts';
import {
  type ReminderSubject,
  renderAssignmentProblem,
  renderEscalation,
  renderNextStepReminder,
  renderOwnerReminder,
  renderReminderNote,
  renderStaleNudge,
  renderUnclaimedAnnouncement,
  renderUnclaimedReminder,
} from './blocks/reminders.ts';
import type { RenderedMessage } from './blocks/types.ts';
import type { MessageMetadata, SlackGateway } from './gateway.ts';

/** The metadata event type of a lead's message: how a message posted before a crash is found again. */
export const LEAD_EVENT_TYPE = 'marketplace_lead_posted';

export function leadMetadata(id: LeadId): MessageMetadata {
  return { eventType: LEAD_EVENT_TYPE, payload: { lead_pk: id.partitionKey, lead_rk: id.rowKey } };
}

/** The metadata event type of a reminder's messages: how a step sent before a crash is found again. */
export const DELIVERY_EVENT_TYPE = 'leadbot_delivery';

const deliveryMetadata = (delivery: string): MessageMetadata => ({
  eventType: DELIVERY_EVENT_TYPE,
  payload: { delivery },
});

function threadNoteMessage(note: ThreadNote): RenderedMessage {
  switch (note.kind) {
    case 'ownership':
      return renderOwnershipNote(note.event);
    case 'followUp':
      return renderFollowUpNote(note.followUp);
    case 'snooze':
      return renderSnoozeNote(note.by, note.until);
    case 'closed':
      return renderClosedNote(note.closure);
    case 'qualified':
      return renderQualifiedNote(note.qualification.by);
  }
}

/** The Slack side of SlackPort: renders each domain event with the pure renderers and sends it. */
export function createSlackAdapter(slack: SlackGateway, clock: () => Date): SlackPort {
  const linkTo = (channel: string, ts: string) => slack.permalink(channel, ts);
  const linkToConversation = ({ channel, ts }: ConversationSubject['conversation']) =>
    channel && ts ? linkTo(channel, ts) : Promise.resolve(null);

  /**
   * Posts a message about a conversation to `channel` (a channel, or a user's id for their DM), marked
   * with its delivery key so it can be found again; nothing when there is no such place.
   */
  async function deliver(
    channel: string | null | undefined,
    subject: ConversationSubject,
    delivery: string,
    render: (about: ReminderSubject) => RenderedMessage,
  ): Promise<void> {
    if (!channel) return;
    await slack.postMessage({
      channel,
      metadata: deliveryMetadata(delivery),
      ...render(await reminderSubject(subject)),
    });
  }

  /** A note in the conversation's thread, marked with its delivery key; nothing before its first message. */
  async function noteMarked(
    conversation: ConversationSubject['conversation'],
    delivery: string,
    message: RenderedMessage,
  ): Promise<void> {
    if (conversation.channel === null || conversation.ts === null) return;
    await slack.postMessage({
      channel: conversation.channel,
      threadTs: conversation.ts,
      metadata: deliveryMetadata(delivery),
      ...message,
    });
  }

  async function reminderSubject({ conversation, rootLead }: ConversationSubject): Promise<ReminderSubject> {
    return {
      conversationId: conversation.id,
      ...summarizeConversation(conversation, rootLead),
      arrivedAt: conversation.sla?.startedAt ?? conversation.stages.at(-1)?.at ?? new Date(0),
      permalink: await linkToConversation(conversation),
      owner: conversation.owner?.userId ?? null,
    };
  }

  return {
    async postLead(lead, placement) {
      const message = lead.isTest
        ? renderTestLeadMessage(lead)
        : placement.threadTs !== null
          ? renderLeadMessage(lead, { isRepeat: true })
          : placement.conversation
            ? renderConversation(placement.conversation, lead, clock(), placement.crm ?? null)
            : renderLeadMessage(lead, { crm: placement.crm ?? null });
      return slack.postMessage({
        channel: placement.channel,
        threadTs: placement.threadTs,
        metadata: leadMetadata(lead.id),
        ...message,
      });
    },
    findPostedLead(leadId, where) {
      return slack.findMessageByMetadata({ ...where, metadata: leadMetadata(leadId) });
    },
    async showConversation(conversation, rootLead, crm = null) {
      if (conversation.channel === null || conversation.ts === null) return;
      await slack.updateMessage(
        conversation.channel,
        conversation.ts,
        renderConversation(conversation, rootLead, clock(), crm),
      );
    },
    async noteInThread(conversation, note) {
      if (conversation.channel === null || conversation.ts === null) return;
      await slack.postMessage({
        channel: conversation.channel,
        threadTs: conversation.ts,
        ...threadNoteMessage(note),
      });
    },
    async tellNewOwner(event, subject) {
      if (event.to === null) return;
      await slack.postMessage({
        channel: event.to,
        ...renderNewOwnerMessage({
          by: event.by,
          conversationId: subject.conversation.id,
          ...(event.acceptWithinMinutes ? { acceptWithinMinutes: event.acceptWithinMinutes } : {}),
          ...summarizeConversation(subject.conversation, subject.rootLead),
          permalink: await linkToConversation(subject.conversation),
          followUpBy: followUpBy(subject.conversation),
        }),
      });
    },
    remindOwner(subject, delivery) {
      return deliver(subject.conversation.owner?.userId, subject, delivery, renderOwnerReminder);
    },
    remindUnclaimed(subject, delivery) {
      return deliver(subject.conversation.channel, subject, delivery, renderUnclaimedReminder);
    },
    escalate(channel, subject, delivery) {
      return deliver(channel, subject, delivery, renderEscalation);
    },
    remindNextStep(subject, delivery) {
      const followUp = subject.conversation.followUp;
      const planned = [followUp?.nextStepOn, followUp?.nextStepTime].filter(Boolean).join(' ') || 'today';
      return deliver(subject.conversation.owner?.userId, subject, delivery, (about) =>
        renderNextStepReminder(about, planned),
      );
    },
    nudgeStale(subject, minutes, delivery) {
      return deliver(subject.conversation.owner?.userId, subject, delivery, (about) =>
        renderStaleNudge(about, minutes),
      );
    },
    announceUnclaimed(subject, minutes, delivery) {
      return deliver(subject.conversation.channel, subject, delivery, (about) =>
        renderUnclaimedAnnouncement(about, minutes),
      );
    },
    reportAssignmentProblem(channel, subject, problem, delivery) {
      return deliver(channel, subject, delivery, (about) => renderAssignmentProblem(about, problem));
    },
    noteReminderInThread(conversation, owner, delivery) {
      return noteMarked(conversation, delivery, renderReminderNote(owner));
    },
    noteArrivals(conversation, note, delivery) {
      return noteMarked(conversation, delivery, renderArrivalNote(note));
    },
    async findDelivery(delivery, place, oldest) {
      const channel = place.kind === 'dm' ? await slack.directMessageChannel(place.userId) : place.channel;
      const found = await slack.findMessageByMetadata({
        channel,
        threadTs: place.kind === 'thread' ? place.threadTs : null,
        metadata: deliveryMetadata(delivery),
        oldest,
      });
      return found !== null;
    },
    async announceFirstStart(channel, report) {
      await slack.postMessage({ channel, ...renderFirstStartNotice(report) });
    },
    async reportBlockedChannel(channel, blocked) {
      await slack.postMessage({ channel, ...renderBlockedChannel(blocked) });
    },
    async reportPartitionDrift(channel, table) {
      await slack.postMessage({ channel, ...renderPartitionDrift(table) });
    },
    async reportQuarantinedLead(channel, notice) {
      await slack.postMessage({ channel, ...renderQuarantinedLead(notice) });
    },
    async postDigest(channel, digest) {
      await slack.postMessage({ channel, ...renderDigest(digest) });
    },
    async postWeeklySummary(channel, figures) {
      await slack.postMessage({ channel, ...renderWeeklySummary(figures) });
    },
    async publishHome(userId, home) {
      await slack.publishHome(userId, renderHome(home));
    },
    linkTo,
    userProfile: (userId) => slack.userProfile(userId),
    userIdByEmail: (email) => slack.userIdByEmail(email),
    memberChannels: (userId) => slack.memberChannels(userId),
    isBotInChannel: (channel) => slack.isBotInChannel(channel),
  };
}
