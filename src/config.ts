import { validate as isValidCron } from 'node-cron';
import { isTimeZone, parseBusinessHours, parseDuration } from './domain/sla.ts';
import { DEFAULT_ACTIVE_ACTIONS, type SlaPolicy } from './domain/sla-policy.ts';
import type { LogLevel } from './logger.ts';

export type SlackConfig =
  /** Events, commands and interactivity arrive over HTTP at POST /slack/events. */
  | {
      readonly mode: 'http';
      readonly botToken: string;
      readonly signingSecret: string;
      readonly apiUrl: string | null;
    }
  /** Slack delivers over a WebSocket: no public URL needed. */
  | {
      readonly mode: 'socket';
      readonly botToken: string;
      readonly appToken: string;
      readonly signingSecret: string | null;
      readonly apiUrl: string | null;
    }
  /** No credentials: messages are printed instead of posted. */
  | { readonly mode: 'local' };

export interface Config {
  readonly slack: SlackConfig;
  readonly port: number;
  /** Null: start an embedded Azurite that keeps its data in `dataFolder`. */
  readonly azureConnectionString: string | null;
  readonly dataFolder: string;
  readonly leadsTable: string;
  /** Prefix of the bot's own state tables in the same storage account. */
  readonly stateTablePrefix: string;
  readonly leadsChannel: string;
  /** Slack user ids of managers: they may reassign or release any lead. */
  readonly managerUserIds: readonly string[];
  /** Slack user ids of admins: managers' rights, plus the rules. */
  readonly adminUserIds: readonly string[];
  /** Slack workspace admins and owners are admins of the bot too. */
  readonly allowWorkspaceAdmins: boolean;
  readonly pollSchedule: string;
  /** Reminders and escalations are checked on this schedule. */
  readonly reminderSchedule: string;
  /** Secret path segment of the HTTPS lead endpoint (POST /leads/inbound/<token>); null: the endpoint is off. */
  readonly inboundLeadsToken: string | null;
  /** The managers' daily digest: a node-cron expression in `digestTimeZone`. */
  readonly digestSchedule: string;
  readonly digestTimeZone: string;
  /** Where escalations go; null: the leads channel. */
  readonly managersChannel: string | null;
  readonly sla: SlaPolicy;
  readonly backfillDays: number;
  readonly pollOverlapSeconds: number;
  /** How long the jobs lease lasts without renewal: a dead holder is replaced within this. */
  readonly leaseSeconds: number;
  /** A lead's posting claim older than this belongs to a dead process and is taken over. */
  readonly claimTimeoutSeconds: number;
  /** Minimum milliseconds between two posts to one Slack channel (Slack allows about one a second). */
  readonly slackPostIntervalMs: number;
  readonly logLevel: LogLevel;
  readonly logFormat: 'json' | 'pretty';
  /** Local mode: print each message's Block Kit JSON too. */
  readonly showBlocks: boolean;
}

export type Env = Readonly<Record<string, string | undefined>>;

export const DEFAULTS = {
  port: 3000,
  leadsTable: 'MarketplaceLeads',
  stateTablePrefix: 'leadbot',
  localLeadsChannel: 'local-leads',
  pollSchedule: '*/30 * * * * *',
  reminderSchedule: '0 * * * * *',
  digestSchedule: '0 0 9 * * 1-5',
  slaMinutes: 1440,
  backfillDays: 7,
  pollOverlapSeconds: 300,
  dataFolder: '.leadbot',
} as const;

