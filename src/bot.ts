import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { App, type Logger as BoltLogger, LogLevel as BoltLogLevel, type CustomRoute } from '@slack/bolt';
import type { Config } from './config.ts';
import { routeLead } from './domain/routing.ts';
import { resolvePolicy } from './domain/sla-policy.ts';
import { createHealth, type Health } from './health.ts';
import { handleInboundLead, INBOUND_PATH_PREFIX, type InboundLeadDeps } from './http/inbound-leads.ts';
import { type PollDeps, type PollSummary, pollNewLeads } from './jobs/poll-leads.ts';
import { type DigestSummary, sendDigest } from './jobs/send-digest.ts';
import { type ReminderDeps, type ReminderSummary, sendReminders } from './jobs/send-reminders.ts';
import type { Logger } from './logger.ts';
import { type Scheduler, startScheduler, withBackoff } from './scheduler.ts';
import type { OwnershipDeps, Roles } from './services/change-owner.ts';
import { type HomeDeps, publishHome } from './services/home.ts';
import { renderBlockedChannel } from './slack/blocks/problems.ts';
import type { CommandDeps } from './slack/commands/leads-commands.ts';
import { createConsoleGateway } from './slack/console-gateway.ts';
import type { SlackGateway } from './slack/gateway.ts';
import { registerFollowUpActions } from './slack/listeners/actions/follow-up-actions.ts';
import { registerOwnershipActions } from './slack/listeners/actions/ownership-actions.ts';
import { registerRulesImportActions } from './slack/listeners/actions/rules-import-actions.ts';
import { registerLeadsCommand } from './slack/listeners/commands/leads-command.ts';
import { registerAppHomeOpened } from './slack/listeners/events/app-home-opened.ts';
import { registerThreadReply } from './slack/listeners/events/thread-reply.ts';
import { registerFollowUpSubmitted } from './slack/listeners/views/follow-up-submitted.ts';
import { createWebApiGateway } from './slack/web-api-gateway.ts';
import { createAzureAuditLog } from './stores/azure/azure-audit-log.ts';
import { createAzureConversationStore } from './stores/azure/azure-conversation-store.ts';
import { createAzureCursorStore } from './stores/azure/azure-cursor-store.ts';
import { createAzureDueStore } from './stores/azure/azure-due-store.ts';
import { createAzureLeadRecordStore } from './stores/azure/azure-lead-record-store.ts';
import { createAzureLeadTable, createAzureLeadTableWriter } from './stores/azure/azure-lead-table.ts';
import { createAzureLeaseStore } from './stores/azure/azure-lease-store.ts';
import { createAzureOnceStore } from './stores/azure/azure-once-store.ts';
import { createAzureOwnershipLog } from './stores/azure/azure-ownership-log.ts';
import { createAzurePendingStore } from './stores/azure/azure-pending-store.ts';
import { createAzureRulesStore } from './stores/azure/azure-rules-store.ts';
import { createAzureSettingsStore } from './stores/azure/azure-settings-store.ts';
import { type EmbeddedAzurite, startEmbeddedAzurite } from './stores/azure/embedded-azurite.ts';
import { createTableClient, ensureTable } from './stores/azure/tables.ts';

export interface BotOptions {
  readonly log: Logger;
  readonly clock?: () => Date;
  /** Local mode prints messages here. */
  readonly writeOutput?: (text: string) => void;
  /** Run the jobs on their cron schedules (default); tests turn this off and call the jobs directly. */
  readonly schedule?: boolean;
  /** Retries of a failed Slack call; tests use 0. */
  readonly slackRetries?: number;
  /** Milliseconds before a Slack call is abandoned (default 30 s); tests use less. */
  readonly slackTimeoutMs?: number;
}

export interface Bot {
  /** The storage account in use (the embedded Azurite's when none was configured). */
  readonly connectionString: string;
  readonly health: Health;
  readonly jobs: {
    readonly poll: () => Promise<PollSummary>;
    readonly reminders: () => Promise<ReminderSummary>;
    readonly digest: () => Promise<DigestSummary>;
  };
  /** Starts listening (HTTP or Socket Mode, plus /healthz) and the schedule; resolves to the HTTP port. */
  start(): Promise<{ port: number }>;
  /** Polls now if this process holds (or can take) the jobs lease; the same as the HTTPS endpoint's nudge. */
  pollNow(): void;
  /** Stops the schedule, waits for running jobs, closes the server and the embedded Azurite. */
  stop(): Promise<void>;
}

