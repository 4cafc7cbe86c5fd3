import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isInHistoryRange } from '../../src/playground/local-slack.ts';

/** One Web API call the stand-in received, with JSON-valued form fields (blocks, metadata, view) decoded. */
export interface SlackCall {
  readonly method: string;
  readonly args: Record<string, unknown>;
  /** When the stand-in received it (ms since the epoch). */
  readonly at: number;
}

export interface FakeSlackOptions {
  /** Enforce Slack's chat.postMessage limit: more than this many posts a second to one channel get 429. */
  readonly postsPerChannelPerSecond?: number;
  /** Socket Mode: the WebSocket URL apps.connections.open answers with (see fake-socket-mode.ts). */
  readonly socketModeUrl?: string;
}

export interface StoredMessage {
  readonly channel: string;
  readonly ts: string;
  readonly thread_ts?: string;
  readonly text: string;
  readonly blocks: unknown[];
  readonly metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

/** How a call should fail: a Slack error code (HTTP 200, ok: false) or an HTTP status. */
export type Failure =
  | { readonly error: string }
  | { readonly status: number; readonly retryAfterSeconds?: number };

export interface FakeSlack {
  /** Web API base URL, for SLACK_API_URL / Bolt's clientOptions.slackApiUrl. */
  readonly apiUrl: string;
  /** A response_url for slash commands; what is sent there is recorded as method `response_url`. */
  readonly responseUrl: string;
  readonly calls: SlackCall[];
  callsTo(method: string): SlackCall[];
  /** Messages posted so far, in order, as Slack keeps them. */
  readonly messages: StoredMessage[];
  /** Makes the next `times` calls of `method` fail (`Infinity` until cleared with `succeed`). */
  fail(method: string, failure: Failure, times?: number, onlyChannel?: string): void;
  succeed(method: string): void;
  /** Calls of `method` are recorded and take effect, but get no answer (as if the caller died first). */
  hold(method: string): void;
  /**
   * The next `times` calls of `method` take effect (a post is stored), then the answer is lost: a 500,
   * or the connection dropped. What Slack sometimes does, and why a post is looked for before it is
   * made again.
   */
  loseAnswer(method: string, how: 'http_500' | 'drop', times?: number): void;
  /** Answers `method` again from now on. */
  release(method: string): void;
  /** What users.info says of a user from now on: their custom status, or that they were deactivated. */
  setUser(
    userId: string,
    profile: { statusEmoji?: string; statusText?: string; deleted?: boolean; email?: string | null },
  ): void;
  /**
   * The channels users.conversations lists for this user. By default a user is a member of every
   * channel the bot posted to (not direct messages).
   */
  setMembership(userId: string, channels: readonly string[]): void;
  /** conversations.info answers that the bot is not a member of this channel (by default it is). */
  removeBot(channel: string): void;
  /** How many calls were refused with 429 by the rate limit. */
  rateLimited(): number;
  /** Stamps messages by this clock (a test's controlled clock) instead of the wall clock. */
  useClock(clock: () => Date): void;
  /** Puts a message into a channel as if posted earlier (for crash-recovery tests). */
  addMessage(message: Omit<StoredMessage, 'ts'>): StoredMessage;
  close(): Promise<void>;
}

const JSON_FIELDS = ['blocks', 'metadata', 'view', 'attachments'];

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseArgs(body: string, contentType: string): Record<string, unknown> {
  if (contentType.includes('application/json'))
    return body ? (JSON.parse(body) as Record<string, unknown>) : {};
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    args[key] = JSON_FIELDS.includes(key) ? JSON.parse(value) : value;
  }
  return args;
}

interface BlockLike {
  type?: string;
  text?: { text?: string };
  fields?: Array<{ text?: string }>;
  elements?: Array<{ text?: string | { text?: string } }>;
}

/**
 * Slack's limits, as Slack enforces them (so a test sees what the field would refuse): a message's text
 * over 40,000 characters is msg_too_long; more than 50 blocks (100 in a view), a section over 3,000, a
 * header over 150 or a field or context element over 2,000 characters is invalid_blocks.
 */
function limitsRefusal(method: string, args: Record<string, unknown>): string | null {
  const isView = method === 'views.publish' || method === 'views.open';
  const isMessage = ['chat.postMessage', 'chat.update', 'chat.postEphemeral', 'response_url'].includes(
    method,
  );
  if (!isView && !isMessage) return null;
  if (isMessage && String(args.text ?? '').length > 40_000) return 'msg_too_long';
  const blocks = ((isView ? (args.view as { blocks?: unknown[] } | undefined)?.blocks : args.blocks) ??
    []) as BlockLike[];
  if (blocks.length > (isView ? 100 : 50)) return 'invalid_blocks';
  for (const block of blocks) {
    const textLimit = block.type === 'header' ? 150 : 3000;
    if ((block.text?.text ?? '').length > textLimit) return 'invalid_blocks';
    if ((block.fields ?? []).some((field) => (field.text ?? '').length > 2000)) return 'invalid_blocks';
    const elementText = (element: { text?: string | { text?: string } }) =>
      typeof element.text === 'string' ? element.text : (element.text?.text ?? '');
    if ((block.elements ?? []).some((element) => elementText(element).length > 2000)) return 'invalid_blocks';
  }
  return null;
}

