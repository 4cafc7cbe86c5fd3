import {
  type Logger as BoltLogger,
  LogLevel as BoltLogLevel,
  type CustomRoute,
  HTTPReceiver,
  SocketModeReceiver,
} from '@slack/bolt';
import type { Health } from '../jobs/health.ts';
import type { Logger } from '../logger.ts';
import { redactInboundTokens } from './inbound-leads.ts';

/** How far ahead of our clock a signed request's timestamp may be (Bolt refuses those 5 minutes old). */
const MAX_REQUEST_CLOCK_AHEAD_SECONDS = 5 * 60;

/** The one form of Slack's signature: Bolt would accept `v0=<valid hex>=anything` (it splits on `=`). */
const SIGNATURE = /^v0=[0-9a-f]{64}$/;

/**
 * Bolt's HTTP receiver, with three guards of ours: a signature not exactly `v0=<64 hex digits>` is refused
 * (401), a signed request dated more than 5 minutes ahead is refused like a stale one (401), and a request
 * no route handles (or whose path cannot be decoded) gets 404, logged at info without its path's secret.
 */
export function createHttpReceiver(
  signingSecret: string,
  routes: CustomRoute[],
  logger: BoltLogger,
): HTTPReceiver {
  const receiver = new HTTPReceiver({
    signingSecret,
    customRoutes: routes,
    logger,
    dispatchErrorHandler: ({ error, request, response }) => {
      logger.info(`Unhandled HTTP request (${request.method}) made to ${request.url}: ${error.message}`);
      response.writeHead(404).end();
    },
  });
  const handle = receiver.requestListener;
  receiver.requestListener = (request, response) => {
    const signature = request.headers['x-slack-signature'];
    if (signature !== undefined && !(typeof signature === 'string' && SIGNATURE.test(signature))) {
      logger.warn('Refused a request whose signature is not of the form v0=<64 hex digits>');
      response.writeHead(401).end();
      return;
    }
    const timestamp = Number(request.headers['x-slack-request-timestamp']);
    if (Number.isFinite(timestamp) && timestamp - Date.now() / 1000 > MAX_REQUEST_CLOCK_AHEAD_SECONDS) {
      logger.warn('Refused a request signed with a timestamp more than 5 minutes in the future');
      response.writeHead(401).end();
      return;
    }
    handle(request, response);
  };
  return receiver;
}

/** Bolt's log lines in ours. Bolt logs the path of requests it does not handle: a token there is hidden. */
export function boltLogger(log: Logger): BoltLogger {
  const bolt = log.child({ component: 'bolt' });
  const line = (messages: unknown[]) => redactInboundTokens(messages.map(String).join(' '));
  let level = BoltLogLevel.INFO;
  return {
    debug: (...messages) => bolt.debug(line(messages)),
    info: (...messages) => bolt.info(line(messages)),
    warn: (...messages) => bolt.warn(line(messages)),
    error: (...messages) => bolt.error(line(messages)),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

/**
 * Socket Mode: Slack delivers over a WebSocket the client reopens by itself when it drops; /healthz
 * follows its state. The same routes are served on PORT, and the connection is opened through
 * SLACK_API_URL when set.
 */
export function createSocketModeReceiver(
  slack: { readonly appToken: string; readonly apiUrl?: string | null | undefined },
  port: number,
  routes: CustomRoute[],
  logger: BoltLogger,
  health: Health,
): SocketModeReceiver {
  const receiver = new SocketModeReceiver({
    appToken: slack.appToken,
    logger,
    customRoutes: routes,
    installerOptions: {
      port,
      ...(slack.apiUrl ? { clientOptions: { slackApiUrl: slack.apiUrl } } : {}),
    },
  });
  for (const state of ['connected', 'reconnecting', 'disconnected'] as const)
    receiver.client.on(state, () => health.recordSocketConnection(state));
  // A dropped socket is reopened after a delay (5 s, growing): it is down from the moment it closes.
  receiver.client.on('close', () => health.recordSocketConnection('reconnecting'));
  return receiver;
}
