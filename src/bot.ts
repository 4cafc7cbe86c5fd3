import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  App,
  type Logger as BoltLogger,
  LogLevel as BoltLogLevel,
  type CustomRoute,
  HTTPReceiver,
  SocketModeReceiver,
} from '@slack/bolt';
import { WebClient, WebClientEvent } from '@slack/web-api';
import type { Config } from './config.ts';
import type { Lead } from './domain/lead.ts';
import { routeLead } from './domain/routing.ts';
import { resolvePolicy } from './domain/sla-policy.ts';
import { redactInboundTokens } from './http/inbound-leads.ts';
import {
  healthRoute,
  inboundLeadRoute,
  listen,
  liveRoute,
  metricsRoute,
  serveRoutes,
} from './http/routes.ts';
import { createHealth, type Health } from './jobs/health.ts';
import { createLeadership, createNudger } from './jobs/leadership.ts';
import {
  type PollDeps,
  type PollSummary,
  pollNewLeads,
  type SweepSummary,
  sweepLeads,
} from './jobs/poll-leads.ts';
import {
  type DigestSummary,
  sendDigest,
  sendWeeklySummary,
  type WeeklySummaryResult,
} from './jobs/send-digest.ts';
import { type ReminderSummary, sendReminders } from './jobs/send-reminders.ts';
import type { Logger } from './logger.ts';
import { createMetrics, type Metrics, timed } from './metrics.ts';
import { type Scheduler, startScheduler, withBackoff } from './scheduler.ts';
import { previewAvailability, rotationAvailability } from './services/assign-from-rotation.ts';
import type { OwnershipDeps } from './services/change-owner.ts';
import { sweepStaleChecks } from './services/follow-through.ts';
import { type HomeDeps, publishHome } from './services/home.ts';
import {
  reportBlockedChannels,
  reportPartitionDrift,
  reportQuarantinedLeads,
} from './services/report-problems.ts';
import { createRoles } from './services/roles.ts';
import { type DeactivatedSummary, returnLeadsOfDeactivatedReps } from './services/rotation-follow-ups.ts';
import { createConsoleGateway } from './slack/console-gateway.ts';
import type { SlackGateway } from './slack/gateway.ts';
import { registerListeners } from './slack/listeners/index.ts';
import { createSlackAdapter } from './slack/slack-adapter.ts';
import { createWebApiGateway } from './slack/web-api-gateway.ts';
import { createAzureArrivalIndex } from './stores/azure/azure-arrival-index.ts';
import { createAzureAuditLog } from './stores/azure/azure-audit-log.ts';
import { createAzureCapacityStore } from './stores/azure/azure-capacity-store.ts';
import { createAzureConversationStore } from './stores/azure/azure-conversation-store.ts';
import { createAzureCursorStore } from './stores/azure/azure-cursor-store.ts';
import { createAzureDeliveryStore } from './stores/azure/azure-delivery-store.ts';
import { createAzureDueStore } from './stores/azure/azure-due-store.ts';
import { createAzureLeadRecordStore } from './stores/azure/azure-lead-record-store.ts';
import { createAzureLeadTable, createAzureLeadTableWriter } from './stores/azure/azure-lead-table.ts';
import { createAzureLeaseStore } from './stores/azure/azure-lease-store.ts';
import { createAzureOnceStore } from './stores/azure/azure-once-store.ts';
import { createAzureOwnershipLog } from './stores/azure/azure-ownership-log.ts';
import { createAzurePendingStore } from './stores/azure/azure-pending-store.ts';
import { createAzureRulesStore } from './stores/azure/azure-rules-store.ts';
import { createAzureSettingsStore } from './stores/azure/azure-settings-store.ts';
import { openStorage } from './stores/azure/open-storage.ts';
import { createServiceClock } from './stores/azure/service-clock.ts';
import { createStateTables } from './stores/azure/state-tables.ts';
import { createTableClient, type StorageAccess } from './stores/azure/tables.ts';
import { describeFailure } from './stores/failure.ts';
import { staleMinutesIn } from './stores/settings-store.ts';

export interface BotOptions {
  readonly log: Logger;
  readonly clock?: () => Date;
  /** Local mode prints messages here. */
  readonly writeOutput?: (text: string) => void;
  /** Run the jobs on their cron schedules (default); tests turn this off and call the jobs directly. */
  readonly schedule?: boolean;
  /** Retries of a failed Slack call; tests use 0. */
  readonly slackRetries?: number;
}

