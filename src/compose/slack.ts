import { App, type CustomRoute } from '@slack/bolt';
import { WebClient, WebClientEvent } from '@slack/web-api';
import type { Config } from '../config.ts';
import { boltLogger, createHttpReceiver, createSocketModeReceiver } from '../http/slack-receiver.ts';
import type { Health } from '../jobs/health.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { ScheduledJob } from '../scheduler.ts';
import { type ChannelMembershipDeps, channelsWithoutBot } from '../services/channel-membership.ts';
import type { SlackPort } from '../services/slack-port.ts';
import type { SlackGateway } from '../slack/gateway.ts';
import { registerListeners } from '../slack/listeners/index.ts';
import { createWebApiGateway } from '../slack/web-api-gateway.ts';
import type { Playground } from './playground.ts';
import type { Services } from './services.ts';
import type { Stores } from './storage.ts';

export interface SlackOptions {
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly health: Health;
  /** Retries of a failed Slack call; tests use 0. */
  readonly slackRetries?: number;
  readonly clock: () => Date;
}

/**
 * Slack as this process reaches it: the Bolt app (HTTP or Socket Mode, serving `routes` beside Slack's
 * requests) and the gateway services post through; in local mode the same, against the playground.
 */
export function connectSlack(
  config: Config,
  routes: CustomRoute[],
  options: SlackOptions,
  playground: Playground | null = null,
): { app: App; gateway: SlackGateway } {
  const slack = config.slack;
  // Local mode: the playground's workspace stands in for Slack, reached like Slack over HTTP.
  const connected = slack.mode === 'local' ? playground?.slack : slack;
  if (connected === undefined) throw new Error('local mode needs the playground');
  const app = createSlackApp(connected, config, [...routes, ...(playground?.routes ?? [])], options);
  const gateway = createWebApiGateway(app.client, {
    postIntervalMs: config.slackPostIntervalMs,
    poster: createPoster(connected, config, options),
    // A post (its tries and its waits on Retry-After) ends well before the claim that guards it.
    postBudgetMs: (config.claimTimeoutSeconds - config.slackTimeoutSeconds) * 1000,
    callTimeoutMs: config.slackTimeoutSeconds * 1000,
    onTokenRefused: (code) => options.health.recordSlackAuth(code),
  });
  return { app, gateway };
}

type ConnectedSlack = Exclude<Config['slack'], { mode: 'local' }>;

const SLACK_AUTH_CHECK_MS = 5_000;

/** Whether Slack accepts the bot's token (auth.test): null when it does, else Slack's error code. */
async function checkSlackAuth(app: App): Promise<string | null> {
  const answer = app.client.auth.test().then(
    () => null,
    (error: unknown) =>
      (error as { data?: { error?: string } }).data?.error ??
      (error instanceof Error ? error.message : 'unknown error'),
  );
  // Start is not held up by a Slack that does not answer: the bot is then reported not ready.
  const silence = new Promise<string>((resolve) =>
    setTimeout(
      () => resolve(`no answer within ${SLACK_AUTH_CHECK_MS / 1000} s`),
      SLACK_AUTH_CHECK_MS,
    ).unref(),
  );
  return Promise.race([answer, silence]);
}

/**
 * What each process (leader or not) asks Slack about itself: every minute whether the token is accepted
 * (a Slack slow at start no longer leaves a replica unready until it restarts; a token revoked later
 * makes it unready within a minute, or at once when a call is refused for it), and every ten minutes
 * which routed channels the bot is not in (shown in /healthz for an admin to fix).
 */
export function slackChecks(
  app: App,
  health: Health,
  context: { readonly config: Config; readonly stores: Stores; readonly slack: SlackPort },
): { readonly auth: ScheduledJob; readonly channels: ScheduledJob } {
  const membership: ChannelMembershipDeps = {
    rules: context.stores.rules,
    settings: context.stores.settings,
    slack: context.slack,
    leadsChannel: context.config.leadsChannel,
    managersChannel: context.config.managersChannel,
  };
  return {
    auth: {
      name: 'slack-auth',
      schedule: '*/1 * * * *',
      run: async () => health.recordSlackAuth(await checkSlackAuth(app)),
    },
    channels: {
      name: 'slack-channels',
      schedule: '30 */10 * * * *',
      run: async () => health.recordChannelsWithoutBot(await channelsWithoutBot(membership)),
    },
  };
}

/**
 * The client that posts messages: a post is not idempotent, so the client never repeats one (no
 * retries; a 429 is handed back, and retried by the gateway after Retry-After).
 */
function createPoster(slack: ConnectedSlack, config: Config, options: SlackOptions): WebClient {
  return countRateLimits(
    options.metrics,
    new WebClient(slack.botToken, {
      ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: config.slackTimeoutSeconds * 1000,
      logger: boltLogger(options.log),
    }),
  );
}

/** Counts each 429 Slack answers a client, by method (the last segment of the called URL). */
function countRateLimits(metrics: Metrics, client: WebClient): WebClient {
  client.on(WebClientEvent.RATE_LIMITED, (_retryAfter: number, { url }: { url: string }) =>
    metrics.slackRateLimited(url.split('/').at(-1) ?? 'unknown'),
  );
  return client;
}

/** The Bolt app of HTTP or Socket Mode, serving `routes` beside Slack's requests. */
function createSlackApp(
  slack: ConnectedSlack,
  config: Config,
  routes: CustomRoute[],
  options: SlackOptions,
): App {
  const clientOptions = {
    ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
    // Reads, updates and views are idempotent and retried (bounded, about a minute); posts go through
    // the poster, which never repeats one.
    retryConfig: {
      retries: options.slackRetries ?? 3,
      factor: 2,
      minTimeout: 1000,
      maxTimeout: 30_000,
      onFailedAttempt: () => options.metrics.slackRetry(),
    },
    // A call that hangs is abandoned, so it cannot hold a poll (or a posting claim) for ever; if Slack did
    // take the message, the next poll finds it by its metadata.
    timeout: config.slackTimeoutSeconds * 1000,
  };
  const logger = boltLogger(options.log);
  const receiver =
    slack.mode === 'http'
      ? createHttpReceiver(slack.signingSecret, routes, logger)
      : createSocketModeReceiver(slack, config.port, routes, logger, options.health);
  const app = new App({
    token: slack.botToken,
    receiver,
    clientOptions,
    logger,
    // Bolt would call auth.test at once and leave its rejection unhandled (a revoked token would crash
    // the process with a stack). It calls it on the first request instead; the bot's own check at start
    // reports a refused token in /healthz.
    tokenVerificationEnabled: false,
  });
  countRateLimits(options.metrics, app.client);
  return app;
}

/** Every Slack surface wired to its services, and the last-resort handler of a listener that threw. */
export function listenToSlack(
  app: App,
  deps: { services: Services; stores: Stores; gateway: SlackGateway; log: Logger },
): void {
  const { services, stores } = deps;
  registerListeners(app, {
    commands: services.commands,
    ownership: services.ownership,
    followUps: { ...services.ownership, due: stores.due, gateway: deps.gateway },
    home: services.home,
    once: stores.once,
  });
  // Logged with its cause; the user sees Slack's own notice.
  app.error(async (error) => {
    deps.log.error('a Slack listener failed', { error: error.message, code: error.code });
  });
}
