import type { App } from '@slack/bolt';
import type { OwnershipDeps } from '../../../services/change-owner.ts';
import { countThreadReply } from '../../../services/log-follow-up.ts';
import type { OnceStore } from '../../../stores/once-store.ts';

/**
 * Message subtypes that are a person writing in a thread: a plain reply, one also sent to the channel,
 * one with a file. Edits, deletions, bots' messages and channel events are not replies.
 */
const HUMAN_REPLY_SUBTYPES = new Set([undefined, 'thread_broadcast', 'file_share']);

/** A human's reply in a lead's thread: counted as a follow-up by the service when its owner wrote it. */
export function registerThreadReply(app: App, deps: OwnershipDeps & { readonly once: OnceStore }): void {
  app.message(async ({ message, body }) => {
    if (!HUMAN_REPLY_SUBTYPES.has(message.subtype)) return;
    if (!('thread_ts' in message) || !message.thread_ts || message.thread_ts === message.ts) return;
    if (!('user' in message) || !message.user || ('bot_id' in message && message.bot_id)) return;
    const eventId = 'event_id' in body && typeof body.event_id === 'string' ? body.event_id : message.ts;
    await countThreadReply(
      { eventId, channel: message.channel, threadTs: message.thread_ts, user: message.user },
      deps,
    );
  });
}