export interface Bot {
  /** The storage account in use (the embedded Azurite's when none was configured). */
  readonly storage: StorageAccess;
  readonly health: Health;
  readonly jobs: {
    readonly poll: () => Promise<PollSummary>;
    readonly reminders: () => Promise<ReminderSummary>;
    readonly digest: () => Promise<DigestSummary>;
    readonly weekly: () => Promise<WeeklySummaryResult>;
    readonly sweep: () => Promise<SweepSummary>;
    /** Moves the open leads of deactivated Slack users on; schedules every open lead's stale check. */
    readonly roster: () => Promise<DeactivatedSummary & { staleChecks: number }>;
  };
  /** Starts listening (HTTP or Socket Mode, plus /healthz) and the schedule; resolves to the HTTP port. */
  start(): Promise<{ port: number }>;
  /** Polls now if this process holds (or can take) the jobs lease; the same as the HTTPS endpoint's nudge. */
  pollNow(): void;
  /** Stops the schedule, waits for running jobs, closes the server and the embedded Azurite. */
  stop(): Promise<void>;
}

/** Bolt's log lines in ours. Bolt logs the path of requests it does not handle: a token there is hidden. */
function boltLogger(log: Logger): BoltLogger {
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

const SLACK_AUTH_CHECK_MS = 5_000;

/**
 * The client that posts messages: a post is not idempotent, so the client never repeats one (no
 * retries; a 429 is handed back, and retried by the gateway after Retry-After). Null in local mode.
 */
function createPoster(config: Config, options: BotOptions, metrics: Metrics): WebClient | null {
  if (config.slack.mode === 'local') return null;
  return countRateLimits(
    metrics,
    new WebClient(config.slack.botToken, {
      ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
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

/** The Bolt app of HTTP or Socket Mode, serving `routes` beside Slack's requests; null in local mode. */
function createSlackApp(
  config: Config,
  options: BotOptions,
  routes: CustomRoute[],
  metrics: Metrics,
  health: Health,
): App | null {
  if (config.slack.mode === 'local') return null;
  const clientOptions = {
    ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
    // Reads, updates and views are idempotent and retried (bounded, about a minute); posts go through
    // the poster, which never repeats one.
    retryConfig: {
      retries: options.slackRetries ?? 3,
      factor: 2,
      minTimeout: 1000,
      maxTimeout: 30_000,
      onFailedAttempt: () => metrics.slackRetry(),
    },
    // A call that hangs is abandoned, so it cannot hold a poll (or a posting claim) for ever; if Slack did
    // take the message, the next poll finds it by its metadata.
    timeout: config.slackTimeoutSeconds * 1000,
  };
  const logger = boltLogger(options.log);
  const mode =
    config.slack.mode === 'http'
      ? { receiver: createHttpReceiver(config.slack.signingSecret, routes, logger) }
      : { receiver: createSocketModeReceiver(config.slack, config.port, routes, logger, health) };
  const app = new App({
    token: config.slack.botToken,
    ...mode,
    clientOptions,
    logger,
    // Bolt would call auth.test at once and leave its rejection unhandled (a revoked token would crash
    // the process with a stack). It calls it on the first request instead; the bot's own check at start
    // reports a refused token in /healthz.
    tokenVerificationEnabled: false,
  });
  countRateLimits(metrics, app.client);
  return app;
}

/**
 * Socket Mode: Slack delivers over a WebSocket the client reopens by itself when it drops; /healthz
 * follows its state. The same routes are served on PORT, and the connection is opened through
 * SLACK_API_URL when set.
 */
function createSocketModeReceiver(
  slack: Extract<Config['slack'], { mode: 'socket' }>,
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

/** How far ahead of our clock a signed request's timestamp may be (Bolt refuses those 5 minutes old). */
const MAX_REQUEST_CLOCK_AHEAD_SECONDS = 5 * 60;

/**
 * Bolt's HTTP receiver, with two guards of ours: a signed request dated more than 5 minutes ahead is
 * refused like a stale one (401), and a request no route handles (or whose path cannot be decoded) gets
 * 404, logged at info without its path's secret.
 */
function createHttpReceiver(signingSecret: string, routes: CustomRoute[], logger: BoltLogger): HTTPReceiver {
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

/** The composition root: config → stores → Slack → services → listeners → jobs. Only wiring. */
export async function createBot(config: Config, options: BotOptions): Promise<Bot> {
  const log = options.log;
  // Every process judges claims, leases, SLAs and search windows by the table service's time, whatever
  // its host's clock says (README → Guarantees, clock skew).
  const serviceClock = createServiceClock();
  const clock = options.clock ?? serviceClock.now;
  const processId = randomUUID();

  // Stores
  const storage = await openStorage(config.storage, config.dataFolder, { joinRunning: false });
  log.info(`storage: ${storage.description}`, {
    ...(storage.embeddedPort === null
      ? {}
      : { tableEndpoint: `http://127.0.0.1:${storage.embeddedPort}/devstoreaccount1` }),
  });
  const stateTables = createStateTables(storage.access, config.stateTablePrefix, serviceClock);
  const tables = stateTables.clients;
  // If the table service is unreachable at start, the bot still starts (health says why) and every job
  // tries again first, backing off while it fails.
  await stateTables.ensure().catch((error: unknown) =>
    log.error('the table service is unreachable; jobs will retry with backoff', {
      error: describeFailure(error),
    }),
  );
  const leadTable = createAzureLeadTable(createTableClient(storage.access, config.leadsTable, serviceClock));
  const conversations = createAzureConversationStore(tables.Conversations);
  const rules = createAzureRulesStore(tables.Rules);
  const due = createAzureDueStore(tables.Due);
  const settings = createAzureSettingsStore(tables.Settings);
  const once = createAzureOnceStore(tables.Settings);
  const lease = createAzureLeaseStore(tables.Lease);
  const leadRecords = createAzureLeadRecordStore(tables.Leads);
  const arrivals = createAzureArrivalIndex(tables.Leads);
  const deliveries = createAzureDeliveryStore(tables.Due);
  const capacity = createAzureCapacityStore(tables.Rules);

  // Slack
  const health = createHealth(config.slack.mode, config.leadsTable, serviceClock.offsetMs);
  const metrics = createMetrics();
  const routes = [healthRoute(health), liveRoute(), metricsRoute(metrics)];
  if (config.inboundLeadsToken !== null) {
    routes.push(
      inboundLeadRoute({
        token: config.inboundLeadsToken,
        writer: createAzureLeadTableWriter(
          createTableClient(storage.access, config.leadsTable, serviceClock),
        ),
        // A pushed lead is posted at once by a nudged poll (the poller is wired below).
        nudge: () => nudger.nudge(),
        clock,
        log: log.child({ component: 'inbound' }),
      }),
    );
  }
  const app = createSlackApp(config, options, routes, metrics, health);
  const poster = createPoster(config, options, metrics);
  const gateway: SlackGateway =
    app === null
      ? createConsoleGateway({
          write: options.writeOutput ?? (() => {}),
          showBlocks: config.showBlocks,
          clock,
        })
      : createWebApiGateway(app.client, {
          postIntervalMs: config.slackPostIntervalMs,
          poster: poster ?? app.client,
          // A post (its tries and its waits on Retry-After) ends well before the claim that guards it.
          postBudgetMs: (config.claimTimeoutSeconds - config.slackTimeoutSeconds) * 1000,
          callTimeoutMs: config.slackTimeoutSeconds * 1000,
        });
  const slack = createSlackAdapter(gateway, clock);

  // Services
  const roles = createRoles(config, { settings, slack });
  const escalationChannel = async () => (await settings.get()).escalationChannel ?? config.managersChannel;
  const slaPolicyFor = async (channel: string | null) =>
    resolvePolicy(config.sla, await settings.get(), channel);
  const homeDeps: HomeDeps = { conversations, leadTable, slack, clock, roles, settings };
  const homeLog = log.child({ component: 'home' });
  const ownershipDeps: OwnershipDeps = {
    conversations,
    due,
    slaPolicyFor,
    staleMinutesFor: async (channel) => staleMinutesIn(await settings.get(), channel),
    ownershipLog: createAzureOwnershipLog(tables.Ownership),
    roles,
    leadTable,
    slack,
    clock,
    log: log.child({ component: 'ownership' }),
    // Only in Slack: local mode has no App Home to refresh.
    ...(app === null
      ? {}
      : {
          afterChange: async (userIds: readonly string[]) => {
            for (const userId of new Set(userIds)) {
              await publishHome(userId, homeDeps).catch((error: unknown) =>
                homeLog.warn('could not refresh an App Home', { userId, error }),
              );
            }
          },
        }),
  };
  // What assignment by rotation needs besides the ownership services (Slack statuses are read per run).
  const assignmentDeps = {
    rules,
    capacity,
    deliveries,
    escalationChannel,
    unclaimedMinutes: async () => (await settings.get()).unclaimedMinutes ?? null,
  };
  if (app !== null) {
    registerListeners(app, {
      commands: {
        conversations,
        leadTable,
        slack,
        rules,
        settings,
        roles,
        auditLog: createAzureAuditLog(tables.Audit),
        clock,
        defaults: {
          sla: config.sla,
          leadsChannel: config.leadsChannel,
          managersChannel: config.managersChannel,
          adminUserIds: config.adminUserIds,
        },
        pending: createAzurePendingStore(tables.Settings),
        leadRecords,
        unavailable: (rotation, now) =>
          previewAvailability(rotationAvailability({ slack, awayStatuses: config.awayStatuses }), {
            conversations,
          })(rotation, now),
        ownershipLog: ownershipDeps.ownershipLog,
      },
      ownership: ownershipDeps,
      followUps: { ...ownershipDeps, due, gateway },
      home: homeDeps,
      once,
    });
    // The last resort for a listener that threw: logged with its cause; the user sees Slack's own notice.
    app.error(async (error) => {
      log.error('a Slack listener failed', { error: error.message, code: error.code });
    });
  }

  // Jobs
  const pollLog = log.child({ job: 'poll' });
  const problemDeps = {
    slack,
    once,
    escalationChannel,
    leadsChannel: config.leadsChannel,
    clock,
    log: pollLog,
  };
  const pollDeps: Omit<PollDeps, 'channelFor' | 'slaPolicyFor' | 'availability'> = {
    ...ownershipDeps,
    ...assignmentDeps,
    cursors: createAzureCursorStore(tables.Cursors),
    leadRecords,
    arrivals,
    leadsChannel: config.leadsChannel,
    processId,
    claimTimeoutMs: config.claimTimeoutSeconds * 1000,
    backfillDays: config.backfillDays,
    overlapMs: config.pollOverlapSeconds * 1000,
    clock,
    log: pollLog,
    reportBlocked: (blocked) => reportBlockedChannels(blocked, problemDeps),
    reportQuarantined: (notices) => reportQuarantinedLeads(notices, problemDeps),
    metrics,
  };
  // Rules, settings and reps' Slack statuses are read once a poll (or sweep), not once a lead (a
  // 1,000-lead backlog would read each thousands of times); a change made during a poll applies from
  // the next one.
  const routingSnapshot = async () => {
    const [routingRules, adminSettings] = await Promise.all([rules.routingRules(), settings.get()]);
    return {
      availability: rotationAvailability({ slack, awayStatuses: config.awayStatuses }),
      channelFor: async (lead: Lead) => routeLead(routingRules, lead, config.leadsChannel).channel,
      slaPolicyFor: async (channel: string | null) => resolvePolicy(config.sla, adminSettings, channel),
    };
  };
  const poll = timed(metrics, 'poll', async (): Promise<PollSummary> => {
    try {
      await stateTables.ensure();
      const summary = await pollNewLeads({
        ...pollDeps,
        ...(await routingSnapshot()),
        scanEveryPoll: partitionFormatDrift,
      });
      health.recordPoll(clock(), { summary });
      metrics.setQuarantinedLeads(summary.setAside);
      // A poll that changed nothing (re-reading the overlap window's posted leads) is quiet.
      const acted = summary.posted + summary.threaded + summary.recovered + summary.failed + summary.retried;
      if (acted > 0 || summary.firstStart) pollLog.info('poll done', { ...summary });
      else pollLog.debug('poll done', { ...summary });
      return summary;
    } catch (error) {
      health.recordPoll(clock(), { error: describeFailure(error) });
      throw error;
    }
  });
  // Set by the sweep when leads sit outside their date partitions; polls scan until the process restarts.
  let partitionFormatDrift = false;
  const sweepLog = log.child({ job: 'sweep' });
  const sweep = timed(metrics, 'sweep', async (): Promise<SweepSummary> => {
    await stateTables.ensure();
    const summary = await sweepLeads({
      ...pollDeps,
      ...(await routingSnapshot()),
      log: sweepLog,
      onDrift: async () => {
        partitionFormatDrift = true;
        health.setPartitionFormatDrift();
        await reportPartitionDrift(config.leadsTable, problemDeps);
      },
    });
    if (summary.posted > 0 || summary.drifted > 0)
      sweepLog.warn('the sweep found leads the polls had not', { ...summary });
    return summary;
  });
  // The due work (reminders, passes, the roster) reads reps' Slack statuses once a run.
  const assignmentRun = () => ({
    ...ownershipDeps,
    ...assignmentDeps,
    availability: rotationAvailability({ slack, awayStatuses: config.awayStatuses }),
  });
  const remindersLog = log.child({ job: 'reminders' });
  const reminders = timed(metrics, 'reminders', async () => {
    await stateTables.ensure();
    const summary = await sendReminders({
      ...assignmentRun(),
      processId,
      claimTimeoutMs: config.claimTimeoutSeconds * 1000,
      log: remindersLog,
    });
    metrics.reminderSent('reminder', summary.reminded);
    metrics.reminderSent('escalation', summary.escalated);
    metrics.failure('reminder', summary.failed);
    return summary;
  });
  const rosterLog = log.child({ job: 'roster' });
  const roster = timed(metrics, 'roster', async () => {
    await stateTables.ensure();
    const summary = await returnLeadsOfDeactivatedReps({ ...assignmentRun(), log: rosterLog });
    if (summary.deactivatedReps > 0) rosterLog.info('leads of deactivated reps moved on', { ...summary });
    const staleChecks = await sweepStaleChecks(ownershipDeps);
    return { ...summary, staleChecks };
  });
  const digestDeps = {
    conversations,
    leadTable,
    slack,
    clock,
    once,
    settings,
    ownershipLog: ownershipDeps.ownershipLog,
    digestChannel: async () => (await escalationChannel()) ?? config.leadsChannel,
    timeZone: config.digestTimeZone,
    log: log.child({ job: 'digest' }),
  };
  const digest = timed(metrics, 'digest', () => sendDigest(digestDeps));
  const weekly = timed(metrics, 'weekly', () => sendWeeklySummary(digestDeps));
  const leadership = createLeadership({
    lease,
    processId,
    leaseMs: config.leaseSeconds * 1000,
    clock,
    onLeaderChange: (leader) => {
      health.setLeader(leader);
      metrics.setLeader(leader);
    },
    prepare: () => stateTables.ensure(),
  });
  // The poll as the schedule and the endpoint run it: only while leading. A failure before the poll
  // itself (the lease, the bot's tables) is shown in /healthz like a failed poll.
  const leaderPoll = async () => {
    try {
      return await leadership.asLeader(poll)();
    } catch (error) {
      health.recordPoll(clock(), { error: describeFailure(error) });
      throw error;
    }
  };
  const nudger = createNudger(leaderPoll, pollLog);

  let scheduler: Scheduler | null = null;
  let localServer: Server | null = null;
  let started = false;
  return {
    storage: storage.access,
    health,
    jobs: { poll, reminders, digest, weekly, sweep, roster },
    pollNow: nudger.nudge,
    async start() {
      let port: number;
      if (app !== null && config.slack.mode === 'http') {
        const server = (await app.start(config.port)) as Server;
        port = (server.address() as AddressInfo).port;
      } else {
        if (app !== null) await app.start();
        // Socket Mode serves the routes on installerOptions.port; local mode needs a server of its own.
        localServer = app === null ? serveRoutes(routes) : null;
        port = localServer ? await listen(localServer, config.port) : config.port;
      }
      if (options.schedule ?? true) {
        scheduler = startScheduler(
          [
            {
              name: 'poll',
              schedule: config.pollSchedule,
              run: withBackoff(leaderPoll, pollLog),
            },
            {
              name: 'sweep',
              schedule: config.sweepSchedule,
              run: withBackoff(leadership.asLeader(sweep), sweepLog),
            },
            {
              name: 'reminders',
              schedule: config.reminderSchedule,
              run: withBackoff(leadership.asLeader(reminders), remindersLog),
            },
            {
              name: 'roster',
              schedule: config.rosterSchedule,
              run: withBackoff(leadership.asLeader(roster), rosterLog),
            },
            {
              name: 'weekly',
              schedule: config.weeklyDigestSchedule,
              timeZone: config.digestTimeZone,
              run: leadership.asLeader(weekly),
            },
            {
              name: 'digest',
              schedule: config.digestSchedule,
              timeZone: config.digestTimeZone,
              run: leadership.asLeader(digest),
            },
          ],
          log,
        );
      }
      started = true;
      if (app !== null) health.recordSlackAuth(await checkSlackAuth(app));
      health.markReady();
      return { port };
    },
    async stop() {
      await scheduler?.stop();
      await nudger.settled();
      // Let a standby process take over at its next tick instead of after the lease expires.
      await leadership.release();
      if (started) await app?.stop();
      await new Promise<void>((resolve) => (localServer ? localServer.close(() => resolve()) : resolve()));
      await storage.close();
    },
  };
}
