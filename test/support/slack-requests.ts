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
}

/** Posts a form body to the bot's Slack endpoint, signed as Slack signs it. */
export async function postToSlackEndpoint(
  port: number,
  body: string,
  options: SignedRequestOptions,
): Promise<Response> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return fetch(`http://127.0.0.1:${port}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': options.signature ?? sign(options.secret, timestamp, body),
    },
    body,
  });
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
