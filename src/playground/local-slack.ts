import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A person of the playground's workspace: who the visitor can act as. */
export interface PlaygroundUser {
  readonly id: string;
  readonly name: string;
  readonly role: 'rep' | 'manager' | 'admin';
  readonly timeZone: string;
  readonly statusEmoji: string;
  readonly statusText: string;
}

/** A message as the workspace keeps it; `ephemeralFor` when only one user sees it (a private answer). */
export interface WorkspaceMessage {
  readonly id: number;
  readonly channel: string;
  readonly ts: string;
  readonly threadTs: string | null;
  /** Who wrote it; null for the bot. */
  readonly user: string | null;
  readonly text: string;
  readonly blocks: readonly unknown[];
  readonly metadata: { event_type: string; event_payload: Record<string, unknown> } | null;
  readonly ephemeralFor: string | null;
}

/** A view the bot published (a user's App Home) or opened (a modal, on top of the user's stack). */
export interface WorkspaceView {
  readonly id: string;
  readonly user: string;
  readonly kind: 'home' | 'modal';
  readonly view: Record<string, unknown>;
}

/** The playground's Slack: the Web API the bot calls, and the workspace it changes. */
export interface LocalSlack {
  /** For Bolt's `slackApiUrl`. */
  readonly apiUrl: string;
  readonly users: PlaygroundUser[];
  readonly messages: WorkspaceMessage[];
  readonly views: WorkspaceView[];
  /** Where a slash command's or an action's private answers go (Slack's response_url), per user and channel. */
  responseUrl(user: string, channel: string): string;
  /** A trigger id for a click or command by `user`: a modal the bot opens with it opens for them. */
  triggerFor(user: string): string;
  /** A message a user writes (a thread reply), stored as Slack would; returns its ts. */
  addUserMessage(user: string, channel: string, threadTs: string | null, text: string): WorkspaceMessage;
  /** Closes a user's top modal (submitted without errors, or cancelled). */
  closeModal(user: string): void;
  updateUser(
    id: string,
    change: Partial<Pick<PlaygroundUser, 'timeZone' | 'statusEmoji' | 'statusText'>>,
  ): void;
  /** Called after every change the page should show. */
  onChange(listener: () => void): () => void;
  close(): Promise<void>;
}

const JSON_FIELDS = ['blocks', 'metadata', 'view', 'attachments'];

async function argsOf(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  if (String(req.headers['content-type'] ?? '').includes('application/json'))
    return body ? (JSON.parse(body) as Record<string, unknown>) : {};
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body))
    args[key] = JSON_FIELDS.includes(key) ? JSON.parse(value) : value;
  return args;
}

/**
 * A small Slack workspace in this process, answering the Web API methods the bot calls (the same calls
 * it makes to Slack) and keeping what they did: messages with their updates, private answers, App
 * Homes and modals. Listens on 127.0.0.1 only.
 */