function boltLogger(log: Logger): BoltLogger {
  const bolt = log.child({ component: 'bolt' });
  let level = BoltLogLevel.INFO;
  return {
    debug: (...messages) => bolt.debug(messages.map(String).join(' ')),
    info: (...messages) => bolt.info(messages.map(String).join(' ')),
    warn: (...messages) => bolt.warn(messages.map(String).join(' ')),
    error: (...messages) => bolt.error(messages.map(String).join(' ')),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

function healthRoute(health: Health): CustomRoute {
  return {
    path: '/healthz',
    method: ['GET'],
    handler: (_req, res) => {
      const report = health.report();
      res.writeHead(report.status === 'starting' ? 503 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(report));
    },
  };
}

/** Local mode has no Bolt receiver: a plain server answers the same routes. */
function serveRoutes(routes: readonly CustomRoute[]): Server {
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    // `:name` segments match one path segment, as in Bolt's receivers.
    const matches = (pattern: string) =>
      new RegExp(`^${pattern.replace(/:[A-Za-z]+/g, '[^/]+')}$`).test(path);
    const route = routes.find(
      (candidate) => matches(candidate.path) && [candidate.method].flat().includes(req.method ?? ''),
    );
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    route.handler(Object.assign(req, { params: {} }), res);
  });
}

