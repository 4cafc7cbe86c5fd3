import type { PostedMessage } from '../services/slack-port.ts';
import { fitMessage, fitView } from './blocks/limits.ts';
import { previewMessage } from './blocks/text-preview.ts';
import { metadataMatches, type OutgoingMessage, type SlackGateway } from './gateway.ts';

export interface ConsoleGatewayOptions {
  /** Where the preview goes (a line at a time). */
  readonly write: (text: string) => void;
  /** Also print each message's Block Kit JSON, to paste into Slack's Block Kit Builder. */
  readonly showBlocks: boolean;
  /** Makes the message timestamps (`ts`) the console gateway hands out. */
  readonly clock: () => Date;
}

/**
 * Local mode: prints what would be posted instead of calling Slack. Messages are remembered in this
 * process only, which is fine for a single local process and is why real deployments use Slack itself.
 */
export function createConsoleGateway(options: ConsoleGatewayOptions): SlackGateway {
  const posted: Array<OutgoingMessage & PostedMessage> = [];
  let sequence = 0;
  const print = (title: string, message: Parameters<typeof previewMessage>[0]) => {
    options.write(`\n┌─ ${title}\n${previewMessage(message).replace(/^/gm, '│ ')}\n└─`);
    if (options.showBlocks) options.write(JSON.stringify({ blocks: message.blocks }, null, 2));
  };
  return {
    async postMessage(unfitted) {
      const message = fitMessage(unfitted);
      sequence += 1;
      const ts = `${Math.floor(options.clock().getTime() / 1000)}.${String(sequence).padStart(6, '0')}`;
      posted.push({ ...message, ts });
      const where = message.threadTs ? `thread ${message.threadTs} in ${message.channel}` : message.channel;
      print(`would post to ${where}`, message);
      return { channel: message.channel, ts };
    },
    async updateMessage(channel, ts, message) {
      print(`would update message ${ts} in ${channel}`, fitMessage(message));
    },
    async publishHome(userId, view) {
      options.write(
        `\n┌─ would publish the App Home of ${userId}\n${JSON.stringify(fitView(view), null, 2)}\n└─`,
      );
    },
    async openModal(_triggerId, view) {
      options.write(`\n┌─ would open a modal\n${JSON.stringify(fitView(view), null, 2)}\n└─`);
    },
    async userProfile() {
      return { timeZone: null, isWorkspaceAdmin: false, status: { emoji: '', text: '' }, deactivated: false };
    },
    async isBotInChannel() {
      return true; // local mode prints what it would post: it is everywhere
    },
    async memberChannels() {
      // Local mode is one person trying the bot: they are in every channel it posted to.
      return new Set(posted.map((message) => message.channel));
    },
    async directMessageChannel(userId) {
      return userId; // local mode posts a DM under the user's id
    },
    async permalink(channel, ts) {
      return `local://${channel}/${ts}`;
    },
    async findMessageByMetadata(query) {
      const found = posted.find(
        (message) =>
          message.channel === query.channel &&
          (message.threadTs ?? null) === query.threadTs &&
          Number(message.ts) >= query.oldest.getTime() / 1000 &&
          metadataMatches(
            message.metadata && {
              event_type: message.metadata.eventType,
              event_payload: message.metadata.payload,
            },
            query.metadata,
          ),
      );
      return found ? { channel: found.channel, ts: found.ts } : null;
    },
  };
}
