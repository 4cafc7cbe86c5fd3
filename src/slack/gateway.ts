import type { UserProfile } from '../domain/availability.ts';
import type { PostedMessage } from '../services/slack-port.ts';
import type { HomeView, ModalView, RenderedMessage } from './blocks/types.ts';

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
  publishHome(userId: string, view: HomeView): Promise<void>;
  /** Opens a modal for the user who triggered `triggerId` (valid for 3 seconds after their click). */
  openModal(triggerId: string, view: ModalView): Promise<void>;
  /** From the user's Slack profile (users.info): time zone, workspace admin, status, deactivated. */
  userProfile(userId: string): Promise<UserProfile>;
  /** The active user with this e-mail (users.lookupByEmail); null when the workspace has none. */
  userIdByEmail(email: string): Promise<string | null>;
  /** A link to a message; null when Slack has none (the message is gone). */
  permalink(channel: string, ts: string): Promise<string | null>;
  /**
   * The channels (public and private) the user is a member of, among those the bot can see (Slack's
   * users.conversations, every page): whose lists a user may read.
   */
  memberChannels(userId: string): Promise<ReadonlySet<string>>;
  /**
   * Whether the bot is a member of the channel (conversations.info's `is_member`); false for a channel
   * Slack does not show it (deleted, or private without it).
   */
  isBotInChannel(channel: string): Promise<boolean>;
  /** The id of the bot's direct-message channel with a user (Slack's conversations.open). */
  directMessageChannel(userId: string): Promise<string>;
  /** The bot's own message whose metadata has this event type and payload; null when there is none. */
  findMessageByMetadata(query: MetadataQuery): Promise<PostedMessage | null>;
}

/** True when a message's metadata (as Slack returns it) has the wanted event type and payload values. */
export function metadataMatches(
  found:
    | { readonly event_type?: string; readonly event_payload?: Readonly<Record<string, unknown>> }
    | undefined,
  wanted: MessageMetadata,
): boolean {
  if (found?.event_type !== wanted.eventType) return false;
  return Object.entries(wanted.payload).every(([key, value]) => found.event_payload?.[key] === value);
}