async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** The composition root: config → stores → Slack → listeners → jobs. Nothing else builds these. */
export async function createBot(config: Config, options: BotOptions): Promise<Bot> {
  const log = options.log;
  const clock = options.clock ?? (() => new Date());
  const processId = randomUUID();

  let azurite: EmbeddedAzurite | null = null;
  let connectionString = config.azureConnectionString;
  if (connectionString === null) {
    azurite = await startEmbeddedAzurite({ dataFolder: join(config.dataFolder, 'azurite') });
    connectionString = azurite.connectionString;
    log.info('no AZURE_TABLES_CONNECTION_STRING: using an embedded Azurite', {
      dataFolder: join(config.dataFolder, 'azurite'),
      tableEndpoint: `http://127.0.0.1:${azurite.port}/devstoreaccount1`,
    });
  }
  const table = (name: string) => createTableClient(connectionString, name);
  const stateTables = {
    leads: table(`${config.stateTablePrefix}Leads`),
    conversations: table(`${config.stateTablePrefix}Conversations`),
    cursors: table(`${config.stateTablePrefix}Cursors`),
    rules: table(`${config.stateTablePrefix}Rules`),
    ownership: table(`${config.stateTablePrefix}Ownership`),
    due: table(`${config.stateTablePrefix}Due`),
    settings: table(`${config.stateTablePrefix}Settings`),
    audit: table(`${config.stateTablePrefix}Audit`),
    lease: table(`${config.stateTablePrefix}Lease`),
  };
  // Created once; if the table service is unreachable at start, the bot still starts (health says why)
  // and every job tries again first, backing off while it fails.
  let stateTablesReady: Promise<void> | null = null;
  const ensureStateTables = () => {
    stateTablesReady ??= Promise.all(Object.values(stateTables).map(ensureTable)).then(
      () => undefined,
      (error: unknown) => {
        stateTablesReady = null;
        throw error;
      },
    );
    return stateTablesReady;
  };
  await ensureStateTables().catch((error: unknown) =>
    log.error('the table service is unreachable; jobs will retry with backoff', {
      error: error instanceof Error ? error.message : String(error),
    }),
  );
  const leadTable = createAzureLeadTable(table(config.leadsTable));
  const conversations = createAzureConversationStore(stateTables.conversations);
  const rules = createAzureRulesStore(stateTables.rules);
  const ownershipLog = createAzureOwnershipLog(stateTables.ownership);
  const due = createAzureDueStore(stateTables.due);
  const settings = createAzureSettingsStore(stateTables.settings);
  const auditLog = createAzureAuditLog(stateTables.audit);
  const slaPolicyFor = async (channel: string | null) =>
    resolvePolicy(config.sla, await settings.get(), channel);
  const once = createAzureOnceStore(stateTables.settings);
  const escalationChannel = async () => (await settings.get()).escalationChannel ?? config.managersChannel;
  const isAdmin = async (userId: string) =>
    config.adminUserIds.includes(userId) ||
    ((await settings.get()).admins ?? []).includes(userId) ||
    (config.allowWorkspaceAdmins && (await slack.userProfile(userId)).isWorkspaceAdmin);
  const roles: Roles = {
    isAdmin,
    isManager: async (userId) => config.managerUserIds.includes(userId) || (await isAdmin(userId)),
  };

  const health = createHealth(config.slack.mode, config.leadsTable);
  // Filled in once the poller exists; the inbound endpoint nudges it.
  let nudgePoll: () => void = () => {};
  const routes = [healthRoute(health)];
  if (config.inboundLeadsToken !== null) {
    const inbound: InboundLeadDeps = {
      token: config.inboundLeadsToken,
      writer: createAzureLeadTableWriter(table(config.leadsTable)),
      nudge: () => nudgePoll(),
      clock,
      log: log.child({ component: 'inbound' }),
    };
    routes.push({
      path: `${INBOUND_PATH_PREFIX}:token`,
      method: ['POST'],
      handler: (req, res) => {
        handleInboundLead(req, res, inbound).catch((error: unknown) => {
          inbound.log.error('inbound lead handler failed', { error });
          if (!res.headersSent) res.writeHead(500).end();
        });
      },
    });
  }
  let app: App | null = null;
  let slack: SlackGateway;
  if (config.slack.mode === 'local') {
    slack = createConsoleGateway({
      write: options.writeOutput ?? (() => {}),
      showBlocks: config.showBlocks,
      clock,
    });
  } else {
    const clientOptions = {
      ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
      // Bounded (about a minute), so a failing Slack call cannot hold a lead's posting claim past its timeout.
      retryConfig: { retries: options.slackRetries ?? 3, factor: 2, minTimeout: 1000, maxTimeout: 30_000 },
      // A call that hangs is abandoned, so it cannot hold a poll (or a posting claim) for ever; if Slack did
      // take the message, the next poll finds it by its metadata.
      timeout: options.slackTimeoutMs ?? 30_000,
    };
    app =
      config.slack.mode === 'http'
        ? new App({
            token: config.slack.botToken,
            signingSecret: config.slack.signingSecret,
            customRoutes: routes,
            clientOptions,
            logger: boltLogger(log),
          })
        : new App({
            token: config.slack.botToken,
            appToken: config.slack.appToken,
            socketMode: true,
            customRoutes: routes,
            installerOptions: { port: config.port },
            clientOptions,
            logger: boltLogger(log),
          });
    slack = createWebApiGateway(app.client, { postIntervalMs: config.slackPostIntervalMs });
  }
  const homeDeps: HomeDeps = { conversations, leadTable, slack, clock, roles };
  const homeLog = log.child({ component: 'home' });
  const ownershipDeps: OwnershipDeps = {
    conversations,
    ownershipLog,
    roles,
    leadTable,
    slack,
    clock,
    log: log.child({ component: 'ownership' }),
    // Only in Slack: local mode has no App Home to refresh.
    ...(config.slack.mode === 'local'
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
  if (app !== null) {
    const commandDeps: CommandDeps = {
      conversations,
      leadTable,
      slack,
      rules,
      settings,
      roles,
      auditLog,
      clock,
      defaults: {
        sla: config.sla,
        leadsChannel: config.leadsChannel,
        managersChannel: config.managersChannel,
        adminUserIds: config.adminUserIds,
      },
      pending: createAzurePendingStore(stateTables.settings),
    };
    registerLeadsCommand(app, commandDeps);
    registerRulesImportActions(app, commandDeps);
    registerOwnershipActions(app, ownershipDeps);
    registerFollowUpActions(app, { ...ownershipDeps, due });
    registerFollowUpSubmitted(app, ownershipDeps);
    registerThreadReply(app, ownershipDeps);
    registerAppHomeOpened(app, homeDeps);
  }

  const pollLog = log.child({ job: 'poll' });
  const pollDeps: Omit<PollDeps, 'channelFor' | 'slaPolicyFor'> = {
    ...ownershipDeps,
    rules,
    due,
    cursors: createAzureCursorStore(stateTables.cursors),
    leadRecords: createAzureLeadRecordStore(stateTables.leads),
    leadsChannel: config.leadsChannel,
    processId,
    claimTimeoutMs: config.claimTimeoutSeconds * 1000,
    backfillDays: config.backfillDays,
    overlapMs: config.pollOverlapSeconds * 1000,
    clock,
    log: pollLog,
    reportBlocked: async (blocked) => {
      const report = await escalationChannel();
      for (const problem of blocked) {
        pollLog.error('Slack refuses a channel; its leads wait until an admin fixes it', { ...problem });
        // Once a day per channel and error, in the escalation channel (or the leads channel).
        const key = `blocked-${problem.channel}-${problem.error}-${clock().toISOString().slice(0, 10)}`;
        const target = report ?? config.leadsChannel;
        if (target === problem.channel || !(await once.claim(key, clock()))) continue;
        await slack
          .postMessage({ channel: target, ...renderBlockedChannel(problem) })
          .catch((error: unknown) => {
            pollLog.error('could not tell admins about a blocked channel', { error });
          });
      }
    },
  };
  const poll = async (): Promise<PollSummary> => {
    try {
      await ensureStateTables();
      // Rules and settings are read once a poll, not once a lead (a 1,000-lead backlog would read each
      // 2,000 times); a change made during a poll applies from the next one.
      const [routingRules, adminSettings] = await Promise.all([rules.routingRules(), settings.get()]);
      const summary = await pollNewLeads({
        ...pollDeps,
        channelFor: async (lead) => routeLead(routingRules, lead, config.leadsChannel).channel,
        slaPolicyFor: async (channel) => resolvePolicy(config.sla, adminSettings, channel),
      });
      health.recordPoll(clock(), { summary });
      if (summary.read > 0 || summary.firstStart) pollLog.info('poll done', { ...summary });
      return summary;
    } catch (error) {
      health.recordPoll(clock(), { error: error instanceof Error ? error.message : String(error) });
      throw error;
    }
  };

  const reminderDeps: ReminderDeps = {
    ...ownershipDeps,
    due,
    slaPolicyFor,
    escalationChannel,
    processId,
    claimTimeoutMs: config.claimTimeoutSeconds * 1000,
    log: log.child({ job: 'reminders' }),
  };
  const reminders = async () => {
    await ensureStateTables();
    return sendReminders(reminderDeps);
  };
  const digest = () =>
    sendDigest({
      conversations,
      leadTable,
      slack,
      clock,
      once,
      digestChannel: async () => (await escalationChannel()) ?? config.leadsChannel,
      timeZone: config.digestTimeZone,
      log: log.child({ job: 'digest' }),
    });

  // Only the lease holder runs the scheduled jobs; the others stand by and take over within a lease
  // period if it dies. Listeners work in every process.
  const lease = createAzureLeaseStore(stateTables.lease);
  const leaseMs = config.leaseSeconds * 1000;
  let isLeader = false;
  // Jobs that start together share one lease request, so a process never races itself for the lease.
  let acquiring: Promise<boolean> | null = null;
  const lead = () => {
    acquiring ??= lease
      .acquire(processId, clock(), leaseMs)
      .then((leader) => {
        isLeader = leader;
        health.setLeader(leader);
        return leader;
      })
      .finally(() => {
        acquiring = null;
      });
    return acquiring;
  };
  const asLeader = (job: () => Promise<unknown>) => async (): Promise<unknown> =>
    (await lead()) ? job() : { skipped: 'another process holds the jobs lease' };
  const leaderPoll = withBackoff(asLeader(poll), pollLog);

  // One nudged poll at a time; a nudge during a run asks for one more run after it.
  let nudged: Promise<unknown> | null = null;
  let nudgedAgain = false;
  nudgePoll = () => {
    if (nudged) {
      nudgedAgain = true;
      return;
    }
    nudged = asLeader(poll)()
      .catch((error: unknown) => pollLog.error('nudged poll failed', { error }))
      .finally(() => {
        nudged = null;
        if (nudgedAgain) {
          nudgedAgain = false;
          nudgePoll();
        }
      });
  };

  let scheduler: Scheduler | null = null;
  let localServer: Server | null = null;
  let started = false;
  return {
    connectionString,
    health,
    jobs: { poll, reminders, digest },
    pollNow: () => nudgePoll(),
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
            { name: 'poll', schedule: config.pollSchedule, run: leaderPoll },
            {
              name: 'reminders',
              schedule: config.reminderSchedule,
              run: withBackoff(asLeader(reminders), log.child({ job: 'reminders' })),
            },
            {
              name: 'digest',
              schedule: config.digestSchedule,
              timeZone: config.digestTimeZone,
              run: asLeader(digest),
            },
          ],
          log,
        );
      }
      started = true;
      health.markReady();
      return { port };
    },
    async stop() {
      await scheduler?.stop();
      await nudged;
      // Let a standby process take over at its next tick instead of after the lease expires.
      if (isLeader) await lease.release(processId);
      if (started) await app?.stop();
      await new Promise<void>((resolve) => (localServer ? localServer.close(() => resolve()) : resolve()));
      await azurite?.close();
    },
  };
}
