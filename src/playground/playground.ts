import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import { previewMessage } from '../slack/blocks/text-preview.ts';
import type { LocalSlack, PlaygroundUser, WorkspaceMessage } from './local-slack.ts';
import { PLAYGROUND_PAGE } from './page.ts';
import { blocksToHtml, escapeHtml, type Names } from './render.ts';

/** The people of the playground: two reps, a manager and an admin (the roles the bot is told of). */
export function playgroundUsers(): PlaygroundUser[] {
  const base = { timeZone: 'Europe/Berlin', statusEmoji: '', statusText: '' };
  return [
    { ...base, id: 'U0PLAYREP1', name: 'Alex (rep)', role: 'rep' },
    { ...base, id: 'U0PLAYREP2', name: 'Sam (rep)', role: 'rep', timeZone: 'America/New_York' },
    { ...base, id: 'U0PLAYMGR1', name: 'Morgan (manager)', role: 'manager' },
    { ...base, id: 'U0PLAYADM1', name: 'Ada (admin)', role: 'admin' },
  ];
}

/** How far the tour's "skip ahead" moves the bot's clock. */
export type Skip = 'hour' | 'day' | 'monday';

export interface PlaygroundDeps {
  readonly slack: LocalSlack;
  /** The secret the bot's receiver checks: the playground signs what it sends like Slack. */
  readonly signingSecret: string;
  /** The bot's own Slack endpoint (known once it listens). */
  readonly receiverUrl: () => string;
  /** Channel ids the page names (the leads and managers' channels). */
  readonly channelNames: Readonly<Record<string, string>>;
  /** Moves the bot's clock ahead and runs the jobs that would have run meanwhile; the bot's new time. */
  readonly skipAhead: (skip: Skip) => Promise<Date>;
  readonly now: () => Date;
  /** Each message the bot posts or updates, as text, for the terminal. */
  readonly write: (text: string) => void;
  /** Also print each message's Block Kit JSON, to paste into Slack's Block Kit Builder. */
  readonly showBlocks: boolean;
}

/** A new secret for a playground's receiver: never configured, never leaves the process. */
export const newSigningSecret = () => randomBytes(24).toString('hex');