/**
 * A local HTTP stand-in of Slack's Web API: records every call and answers like Slack for the methods
 * the bot uses, keeping posted messages so history, replies and metadata searches work.
 */
export async function createFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const lastPost = new Map<string, number>();
  let rateLimited = 0;
  const calls: SlackCall[] = [];
  const messages: StoredMessage[] = [];
  const failures = new Map<
    string,
    { failure: Failure; remaining: number; onlyChannel: string | undefined }
  >();
  const held = new Set<string>();
  const users = new Map<
    string,
    { statusEmoji?: string; statusText?: string; deleted?: boolean; email?: string | null }
  >();
  const memberships = new Map<string, readonly string[]>();
  const channelsWithoutBot = new Set<string>();
  const lostAnswers = new Map<string, { how: 'http_500' | 'drop'; remaining: number }>();
  const unanswered: Array<import('node:http').ServerResponse> = [];
  // Like Slack's: the posting time in seconds, made unique with a sequence in the microseconds.
  let sequence = 0;
  let clock = () => new Date();
  const nextTs = () => `${Math.floor(clock().getTime() / 1000)}.${String(++sequence).padStart(6, '0')}`;

  const store = (message: Omit<StoredMessage, 'ts'>): StoredMessage => {
    const stored = { ...message, ts: nextTs() };
    messages.push(stored);
    return stored;
  };

  const answer = (method: string, args: Record<string, unknown>): Record<string, unknown> => {
    const channel = String(args.channel ?? '');
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          user_id: 'UBOT',
          bot_id: 'BBOT',
          team_id: 'T0001',
          user: 'leadbot',
          url: 'https://example.slack.com/',
        };
      case 'chat.postMessage': {
        // A post to a user goes to the bot's direct-message channel with them, as in Slack.
        const inChannel = /^[UW]/.test(channel) ? `D${channel}` : channel;
        const message = store({
          channel: inChannel,
          text: String(args.text ?? ''),
          blocks: (args.blocks as unknown[]) ?? [],
          ...(args.thread_ts ? { thread_ts: String(args.thread_ts) } : {}),
          ...(args.metadata ? { metadata: args.metadata as StoredMessage['metadata'] } : {}),
        });
        return { ok: true, channel: inChannel, ts: message.ts, message };
      }
      case 'conversations.info':
        return { ok: true, channel: { id: channel, is_member: !channelsWithoutBot.has(channel) } };
      case 'users.conversations': {
        const user = String(args.user ?? '');
        const all = [...new Set(messages.map((m) => m.channel).filter((c) => !c.startsWith('D')))];
        const channels = memberships.get(user) ?? all;
        // Two channels a page, so a caller that stops after the first page is caught.
        const offset = Number(args.cursor ?? 0);
        const next = offset + 2 < channels.length ? String(offset + 2) : '';
        return {
          ok: true,
          channels: channels.slice(offset, offset + 2).map((id) => ({ id })),
          response_metadata: { next_cursor: next },
        };
      }
      case 'conversations.open':
        return { ok: true, channel: { id: `D${String(args.users ?? '')}` } };
      case 'chat.getPermalink':
        return {
          ok: true,
          channel,
          permalink: `https://example.slack.com/archives/${channel}/p${String(args.message_ts).replace('.', '')}`,
        };
      case 'users.info': {
        const user = users.get(String(args.user));
        return {
          ok: true,
          user: {
            id: args.user,
            name: `name-${String(args.user)}`,
            real_name: `Real ${String(args.user)}`,
            tz: 'Europe/Berlin',
            is_admin: String(args.user).startsWith('U0WSADMIN'),
            is_owner: false,
            deleted: user?.deleted ?? false,
            profile: {
              status_emoji: user?.statusEmoji ?? '',
              status_text: user?.statusText ?? '',
              // Given with the users:read.email scope: by default every user has one.
              ...(user?.email === null
                ? {}
                : { email: user?.email ?? `${String(args.user).toLowerCase()}@team.example` }),
            },
          },
        };
      }
      case 'users.lookupByEmail': {
        // A user with that e-mail set, else the default e-mail of users.info (user id, lower case).
        const email = String(args.email ?? '').toLowerCase();
        const set = [...users].find(([, user]) => user.email?.toLowerCase() === email)?.[0];
        const derived = email.match(/^(u0[a-z0-9]+)@team\.example$/)?.[1]?.toUpperCase();
        const id =
          set ?? (derived !== undefined && users.get(derived)?.email === undefined ? derived : undefined);
        if (id === undefined) return { ok: false, error: 'users_not_found' };
        return { ok: true, user: { id, deleted: users.get(id)?.deleted ?? false } };
      }
      case 'chat.update': {
        // Changed in place, as Slack does: what the channel reads back from now on.
        const index = messages.findIndex((m) => m.channel === channel && m.ts === String(args.ts ?? ''));
        const existing = messages[index];
        if (existing === undefined) return { ok: false, error: 'message_not_found' };
        messages[index] = {
          ...existing,
          text: String(args.text ?? existing.text),
          blocks: (args.blocks as unknown[] | undefined) ?? existing.blocks,
          ...(args.metadata ? { metadata: args.metadata as StoredMessage['metadata'] } : {}),
        };
        return { ok: true, channel, ts: existing.ts };
      }
      case 'chat.postEphemeral':
        return { ok: true, message_ts: nextTs() };
      case 'conversations.history': {
        const found = messages
          .filter((m) => m.channel === channel && m.thread_ts === undefined && isInHistoryRange(m.ts, args))
          .reverse()
          .slice(0, Number(args.limit ?? 100))
          .map((m) => (args.include_all_metadata ? m : { ...m, metadata: undefined }));
        return { ok: true, messages: found, has_more: false };
      }
      case 'conversations.replies': {
        const root = String(args.ts ?? '');
        const found = messages
          .filter((m) => m.channel === channel && (m.ts === root || m.thread_ts === root))
          .map((m) => (args.include_all_metadata ? m : { ...m, metadata: undefined }));
        return { ok: true, messages: found, has_more: false };
      }
      case 'apps.connections.open':
        return options.socketModeUrl
          ? { ok: true, url: options.socketModeUrl }
          : { ok: false, error: 'not_allowed' };
      default:
        return { ok: true };
    }
  };

  const server: Server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const body = await readBody(req);
    const args = parseArgs(body, String(req.headers['content-type'] ?? ''));
    const method = path.startsWith('/respond/') ? 'response_url' : path.replace(/^\/api\//, '');
    const at = Date.now();
    if (method === 'chat.postMessage' && options.postsPerChannelPerSecond) {
      const channel = String(args.channel ?? '');
      const gap = 1000 / options.postsPerChannelPerSecond;
      const since = at - (lastPost.get(channel) ?? 0);
      if (since < gap) {
        rateLimited += 1;
        const retryAfter = Math.ceil((gap - since) / 1000);
        res
          .writeHead(429, { 'content-type': 'application/json', 'retry-after': String(retryAfter) })
          .end(JSON.stringify({ ok: false, error: 'ratelimited' }));
        return;
      }
      lastPost.set(channel, at);
    }
    calls.push({ method, args, at });
    const failing = failures.get(method);
    if (
      failing &&
      failing.remaining > 0 &&
      (failing.onlyChannel === undefined || failing.onlyChannel === args.channel)
    ) {
      failing.remaining -= 1;
      const { failure } = failing;
      if ('error' in failure) {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ ok: false, error: failure.error }));
      } else {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (failure.retryAfterSeconds !== undefined)
          headers['retry-after'] = String(failure.retryAfterSeconds);
        res.writeHead(failure.status, headers).end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      }
      return;
    }
    const refusal = limitsRefusal(method, args);
    if (refusal !== null) {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ ok: false, error: refusal }));
      return;
    }
    const result = answer(method, args);
    const lost = lostAnswers.get(method);
    if (lost && lost.remaining > 0) {
      lost.remaining -= 1;
      if (lost.how === 'drop') req.socket.destroy();
      else res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error');
      return;
    }
    if (held.has(method)) {
      unanswered.push(res);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    responseUrl: `http://127.0.0.1:${port}/respond/1`,
    calls,
    messages,
    callsTo: (method) => calls.filter((call) => call.method === method),
    fail: (method, failure, times = 1, onlyChannel) =>
      failures.set(method, { failure, remaining: times, onlyChannel }),
    succeed: (method) => failures.delete(method),
    addMessage: store,
    rateLimited: () => rateLimited,
    hold: (method) => held.add(method),
    useClock: (next) => {
      clock = next;
    },
    loseAnswer: (method, how, times = 1) => lostAnswers.set(method, { how, remaining: times }),
    release: (method) => held.delete(method),
    setUser: (userId, profile) => users.set(userId, profile),
    setMembership: (userId, channels) => memberships.set(userId, channels),
    removeBot: (channel) => channelsWithoutBot.add(channel),
    close: () => {
      for (const res of unanswered.splice(0)) res.destroy();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
