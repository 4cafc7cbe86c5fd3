import { describe, expect, inject, it, vi } from 'vitest';
import { createAzureConversationStore } from '../../src/stores/azure/azure-conversation-store.ts';
import { createTableClient } from '../../src/stores/azure/tables.ts';
import { insertLeads, leadColumns } from '../fixtures/lead-rows.ts';
import {
  botMessage,
  eventEnvelope,
  fileShare,
  messageChanged,
  messageDeleted,
  type ThreadContext,
  threadBroadcast,
  threadReply,
} from '../fixtures/slack-events.ts';
import { postEnvelope } from '../support/slack-requests.ts';
import { LEADS_CHANNEL, leadTableClient, SIGNING_SECRET, useStartedBot } from '../support/test-bot.ts';

// Replies in a lead's thread, in every shape a real workspace delivers, through the real receiver.

const ctx = useStartedBot({}, { controlledClock: true });
const OWNER = 'U0OWNER';
let replies = 0;

const conversations = () =>
  createAzureConversationStore(
    createTableClient(inject('azureConnectionString'), `${ctx.tables.statePrefix}Conversations`),
  );

/** A posted Test Drive lead (a follow-up is awaited) owned by OWNER; the context of a reply in its thread. */
async function ownedLead(): Promise<ThreadContext> {
  await insertLeads(leadTableClient(ctx.tables), [leadColumns()]);
  await ctx.bot.jobs.poll();
  const message = ctx.slack.messages.find((m) => m.metadata !== undefined);
  const conversation = await conversations().findByMessage(LEADS_CHANNEL, message?.ts ?? '');
  await conversations().setOwner(conversation?.id ?? '', null, OWNER, ctx.now, true);
  replies += 1;
  return {
    channel: LEADS_CHANNEL,
    threadTs: message?.ts ?? '',
    user: OWNER,
    ts: `${Math.floor(Date.now() / 1000)}.00${replies}`,
  };
}

const followUpNotes = () =>
  ctx.slack.messages.filter((m) => m.text === `📝 <@${OWNER}> logged a reply in this thread.`);
const deliver = (
  event: Record<string, unknown>,
  eventId: string,
  headers: Record<string, string> = {},
  grid = false,
) => postEnvelope(ctx.port, SIGNING_SECRET, eventEnvelope(event, { eventId, enterpriseGrid: grid }), headers);

async function followedUp(thread: ThreadContext): Promise<boolean> {
  const conversation = await conversations().findByMessage(thread.channel, thread.threadTs);
  return conversation?.followUp?.kind === 'thread reply';
}

describe('replies in a lead’s thread', () => {
  it('accept a lead the rotation gave, also when no follow-up is awaited', async () => {
    const thread = await ownedLead();
    const conversation = await conversations().findByMessage(thread.channel, thread.threadTs);
    const id = conversation?.id ?? '';
    // Given by the rotation, and a manager logged the follow-up already: nothing awaited, not accepted.
    await conversations().setOwner(id, OWNER, null, ctx.now, true);
    await conversations().setOwner(id, null, OWNER, ctx.now, false);
    const afterArrival = new Date((conversation?.sla?.startedAt.getTime() ?? 0) + 1000);
    await conversations().recordFollowUp(id, {
      by: 'U0MANAGER',
      at: afterArrival,
      kind: 'call',
      note: null,
      nextStepOn: null,
    });
    expect((await conversations().getById(id))?.owner?.accepted).toBe(false);
    expect((await deliver(threadReply(thread), 'Ev0ACCEPT')).status).toBe(200);
    await vi.waitFor(async () => expect((await conversations().getById(id))?.owner?.accepted).toBe(true));
    await vi.waitFor(() =>
      expect(ctx.slack.messages.map((m) => m.text)).toContain(`👍 <@${OWNER}> accepted this lead.`),
    );
    expect(followUpNotes()).toHaveLength(0);
  });

  it.each([
    ['a plain reply', threadReply],
    ['a reply also sent to the channel (thread_broadcast)', threadBroadcast],
    ['a reply with a file (file_share)', fileShare],
  ])('counts %s by the owner as a follow-up', async (_, shape) => {
    const thread = await ownedLead();
    expect((await deliver(shape(thread), 'Ev0REPLY')).status).toBe(200);
    await vi.waitFor(() => expect(followUpNotes()).toHaveLength(1));
    expect(await followedUp(thread)).toBe(true);
  });

  it.each([
    ['an edit (message_changed)', messageChanged],
    ['a deletion (message_deleted)', messageDeleted],
    ['another integration’s message (bot_message)', botMessage],
  ])('does not count %s', async (_, shape) => {
    const thread = await ownedLead();
    expect((await deliver(shape(thread), 'Ev0OTHER')).status).toBe(200);
    // A plain reply delivered after it is counted: so the one before was handled, and ignored.
    expect((await deliver(threadReply({ ...thread, ts: `${thread.ts}9` }), 'Ev0AFTER')).status).toBe(200);
    await vi.waitFor(() => expect(followUpNotes()).toHaveLength(1));
    expect(ctx.bot.log.lines.filter((line) => line.level === 'error')).toEqual([]);
  });

  it('counts a redelivered event once (same event_id, X-Slack-Retry-Num), even overlapping the first', async () => {
    const thread = await ownedLead();
    const reply = threadReply(thread);
    const [first, retry] = await Promise.all([
      deliver(reply, 'Ev0RETRIED'),
      deliver(reply, 'Ev0RETRIED', { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' }),
    ]);
    expect([first.status, retry.status]).toEqual([200, 200]);
    await vi.waitFor(() => expect(followUpNotes()).toHaveLength(1));
    // and a later retry, after the first was handled
    await deliver(reply, 'Ev0RETRIED', { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_error' });
    expect(
      ctx.slack.messages.filter((m) => m.thread_ts === thread.threadTs && m.text.startsWith('📝')),
    ).toHaveLength(1);
  });

  it('logs one follow-up however many replies the owner sends at once', async () => {
    const thread = await ownedLead();
    const answers = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        deliver(threadReply({ ...thread, ts: `${thread.ts}${String(i).padStart(2, '0')}` }), `Ev0BURST${i}`),
      ),
    );
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    await vi.waitFor(() => expect(followUpNotes()).toHaveLength(1));
    // Every delivery handled (none left running), and still one note.
    await vi.waitFor(async () => expect(await followedUp(thread)).toBe(true));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(followUpNotes()).toHaveLength(1);
  });

  it('handles an Enterprise Grid delivery', async () => {
    const thread = await ownedLead();
    expect((await deliver({ ...threadReply(thread), team: null }, 'Ev0GRID', {}, true)).status).toBe(200);
    await vi.waitFor(() => expect(followUpNotes()).toHaveLength(1));
  });
});