async function bodyOf(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 200_000) throw new Error('too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

const send = (res: ServerResponse, status: number, body: unknown) =>
  res
    .writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
    .end(JSON.stringify(body));

/**
 * The playground's routes, served beside the bot's receiver on 127.0.0.1: the page, its state as
 * HTML, a stream of changes, and the visitor's acts, which become the requests Slack would send
 * (block_actions, view_submission, slash commands, message and app_home_opened events), signed like
 * Slack's and sent to the bot's real receiver. No bot behaviour is implemented here.
 */
export function playgroundRoutes(deps: PlaygroundDeps): { routes: CustomRoute[]; close: () => void } {
  const { slack } = deps;
  const streams = new Set<ServerResponse>();
  const userName = (id: string) => slack.users.find((user) => user.id === id)?.name ?? id;
  const names: Names = { user: userName, channel: (id) => deps.channelNames[id] ?? id };
  const pickable = () => slack.users.map(({ id, name }) => ({ id, name }));

  // The terminal keeps a readable line for each post and update (what local mode always printed).
  const printed = new Map<number, string>();
  slack.onChange(() => {
    for (const message of slack.messages) {
      if (message.user !== null || message.ephemeralFor !== null) continue;
      const shown = previewMessage({ text: message.text, blocks: message.blocks as never });
      if (printed.get(message.id) === shown) continue;
      const where = `${message.threadTs ? `a thread in ` : ''}${names.channel(message.channel)}`;
      deps.write(
        `\n┌─ ${printed.has(message.id) ? 'updated in' : 'posted to'} ${where}\n${shown.replace(/^/gm, '│ ')}\n└─`,
      );
      if (deps.showBlocks) deps.write(JSON.stringify({ blocks: message.blocks }, null, 2));
      printed.set(message.id, shown);
    }
  });

  async function signedPost(body: string, contentType: string): Promise<{ status: number; text: string }> {
    const timestamp = Math.floor(Date.now() / 1000); // Slack signs with real time, whatever the bot's clock
    const signature = `v0=${createHmac('sha256', deps.signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
    const response = await fetch(deps.receiverUrl(), {
      method: 'POST',
      headers: {
        'content-type': contentType,
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': signature,
      },
      body,
    });
    return { status: response.status, text: await response.text() };
  }
  /** An interactive payload (block_actions, view_submission) from `as`, signed and sent like Slack's. */
  const interactive = (as: string, payload: Record<string, unknown>) =>
    signedPost(
      new URLSearchParams({
        payload: JSON.stringify({
          user: userField(as),
          api_app_id: 'APLAY',
          token: 'playground',
          team: { id: 'TPLAY', domain: 'playground' },
          trigger_id: slack.triggerFor(as),
          ...payload,
        }),
      }).toString(),
      'application/x-www-form-urlencoded',
    );
  const event = (event: Record<string, unknown>) =>
    signedPost(
      JSON.stringify({
        token: 'playground',
        team_id: 'TPLAY',
        api_app_id: 'APLAY',
        type: 'event_callback',
        event_id: `Ev${randomUUID().replaceAll('-', '')}`,
        event_time: Math.floor(Date.now() / 1000),
        event,
      }),
      'application/json',
    );
  const userField = (id: string) => ({ id, username: userName(id), name: userName(id), team_id: 'TPLAY' });

  function messageView(message: WorkspaceMessage) {
    return {
      ts: message.ts,
      threadTs: message.threadTs,
      author: escapeHtml(message.user === null ? 'leadbot' : userName(message.user)),
      private: message.ephemeralFor !== null,
      html:
        message.blocks.length > 0
          ? blocksToHtml(message.blocks, names, pickable())
          : `<div class="block section">${escapeHtml(message.text)}</div>`,
    };
  }

  /** What `as` sees: each channel's messages (threads under their first message), their Home, their modal. */
  function stateFor(as: string) {
    const visible = slack.messages.filter((m) => m.ephemeralFor === null || m.ephemeralFor === as);
    const channelIds = [
      ...new Set([
        ...Object.keys(deps.channelNames),
        ...visible.map((m) => m.channel).filter((c) => !c.startsWith('D')),
      ]),
    ];
    const channels = [
      ...channelIds.map((id) => ({ id, name: `#${names.channel(id)}` })),
      { id: `D${as}`, name: '💬 leadbot (DM)' },
    ];
    const home = slack.views.find((v) => v.kind === 'home' && v.user === as);
    const modal = slack.views.findLast((v) => v.kind === 'modal' && v.user === as);
    const modalView = modal?.view as
      | { title?: { text?: string }; submit?: { text?: string }; blocks?: unknown[] }
      | undefined;
    return {
      now: deps.now().toISOString(),
      as,
      users: slack.users,
      channels: channels.map((channel) => ({
        ...channel,
        messages: visible.filter((m) => m.channel === channel.id).map(messageView),
      })),
      homeId: home?.id ?? null,
      home: home ? blocksToHtml((home.view.blocks as unknown[]) ?? [], names, pickable()) : null,
      modal:
        modal && modalView
          ? {
              id: modal.id,
              title: escapeHtml(modalView.title?.text ?? ''),
              submit: escapeHtml(modalView.submit?.text ?? 'Submit'),
              html: blocksToHtml(modalView.blocks ?? [], names, pickable()),
            }
          : null,
    };
  }

  type Act = Record<string, unknown> & { as?: unknown; kind?: unknown };

  async function act(body: Act): Promise<unknown> {
    const as = String(body.as ?? '');
    if (!slack.users.some((user) => user.id === as)) return { ok: false, error: 'unknown user' };
    const channel = String(body.channel ?? '');
    switch (body.kind) {
      case 'command': {
        const answer = await signedPost(
          new URLSearchParams({
            token: 'playground',
            team_id: 'TPLAY',
            channel_id: channel,
            user_id: as,
            user_name: userName(as),
            command: '/leads',
            text: String(body.text ?? ''),
            response_url: slack.responseUrl(as, channel),
            trigger_id: slack.triggerFor(as),
            api_app_id: 'APLAY',
          }).toString(),
          'application/x-www-form-urlencoded',
        );
        return { ok: answer.status === 200 };
      }
      case 'action': {
        const viewId = body.viewId ? String(body.viewId) : null;
        const view = viewId ? slack.views.find((v) => v.id === viewId) : undefined;
        const message = slack.messages.find((m) => m.channel === channel && m.ts === String(body.ts ?? ''));
        const type = String(body.type ?? 'button');
        const value = String(body.value ?? '');
        const action = {
          type,
          action_id: String(body.actionId ?? ''),
          block_id: String(body.blockId ?? ''),
          action_ts: String(Date.now() / 1000),
          ...(type === 'button' ? { value } : {}),
          ...(type === 'users_select' ? { selected_user: value } : {}),
          ...(type === 'static_select' || type === 'overflow' ? { selected_option: { value } } : {}),
          ...(type === 'datepicker' ? { selected_date: value } : {}),
        };
        const answer = await interactive(as, {
          type: 'block_actions',
          response_url: slack.responseUrl(as, channel || `D${as}`),
          actions: [action],
          ...(view
            ? { container: { type: 'view', view_id: view.id }, view: { id: view.id, ...view.view } }
            : {
                channel: { id: channel, name: names.channel(channel) },
                container: { type: 'message', message_ts: message?.ts, channel_id: channel },
                message: message && {
                  ts: message.ts,
                  text: message.text,
                  blocks: message.blocks,
                  ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
                },
              }),
        });
        return { ok: answer.status === 200 };
      }
      case 'submit': {
        const view = slack.views.find((v) => v.id === String(body.viewId ?? '') && v.user === as);
        if (view === undefined) return { ok: false, error: 'that window is closed' };
        const answer = await interactive(as, {
          type: 'view_submission',
          view: { id: view.id, ...view.view, state: { values: body.values ?? {} } },
        });
        const response =
          answer.text === ''
            ? {}
            : (JSON.parse(answer.text) as { response_action?: string; errors?: Record<string, string> });
        if (response.response_action === 'errors') return { ok: false, errors: response.errors ?? {} };
        slack.closeModal(as);
        return { ok: answer.status === 200 };
      }
      case 'cancel':
        slack.closeModal(as);
        return { ok: true };
      case 'reply': {
        const threadTs = body.threadTs ? String(body.threadTs) : null;
        const written = slack.addUserMessage(as, channel, threadTs, String(body.text ?? ''));
        await event({
          type: 'message',
          channel,
          channel_type: channel.startsWith('D') ? 'im' : 'channel',
          user: as,
          text: written.text,
          ts: written.ts,
          ...(threadTs ? { thread_ts: threadTs } : {}),
          event_ts: written.ts,
        });
        return { ok: true };
      }
      case 'home':
        await event({
          type: 'app_home_opened',
          user: as,
          channel: `D${as}`,
          tab: 'home',
          event_ts: String(Date.now() / 1000),
        });
        return { ok: true };
      case 'status':
        // Only what was sent changes: a time zone picked keeps the status, and the other way round.
        slack.updateUser(as, {
          ...(typeof body.emoji === 'string' ? { statusEmoji: body.emoji } : {}),
          ...(typeof body.text === 'string' ? { statusText: body.text } : {}),
          ...(typeof body.timeZone === 'string' && body.timeZone !== '' ? { timeZone: body.timeZone } : {}),
        });
        return { ok: true };
      case 'skip': {
        const skip = String(body.by ?? '');
        if (skip !== 'hour' && skip !== 'day' && skip !== 'monday')
          return { ok: false, error: 'unknown skip' };
        return { ok: true, now: (await deps.skipAhead(skip)).toISOString() };
      }
      default:
        return { ok: false, error: 'unknown act' };
    }
  }

  const routes: CustomRoute[] = [
    {
      path: '/',
      method: 'GET',
      handler: (_req, res) => {
        res
          .writeHead(200, {
            'content-type': 'text/html; charset=utf-8',
            'content-security-policy':
              "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'",
          })
          .end(PLAYGROUND_PAGE);
      },
    },
    {
      path: '/playground/state',
      method: 'GET',
      handler: (req, res) => {
        const as =
          new URL(req.url ?? '/', 'http://localhost').searchParams.get('as') ?? slack.users[0]?.id ?? '';
        send(res, 200, stateFor(as));
      },
    },
    {
      path: '/playground/events',
      method: 'GET',
      handler: (req, res) => {
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-store',
          connection: 'keep-alive',
        });
        res.write('retry: 1000\n\n');
        const stop = slack.onChange(() => res.write('data: change\n\n'));
        streams.add(res);
        req.on('close', () => {
          stop();
          streams.delete(res);
        });
      },
    },
    {
      path: '/playground/do',
      method: 'POST',
      handler: async (req, res) => {
        try {
          send(res, 200, await act((await bodyOf(req)) as Act));
        } catch (error) {
          send(res, 400, { ok: false, error: error instanceof Error ? error.message : 'bad request' });
        }
      },
    },
  ];
  return {
    routes,
    // Open event streams would keep the server from closing.
    close: () => {
      for (const stream of streams) stream.end();
    },
  };
}
