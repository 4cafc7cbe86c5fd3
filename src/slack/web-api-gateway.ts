import { ErrorCode, type WebAPICallError, type WebAPIRateLimitedError, type WebClient } from '@slack/web-api';
import { isTokenRefused, SlackCallError } from '../services/slack-port.ts';
import { fitMessage, fitView } from './blocks/limits.ts';
import { type MetadataQuery, metadataMatches, type SlackGateway } from './gateway.ts';

function slackCodeOf(error: unknown): string {
  if (typeof error !== 'object' || error === null || !('code' in error)) return 'unknown_error';
  // The web-api client throws only WebAPICallError subclasses, told apart by `code`.
  const callError = error as WebAPICallError;
  switch (callError.code) {
    case ErrorCode.PlatformError:
      return callError.data.error;
    case ErrorCode.RateLimitedError:
      return 'ratelimited';
    case ErrorCode.HTTPError:
      return `http_${callError.statusCode}`;
    case ErrorCode.RequestError:
      return 'request_failed';
    default:
      return 'unknown_error';
  }
}

async function callSlack<T>(method: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new SlackCallError(method, slackCodeOf(error));
  }
}

interface MessageWithMetadata {
  readonly ts?: string;
  readonly metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
}

const MAX_PAGES = 10;

/**
 * Runs the posts to each channel one at a time, each starting at least `intervalMs` after the previous
 * one finished: Slack allows about one message a second per channel, and counting from the finish (not
 * the start) keeps network jitter from ever making two posts arrive closer than that. A backlog is thus
 * drained at Slack's pace instead of collecting 429s; posts to different channels do not wait for each
 * other.
 */
export function createChannelPacer(intervalMs: number, now: () => number = Date.now) {
  // One entry per channel (and per user for DMs) the bot ever posted to: a few hundred at most.
  const tails = new Map<string, Promise<number>>();
  return async <T>(channel: string, post: () => Promise<T>): Promise<T> => {
    if (intervalMs <= 0) return post();
    const previous = tails.get(channel) ?? Promise.resolve(Number.NEGATIVE_INFINITY);
    let release: (finishedAt: number) => void = () => {};
    const tail = new Promise<number>((resolve) => {
      release = resolve;
    });
    tails.set(channel, tail);
    const finishedAt = await previous;
    const wait = finishedAt + intervalMs - now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    try {
      return await post();
    } finally {
      // Kept after it settles: the next post, even one started much later, waits from this finish.
      release(now());
    }
  };
}

export interface WebApiGatewayOptions {
  /** Minimum time between two posts to one channel (Slack's limit is about 1 per second). */
  readonly postIntervalMs: number;
  /**
   * The client that posts messages: configured with no retries and rate limits rejected, because a
   * post is not idempotent. A post refused with 429 never happened and is retried here after
   * Retry-After; any other failure is thrown at once, so that a post whose outcome is unknown is
   * looked for by its metadata before it is made again. Defaults to `client` (tests of reads only).
   */
  readonly poster?: WebClient;
  /**
   * How long one post may take in all, its retries after a 429 included: a retry starts only if it can
   * end (its wait plus a whole call) within this. Defaults to no retry.
   */
  readonly postBudgetMs?: number;
  /** The client's timeout of one call. */
  readonly callTimeoutMs?: number;
  /** Told when Slack refuses the bot's token on any call (revoked, invalid): readiness follows it. */
  readonly onTokenRefused?: (code: string) => void;
}

async function postRespectingRateLimits<T>(
  post: () => Promise<T>,
  budgetMs: number,
  callTimeoutMs: number,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      return await post();
    } catch (error) {
      const retryAfterMs =
        typeof error === 'object' &&
        error !== null &&
        'code' in error &&
        error.code === ErrorCode.RateLimitedError
          ? (error as WebAPIRateLimitedError).retryAfter * 1000
          : null;
      if (retryAfterMs === null || Date.now() - started + retryAfterMs + callTimeoutMs > budgetMs)
        throw error;
      await new Promise((resolve) => setTimeout(resolve, retryAfterMs));
    }
  }
}

