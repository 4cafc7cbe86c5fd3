import type { RenderedMessage } from './blocks/types.ts';

export interface MessageMetadata {
  readonly eventType: string;
  readonly payload: Readonly<Record<string, string>>;
}

export interface OutgoingMessage extends RenderedMessage {
  readonly channel: string;
  /** Posts as a reply in this thread. */
  readonly threadTs?: string | null;
  /** Attached to the message, so a message posted before a crash can be found again. */
  readonly metadata?: MessageMetadata;
}

export interface PostedMessage {
  readonly channel: string;
  readonly ts: string;
}

export interface MetadataQuery {
  readonly channel: string;
  /** Search this thread's replies; null searches the channel's top-level messages. */
  readonly threadTs: string | null;
  readonly metadata: MessageMetadata;
  /** Messages older than this are not searched. */
  readonly oldest: Date;
}

/** The part of Slack's Web API the bot uses. Failures are thrown as SlackCallError. */
export interface SlackGateway {
  postMessage(message: OutgoingMessage): Promise<PostedMessage>;
  updateMessage(channel: string, ts: string, message: RenderedMessage): Promise<void>;
  /** Publishes the user's App Home tab. */
  publishHome(userId: string, view: object): Promise<void>;
  /** Opens a modal for the user who triggered `triggerId` (valid for 3 seconds after their click). */
  openModal(triggerId: string, view: object): Promise<void>;
  /** From the user's Slack profile: their IANA time zone (null when unknown), and whether they are a workspace admin or owner. */
  userProfile(
    userId: string,
  ): Promise<{ readonly timeZone: string | null; readonly isWorkspaceAdmin: boolean }>;
  /** A link to a message; null when Slack has none (the message is gone). */
  permalink(channel: string, ts: string): Promise<string | null>;
  /** The bot's own message whose metadata has this event type and payload; null when there is none. */
  findMessageByMetadata(query: MetadataQuery): Promise<PostedMessage | null>;
}

// Errors that will not go away by retrying the same call: an admin must fix something in Slack.
const PERMANENT = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'missing_scope',
  'not_authed',
  'invalid_blocks',
  'msg_too_long',
]);

/** A failed Slack call, with Slack's error code (`channel_not_found`, `ratelimited`, `http_503`, …). */
export class SlackCallError extends Error {
  readonly permanent: boolean;
  constructor(
    readonly method: string,
    readonly code: string,
  ) {
    super(`Slack ${method} failed: ${code}`);
    this.name = 'SlackCallError';
    this.permanent = PERMANENT.has(code);
  }
}
