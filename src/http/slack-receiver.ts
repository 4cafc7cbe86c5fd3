import { type Logger as BoltLogger, type CustomRoute, HTTPReceiver } from '@slack/bolt';

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