/** Thrown by loadConfig with every problem at once, each with how to fix it. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `The configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;
const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;
const USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** Validates the environment once. Pure: the caller passes the environment (main.ts passes process.env). */
export function loadConfig(env: Env): Config {
  const problems: string[] = [];
  const text = (name: string): string | null => {
    const value = env[name]?.trim();
    return value ? value : null;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = text(name);
    if (raw === null) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name}="${raw}" must be a whole number from ${min} to ${max}.`);
      return fallback;
    }
    return value;
  };

  const botToken = text('SLACK_BOT_TOKEN');
  const signingSecret = text('SLACK_SIGNING_SECRET');
  const appToken = text('SLACK_APP_TOKEN');
  const apiUrlText = text('SLACK_API_URL');
  let apiUrl: string | null = null;
  if (apiUrlText !== null) {
    if (URL.canParse(apiUrlText)) apiUrl = apiUrlText.endsWith('/') ? apiUrlText : `${apiUrlText}/`;
    else
      problems.push(
        `SLACK_API_URL="${apiUrlText}" is not a URL; use the Web API base, e.g. https://slack.com/api/.`,
      );
  }
  if (botToken !== null && !botToken.startsWith('xoxb-')) {
    problems.push('SLACK_BOT_TOKEN must be a bot token (xoxb-…): Slack app settings → OAuth & Permissions.');
  }
  if (appToken !== null && !appToken.startsWith('xapp-')) {
    problems.push(
      'SLACK_APP_TOKEN must be an app-level token (xapp-…) with connections:write: Basic Information → App-Level Tokens.',
    );
  }
  let slack: SlackConfig = { mode: 'local' };
  if (botToken === null) {
    if (signingSecret !== null || appToken !== null) {
      problems.push(
        'SLACK_BOT_TOKEN is missing: set it (xoxb-…) or unset SLACK_SIGNING_SECRET/SLACK_APP_TOKEN for local mode.',
      );
    }
  } else if (appToken !== null) {
    slack = { mode: 'socket', botToken, appToken, signingSecret, apiUrl };
  } else if (signingSecret !== null) {
    slack = { mode: 'http', botToken, signingSecret, apiUrl };
  } else {
    problems.push(
      'SLACK_SIGNING_SECRET is missing: HTTP mode needs it (Basic Information → Signing Secret); or set SLACK_APP_TOKEN for Socket Mode.',
    );
  }

  const leadsChannelText = text('LEADS_CHANNEL');
  let leadsChannel: string = DEFAULTS.localLeadsChannel;
  if (leadsChannelText !== null) {
    if (CHANNEL_ID.test(leadsChannelText)) leadsChannel = leadsChannelText;
    else
      problems.push(
        `LEADS_CHANNEL="${leadsChannelText}" must be a channel id like C0123456789 (channel details → About, at the bottom).`,
      );
  } else if (slack.mode !== 'local') {
    problems.push(
      'LEADS_CHANNEL is missing: the id of the channel for new leads, e.g. C0123456789 (channel details → About).',
    );
  }

  const userIds = (name: string): string[] => {
    const ids = (text(name) ?? '').split(/[\s,]+/).filter(Boolean);
    const bad = ids.filter((id) => !USER_ID.test(id));
    if (bad.length > 0)
      problems.push(
        `${name} holds ${bad.join(', ')}: list Slack user ids like U0123456789, separated by commas.`,
      );
    return ids.filter((id) => USER_ID.test(id));
  };
  const managerUserIds = userIds('MANAGER_USER_IDS');
  const adminUserIds = userIds('ADMIN_USER_IDS');

  const leadsTable = text('LEADS_TABLE') ?? DEFAULTS.leadsTable;
  if (!TABLE_NAME.test(leadsTable)) {
    problems.push(
      `LEADS_TABLE="${leadsTable}" is not a table name (3–63 letters and digits, starting with a letter).`,
    );
  }
  const stateTablePrefix = text('STATE_TABLE_PREFIX') ?? DEFAULTS.stateTablePrefix;
  if (!/^[A-Za-z][A-Za-z0-9]{0,39}$/.test(stateTablePrefix)) {
    problems.push(
      `STATE_TABLE_PREFIX="${stateTablePrefix}" must be 1–40 letters and digits, starting with a letter.`,
    );
  }
  const schedule = (name: string, fallback: string, example: string) => {
    const value = text(name) ?? fallback;
    if (!isValidCron(value)) problems.push(`${name}="${value}" is not a cron expression; e.g. ${example}.`);
    return value;
  };
  const pollSchedule = schedule(
    'POLL_SCHEDULE',
    DEFAULTS.pollSchedule,
    '"*/30 * * * * *" polls every 30 seconds',
  );
  const reminderSchedule = schedule(
    'REMINDER_SCHEDULE',
    DEFAULTS.reminderSchedule,
    '"0 * * * * *" checks every minute',
  );
  const inboundLeadsToken = text('INBOUND_LEADS_TOKEN');
  if (inboundLeadsToken !== null && !/^[A-Za-z0-9_-]{24,}$/.test(inboundLeadsToken)) {
    problems.push(
      'INBOUND_LEADS_TOKEN must be at least 24 letters, digits, - or _ (e.g. the output of: openssl rand -hex 24).',
    );
  }
  const digestSchedule = schedule(
    'DIGEST_SCHEDULE',
    DEFAULTS.digestSchedule,
    '"0 0 9 * * 1-5" is 09:00 on weekdays',
  );
  const digestTimeZone = text('DIGEST_TIMEZONE') ?? 'UTC';
  if (!isTimeZone(digestTimeZone))
    problems.push(`DIGEST_TIMEZONE="${digestTimeZone}" is not an IANA time zone like Europe/Berlin.`);
  const managersChannelText = text('MANAGERS_CHANNEL');
  if (managersChannelText !== null && !CHANNEL_ID.test(managersChannelText)) {
    problems.push(`MANAGERS_CHANNEL="${managersChannelText}" must be a channel id like C0123456789.`);
  }
  const activeActions = (text('ACTIVE_ACTIONS') ?? DEFAULT_ACTIVE_ACTIONS.join(','))
    .split(',')
    .map((action) => action.trim())
    .filter(Boolean);
  const defaultSlaText = text('SLA') ?? '24h';
  const defaultSlaMinutes = parseDuration(defaultSlaText);
  if (defaultSlaMinutes === null)
    problems.push(`SLA="${defaultSlaText}" is not a duration like 30m, 4h, 24h or 2d.`);
  const slaMinutesByAction: Record<string, number> = {};
  for (const pair of (text('SLA_BY_ACTION') ?? '').split(',').filter((p) => p.trim() !== '')) {
    const [action = '', duration = ''] = pair.split('=').map((part) => part.trim());
    const minutes = parseDuration(duration);
    if (action === '' || minutes === null)
      problems.push(`SLA_BY_ACTION: "${pair.trim()}" must be Action=duration, e.g. Create=4h.`);
    else slaMinutesByAction[action] = minutes;
  }
  const hoursText = text('BUSINESS_HOURS');
  let businessHours: SlaPolicy['businessHours'] = null;
  if (hoursText !== null) {
    const parsed = parseBusinessHours(hoursText);
    if (parsed.ok) businessHours = parsed.hours;
    else problems.push(`BUSINESS_HOURS="${hoursText}": ${parsed.problem}.`);
  }
  const logLevel = text('LOG_LEVEL') ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    problems.push(`LOG_LEVEL="${logLevel}" must be debug, info, warn or error.`);
  }
  const logFormat = text('LOG_FORMAT') ?? 'pretty';
  if (logFormat !== 'json' && logFormat !== 'pretty')
    problems.push(`LOG_FORMAT="${logFormat}" must be json or pretty.`);

  const config: Config = {
    slack,
    port: integer('PORT', DEFAULTS.port, 0, 65535),
    azureConnectionString: text('AZURE_TABLES_CONNECTION_STRING'),
    dataFolder: text('DATA_DIR') ?? DEFAULTS.dataFolder,
    leadsTable,
    stateTablePrefix,
    leadsChannel,
    managerUserIds,
    adminUserIds,
    allowWorkspaceAdmins: ['1', 'true', 'yes'].includes((text('ALLOW_WORKSPACE_ADMINS') ?? '').toLowerCase()),
    pollSchedule,
    reminderSchedule,
    inboundLeadsToken,
    digestSchedule,
    digestTimeZone,
    managersChannel:
      managersChannelText !== null && CHANNEL_ID.test(managersChannelText) ? managersChannelText : null,
    sla: {
      activeActions,
      defaultSlaMinutes: defaultSlaMinutes ?? DEFAULTS.slaMinutes,
      slaMinutesByAction,
      escalationFactor: 2,
      businessHours,
    },
    backfillDays: integer('BACKFILL_DAYS', DEFAULTS.backfillDays, 0, 3650),
    pollOverlapSeconds: integer('POLL_OVERLAP_SECONDS', DEFAULTS.pollOverlapSeconds, 0, 86400),
    slackPostIntervalMs: integer('SLACK_POST_INTERVAL_MS', 1000, 0, 60_000),
    leaseSeconds: integer('LEASE_SECONDS', 90, 2, 3600),
    claimTimeoutSeconds: integer('CLAIM_TIMEOUT_SECONDS', 300, 1, 86400),
    logLevel: logLevel as LogLevel,
    logFormat: logFormat === 'json' ? 'json' : 'pretty',
    showBlocks: ['1', 'true', 'yes'].includes((text('SHOW_BLOCKS') ?? '').toLowerCase()),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
