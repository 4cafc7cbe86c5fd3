import type { App } from '@slack/bolt';
import { isAwaitingFollowUp } from '../../../domain/conversation.ts';
import type { OwnershipDeps } from '../../../services/change-owner.ts';
import { logFollowUp } from '../../../services/log-follow-up.ts';

/**
 * A reply by the owner in a lead's thread counts as a follow-up while one is awaited (the bot says so in
 * the thread); other replies are conversation, not follow-ups, and are left alone.
 */
export function registerThreadReply(app: App, deps: OwnershipDeps): void {
  app.message(async ({ message }) => {
    if (message.subtype !== undefined || !('thread_ts' in message) || !message.thread_ts || !message.user)
      return;
    if (message.thread_ts === message.ts) return;
    const conversation = await deps.conversations.findByMessage(message.channel, message.thread_ts);
    if (
      conversation === null ||
      conversation.owner?.userId !== message.user ||
      !isAwaitingFollowUp(conversation)
    )
      return;
    await logFollowUp(
      conversation.id,
      { by: message.user, at: deps.clock(), kind: 'thread reply', note: null, nextStepOn: null },
      deps,
    );
  });
}
