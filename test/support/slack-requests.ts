import { createHmac } from 'node:crypto';

export function sign(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SignedRequestOptions {
  readonly secret: string;
  /** Unix seconds; defaults to now. */
  readonly timestamp?: number;
  /** Overrides the signature (for forged requests). */
  readonly signature?: string;
  /** More headers, e.g. Slack's X-Slack-Retry-Num on a redelivery. */
  readonly headers?: Readonly<Record<string, string>>;
}

async function postSigned(
  port: number,
  body: string,
  contentType: string,
  options: SignedRequestOptions,
): Promise<Response> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return fetch(`http://127.0.0.1:${port}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': options.signature ?? sign(options.secret, timestamp, body),
      ...options.headers,
    },
    body,
  });
}

/** Posts a form body to the bot's Slack endpoint, signed as Slack signs it. */
export function postToSlackEndpoint(
  port: number,
  body: string,
  options: SignedRequestOptions,
): Promise<Response> {
  return postSigned(port, body, 'application/x-www-form-urlencoded', options);
}

export function slashCommandBody(fields: {
  text: string;
  responseUrl: string;
  userId?: string;
  channelId?: string;
}): string {
  return new URLSearchParams({
    token: 'legacy-unused',
    team_id: 'T0001',
    channel_id: fields.channelId ?? 'CLEADS0001',
    user_id: fields.userId ?? 'U0REP0001',
    user_name: 'rep',
    command: '/leads',
    text: fields.text,
    response_url: fields.responseUrl,
    trigger_id: '1.2.3',
    api_app_id: 'A0001',
  }).toString();
}

export interface ClickOptions {
  readonly userId: string;
  readonly actionId: string;
  readonly blockId: string;
  readonly responseUrl: string;
  /** A button's value. */
  readonly value?: string;
  /** A user picker's choice. */
  readonly selectedUser?: string;
  readonly channelId?: string;
  readonly messageTs?: string;
}

/** The form body of a `block_actions` request, as Slack sends it when a button or picker is used. */
export function blockActionsBody(click: ClickOptions): string {
  const action =
    click.selectedUser !== undefined
      ? {
          type: 'users_select',
          action_id: click.actionId,
          block_id: click.blockId,
          selected_user: click.selectedUser,
          action_ts: '1.2',
        }
      : {
          type: 'button',
          action_id: click.actionId,
          block_id: click.blockId,
          value: click.value ?? '',
          action_ts: '1.2',
        };
  const payload = {
    type: 'block_actions',
    team: { id: 'T0001', domain: 'example' },
    user: { id: click.userId, username: 'rep', team_id: 'T0001' },
    api_app_id: 'A0001',
    token: 'legacy-unused',
    trigger_id: '1.2.3',
    channel: { id: click.channelId ?? 'CLEADS0001', name: 'leads' },
    container: {
      type: 'message',
      message_ts: click.messageTs ?? '1.1',
      channel_id: click.channelId ?? 'CLEADS0001',
    },
    message: { ts: click.messageTs ?? '1.1', type: 'message', text: '' },
    response_url: click.responseUrl,
    actions: [action],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** The form body of a `view_submission` of the follow-up modal. */
export function viewSubmissionBody(submission: {
  readonly userId: string;
  readonly callbackId: string;
  readonly privateMetadata: string;
  readonly values: Record<string, Record<string, unknown>>;
}): string {
  const payload = {
    type: 'view_submission',
    team: { id: 'T0001', domain: 'example' },
    user: { id: submission.userId, username: 'rep', team_id: 'T0001' },
    api_app_id: 'A0001',
    token: 'legacy-unused',
    trigger_id: '1.2.3',
    view: {
      id: 'V0001',
      type: 'modal',
      callback_id: submission.callbackId,
      private_metadata: submission.privateMetadata,
      state: { values: submission.values },
      hash: '1.abc',
    },
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** Posts an Events API envelope (JSON) as Slack sends it, signed; `headers` e.g. for a retry. */
export function postEnvelope(
  port: number,
  secret: string,
  envelope: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return postSigned(port, JSON.stringify(envelope), 'application/json', { secret, headers });
}

/** Posts an Events API callback (JSON), signed as Slack signs it. */
export function postEvent(port: number, secret: string, event: Record<string, unknown>): Promise<Response> {
  const body = JSON.stringify({
    token: 'legacy-unused',
    team_id: 'T0001',
    api_app_id: 'A0001',
    type: 'event_callback',
    event_id: `Ev${Math.random().toString(36).slice(2)}`,
    event_time: Math.floor(Date.now() / 1000),
    event,
  });
  return postSigned(port, body, 'application/json', { secret });
}