/** The gateway over Slack's Web API (a `WebClient`, e.g. Bolt's `app.client`). */
export function createWebApiGateway(client: WebClient, options: WebApiGatewayOptions): SlackGateway {
  const pace = createChannelPacer(options.postIntervalMs);
  const poster = options.poster ?? client;
  const call = async <T>(method: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await callSlack(method, run);
    } catch (error) {
      if (error instanceof SlackCallError && isTokenRefused(error.code)) options.onTokenRefused?.(error.code);
      throw error;
    }
  };
  return {
    async postMessage(unfitted) {
      const message = fitMessage(unfitted);
      const result = await pace(message.channel, () =>
        call('chat.postMessage', () =>
          postRespectingRateLimits(
            () =>
              poster.chat.postMessage({
                channel: message.channel,
                text: message.text,
                blocks: [...message.blocks],
                ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
                ...(message.metadata
                  ? {
                      metadata: {
                        event_type: message.metadata.eventType,
                        event_payload: { ...message.metadata.payload },
                      },
                    }
                  : {}),
                unfurl_links: false,
                unfurl_media: false,
              }),
            options.postBudgetMs ?? 0,
            options.callTimeoutMs ?? 0,
          ),
        ),
      );
      return { channel: result.channel ?? message.channel, ts: result.ts ?? '' };
    },
    async updateMessage(channel, ts, unfitted) {
      const message = fitMessage(unfitted);
      await call('chat.update', () =>
        client.chat.update({ channel, ts, text: message.text, blocks: [...message.blocks] }),
      );
    },
    async publishHome(userId, view) {
      await call('views.publish', () => client.views.publish({ user_id: userId, view: fitView(view) }));
    },
    async openModal(triggerId, view) {
      await call('views.open', () => client.views.open({ trigger_id: triggerId, view: fitView(view) }));
    },
    async userProfile(userId) {
      const { user } = await call('users.info', () => client.users.info({ user: userId }));
      return {
        timeZone: user?.tz ?? null,
        isWorkspaceAdmin: Boolean(user?.is_admin || user?.is_owner),
        status: { emoji: user?.profile?.status_emoji ?? '', text: user?.profile?.status_text ?? '' },
        deactivated: user?.deleted === true,
        email: user?.profile?.email ?? null,
      };
    },
    async userIdByEmail(email) {
      try {
        const { user } = await call('users.lookupByEmail', () => client.users.lookupByEmail({ email }));
        return user?.id && user.deleted !== true ? user.id : null;
      } catch (error) {
        if (error instanceof SlackCallError && error.code === 'users_not_found') return null;
        throw error;
      }
    },
    async isBotInChannel(channel) {
      try {
        const info = await call('conversations.info', () => client.conversations.info({ channel }));
        return info.channel?.is_member === true;
      } catch (error) {
        if (error instanceof SlackCallError && error.code === 'channel_not_found') return false;
        throw error;
      }
    },
    async memberChannels(userId) {
      const channels = new Set<string>();
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const result = await call('users.conversations', () =>
          client.users.conversations({
            user: userId,
            types: 'public_channel,private_channel',
            exclude_archived: true,
            limit: 1000,
            ...(cursor ? { cursor } : {}),
          }),
        );
        for (const channel of result.channels ?? []) if (channel.id) channels.add(channel.id);
        cursor = result.response_metadata?.next_cursor;
        if (!cursor) break;
      }
      return channels;
    },
    async directMessageChannel(userId) {
      const opened = await call('conversations.open', () => client.conversations.open({ users: userId }));
      return opened.channel?.id ?? userId;
    },
    async permalink(channel, ts) {
      try {
        const result = await client.chat.getPermalink({ channel, message_ts: ts });
        return result.permalink ?? null;
      } catch (error) {
        if (slackCodeOf(error) === 'message_not_found') return null;
        throw new SlackCallError('chat.getPermalink', slackCodeOf(error));
      }
    },
    async findMessageByMetadata(query: MetadataQuery) {
      const oldest = (query.oldest.getTime() / 1000).toFixed(6);
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const result = query.threadTs
          ? await call('conversations.replies', () =>
              client.conversations.replies({
                channel: query.channel,
                ts: query.threadTs ?? '',
                oldest,
                include_all_metadata: true,
                limit: 200,
                ...(cursor ? { cursor } : {}),
              }),
            )
          : await call('conversations.history', () =>
              client.conversations.history({
                channel: query.channel,
                oldest,
                include_all_metadata: true,
                limit: 200,
                ...(cursor ? { cursor } : {}),
              }),
            );
        const found = (result.messages as MessageWithMetadata[] | undefined)?.find((message) =>
          metadataMatches(message.metadata, query.metadata),
        );
        if (found?.ts) return { channel: query.channel, ts: found.ts };
        cursor = result.response_metadata?.next_cursor;
        if (!cursor) return null;
      }
      return null;
    },
  };
}