export async function createLocalSlack(users: PlaygroundUser[], clock: () => Date): Promise<LocalSlack> {
  const messages: WorkspaceMessage[] = [];
  const views: WorkspaceView[] = [];
  const listeners = new Set<() => void>();
  let sequence = 0;
  let viewSequence = 0;
  const triggers = new Map<string, string>();
  const changed = () => {
    for (const listener of listeners) listener();
  };
  const nextTs = () => `${Math.floor(clock().getTime() / 1000)}.${String(++sequence).padStart(6, '0')}`;
  const store = (message: Omit<WorkspaceMessage, 'id' | 'ts'>): WorkspaceMessage => {
    const stored = { ...message, id: sequence + 1, ts: nextTs() };
    messages.push(stored);
    changed();
    return stored;
  };
  const dmChannel = (channel: string) => (/^[UW]/.test(channel) ? `D${channel}` : channel);
  const userOf = (id: string) => users.find((user) => user.id === id);
  /** The playground's e-mail of a user: their name, dotted, at playground.example. */
  const emailOf = (id: string) =>
    `${(userOf(id)?.name ?? id).toLowerCase().replace(/[^a-z0-9]+/g, '.')}@playground.example`;

  const answer = (method: string, args: Record<string, unknown>): Record<string, unknown> => {
    const channel = dmChannel(String(args.channel ?? ''));
    switch (method) {
      case 'auth.test':
        return { ok: true, user_id: 'UPLAYBOT', bot_id: 'BPLAYBOT', team_id: 'TPLAY', user: 'leadbot' };
      case 'chat.postMessage': {
        const message = store({
          channel,
          threadTs: args.thread_ts ? String(args.thread_ts) : null,
          user: null,
          text: String(args.text ?? ''),
          blocks: (args.blocks as unknown[]) ?? [],
          metadata: (args.metadata as WorkspaceMessage['metadata']) ?? null,
          ephemeralFor: null,
        });
        return { ok: true, channel, ts: message.ts };
      }
      case 'chat.update': {
        const index = messages.findIndex((m) => m.channel === channel && m.ts === String(args.ts));
        const existing = messages[index];
        if (existing === undefined) return { ok: false, error: 'message_not_found' };
        messages[index] = {
          ...existing,
          text: String(args.text ?? existing.text),
          blocks: (args.blocks as unknown[]) ?? existing.blocks,
          metadata: (args.metadata as WorkspaceMessage['metadata']) ?? existing.metadata,
        };
        changed();
        return { ok: true, channel, ts: existing.ts };
      }
      case 'chat.postEphemeral': {
        const message = store({
          channel,
          threadTs: args.thread_ts ? String(args.thread_ts) : null,
          user: null,
          text: String(args.text ?? ''),
          blocks: (args.blocks as unknown[]) ?? [],
          metadata: null,
          ephemeralFor: String(args.user ?? ''),
        });
        return { ok: true, message_ts: message.ts };
      }
      case 'chat.getPermalink':
        return {
          ok: true,
          channel,
          permalink: `${base}/archives/${channel}/p${String(args.message_ts).replace('.', '')}`,
        };
      case 'conversations.info':
        return { ok: true, channel: { id: channel, is_member: true } };
      case 'conversations.open':
        return { ok: true, channel: { id: `D${String(args.users ?? '')}` } };
      case 'users.conversations': {
        // Everyone is in every channel of the playground (direct messages aside).
        const channels = [...new Set(messages.map((m) => m.channel).filter((c) => !c.startsWith('D')))];
        return { ok: true, channels: channels.map((id) => ({ id })), response_metadata: { next_cursor: '' } };
      }
      case 'users.info': {
        const user = userOf(String(args.user));
        return {
          ok: true,
          user: {
            id: args.user,
            name: user?.name ?? String(args.user),
            real_name: user?.name ?? String(args.user),
            tz: user?.timeZone ?? 'UTC',
            is_admin: false,
            is_owner: false,
            deleted: false,
            profile: {
              status_emoji: user?.statusEmoji ?? '',
              status_text: user?.statusText ?? '',
              email: emailOf(String(args.user)),
            },
          },
        };
      }
      case 'users.lookupByEmail': {
        const email = String(args.email ?? '').toLowerCase();
        const user = users.find((candidate) => emailOf(candidate.id) === email);
        return user
          ? { ok: true, user: { id: user.id, name: user.name, deleted: false } }
          : { ok: false, error: 'users_not_found' };
      }
      case 'conversations.history':
      case 'conversations.replies': {
        const root = String(args.ts ?? '');
        const found = messages.filter(
          (m) =>
            m.channel === channel &&
            m.ephemeralFor === null &&
            isInHistoryRange(m.ts, args) &&
            (method === 'conversations.history' ? m.threadTs === null : m.ts === root || m.threadTs === root),
        );
        const shown = method === 'conversations.history' ? [...found].reverse() : found;
        return {
          ok: true,
          has_more: false,
          messages: shown.slice(0, Number(args.limit ?? 100)).map((m) => ({
            ts: m.ts,
            text: m.text,
            blocks: m.blocks,
            ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
            ...(args.include_all_metadata && m.metadata ? { metadata: m.metadata } : {}),
          })),
        };
      }
      case 'views.publish': {
        const user = String(args.user_id ?? '');
        const existing = views.findIndex((v) => v.kind === 'home' && v.user === user);
        const view = {
          id: `VHOME${user}`,
          user,
          kind: 'home' as const,
          view: args.view as Record<string, unknown>,
        };
        if (existing >= 0) views[existing] = view;
        else views.push(view);
        changed();
        return { ok: true, view: { id: view.id } };
      }
      case 'views.open': {
        // A trigger the page made names its user; any other opens a modal nobody sees.
        const user = triggers.get(String(args.trigger_id ?? '')) ?? '';
        const view = {
          id: `VMODAL${++viewSequence}`,
          user,
          kind: 'modal' as const,
          view: args.view as Record<string, unknown>,
        };
        views.push(view);
        changed();
        return { ok: true, view: { id: view.id } };
      }
      default:
        return { ok: true };
    }
  };

  let base = '';
  const server: Server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const args = await argsOf(req).catch(() => ({}) as Record<string, unknown>);
    if (path.startsWith('/archives/')) {
      res
        .writeHead(200, { 'content-type': 'text/plain; charset=utf-8' })
        .end('A link to a message of the playground: find it on the playground page.');
      return;
    }
    const respond = path.match(/^\/respond\/([^/]+)\/([^/]+)$/);
    if (respond) {
      const [, user = '', channel = ''] = respond.map(decodeURIComponent);
      // A private answer (response_url) shows to the user who asked, in the channel they asked in.
      store({
        channel,
        threadTs: null,
        user: null,
        text: String(args.text ?? ''),
        blocks: (args.blocks as unknown[]) ?? [],
        metadata: null,
        ephemeralFor: user,
      });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    const method = path.replace(/^\/api\//, '');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer(method, args)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  let triggerSequence = 0;
  return {
    apiUrl: `${base}/api/`,
    users,
    messages,
    views,
    responseUrl: (user, channel) =>
      `${base}/respond/${encodeURIComponent(user)}/${encodeURIComponent(channel)}`,
    triggerFor(user) {
      const trigger = `${++triggerSequence}.playground.${user}`;
      triggers.set(trigger, user);
      return trigger;
    },
    addUserMessage: (user, channel, threadTs, text) =>
      store({ channel, threadTs, user, text, blocks: [], metadata: null, ephemeralFor: null }),
    closeModal(user) {
      const index = views.findLastIndex((v) => v.kind === 'modal' && v.user === user);
      if (index >= 0) views.splice(index, 1);
      changed();
    },
    updateUser(id, change) {
      const index = users.findIndex((user) => user.id === id);
      const user = users[index];
      if (user !== undefined) users[index] = { ...user, ...change };
      changed();
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Whether a message is inside the `oldest`/`latest` range of a history call, as Slack reads it: both
 * exclusive unless `inclusive` is set.
 */
export function isInHistoryRange(ts: string, args: Record<string, unknown>): boolean {
  const at = Number(ts);
  const inclusive = args.inclusive === true || args.inclusive === 'true';
  const oldest = args.oldest === undefined ? null : Number(args.oldest);
  const latest = args.latest === undefined ? null : Number(args.latest);
  const afterOldest = oldest === null || (inclusive ? at >= oldest : at > oldest);
  const beforeLatest = latest === null || (inclusive ? at <= latest : at < latest);
  return afterOldest && beforeLatest;
}
