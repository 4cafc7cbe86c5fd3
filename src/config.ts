import { validate as isValidCron } from 'node-cron';
import { type AwayStatuses, DEFAULT_AWAY_STATUSES, parseAwayStatuses } from './domain/availability.ts';
import { PIPELINE_STAGES, type PipelineStage } from './domain/conversation.ts';
import { fail, ok, type Parsed } from './domain/parsed.ts';
import {
  type BusinessHours,
  DURATION_HINT,
  isTimeZone,
  parseBusinessHours,
  parseDuration,
} from './domain/sla.ts';
import {
  DEFAULT_ACTIVE_ACTIONS,
  parseActionCode,
  parseActiveActions,
  type SlaPolicy,
} from './domain/sla-policy.ts';
import type { LogLevel } from './logger.ts';
import type { StorageSetting } from './stores/azure/tables.ts';

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
  /**
   * Where /healthz, /livez and /metrics are served instead of PORT (null: on PORT), so probes and
   * Prometheus need not share the public Slack ingress.
   */
  readonly metricsPort: number | null;
  /** Null: start an embedded Azurite that keeps its data in `dataFolder`. */
  readonly storage: StorageSetting | null;
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
  /** The safety-net sweep (a Timestamp-only scan of the lead table): hourly by default. */
  readonly sweepSchedule: string;
  /** The check for owners whose Slack account was deactivated (their open leads move on): hourly. */
  readonly rosterSchedule: string;
  /** Secret path segment of the HTTPS lead endpoint (POST /leads/inbound/<token>); null: the endpoint is off. */
  readonly inboundLeadsToken: string | null;
  /** The managers' daily digest: a node-cron expression in `digestTimeZone`. */
  readonly digestSchedule: string;
  /** The managers' weekly summary: a node-cron expression in `digestTimeZone`. */
  readonly weeklyDigestSchedule: string;
  readonly digestTimeZone: string;
  /** Slack statuses (emoji codes, words of the status text) that keep a rep out of rotations. */
  readonly awayStatuses: AwayStatuses;
  /** Where escalations go; null: the leads channel. */
  readonly managersChannel: string | null;
  readonly sla: SlaPolicy;
  readonly backfillDays: number;
  readonly pollOverlapSeconds: number;
  /** How long the jobs lease lasts without renewal: a dead holder is replaced within this. */
  readonly leaseSeconds: number;
  /** A lead's posting claim older than this belongs to a dead process and is taken over. */
  readonly claimTimeoutSeconds: number;
  /** A Slack call not answered by then is abandoned, its outcome unknown. */
  readonly slackTimeoutSeconds: number;
  /** Minimum milliseconds between two posts to one Slack channel (Slack allows about one a second). */
  readonly slackPostIntervalMs: number;
  readonly logLevel: LogLevel;
  readonly logFormat: 'json' | 'pretty';
  /** Local mode: print each message's Block Kit JSON too. */
  readonly showBlocks: boolean;
  /** The team's CRM, written every lead once (docs/crm.md); null: none. */
  readonly crm: CrmConfig | null;
  /** How often the lease holder writes queued leads to the CRM. */
  readonly crmSchedule: string;
  /** A CRM call not answered by then counts as unanswered (the write is tried again: it is idempotent). */
  readonly crmTimeoutSeconds: number;
  /** How long a new card waits for the CRM's answer about the customer; a later answer edits the card. */
  readonly crmLookupBudgetMs: number;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Thrown by loadConfig with every problem at once, each with how to fix it. */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(
      `The configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;
const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;
const USER_ID = /^[UW][A-Z0-9]{2,}$/;

/**
 * One environment variable: its default, how its text is read, and what a good value looks like.
 * A problem is shown after `NAME="text"`; with `quote: false` after `NAME` alone: secrets are never
 * echoed, and lists name their bad item themselves.
 */
interface Setting<T> {
  readonly name: string;
  readonly default: T;
  readonly parse: (text: string) => Parsed<T>;
  readonly quote: boolean;
}

const setting = <T>(
  name: string,
  defaultValue: T,
  parse: (text: string) => Parsed<T>,
  quote = true,
): Setting<T> => ({ name, default: defaultValue, parse, quote });

const text = (text: string): Parsed<string> => ok(text);
const optionalText = (text: string): Parsed<string | null> => ok(text);
const flag = (text: string): Parsed<boolean> => ok(['1', 'true', 'yes'].includes(text.toLowerCase()));
const wholeNumber =
  (min: number, max: number) =>
  (text: string): Parsed<number> => {
    const value = Number(text);
    return Number.isInteger(value) && value >= min && value <= max
      ? ok(value)
      : fail(`must be a whole number from ${min} to ${max}.`);
  };
const cron =
  (example: string) =>
  (text: string): Parsed<string> =>
    isValidCron(text) ? ok(text) : fail(`is not a cron expression; e.g. ${example}.`);
const matching =
  <T extends string | null>(pattern: RegExp, problem: string) =>
  (text: string): Parsed<T> =>
    pattern.test(text) ? ok(text as T) : fail(problem);
const oneOf =
  <T extends string>(values: readonly T[], problem: string) =>
  (text: string): Parsed<T> =>
    (values as readonly string[]).includes(text) ? ok(text as T) : fail(problem);
const userIdList = (text: string): Parsed<readonly string[]> => {
  const ids = text.split(/[\s,]+/).filter(Boolean);
  const bad = ids.filter((id) => !USER_ID.test(id));
  return bad.length === 0
    ? ok(ids)
    : fail(`holds ${bad.join(', ')}: list Slack user ids like U0123456789, separated by commas.`);
};
const duration = (text: string): Parsed<number> => {
  const minutes = parseDuration(text);
  return minutes === null ? fail(`is not ${DURATION_HINT}.`) : ok(minutes);
};
const activeActionList = (text: string): Parsed<readonly string[]> => {
  const parsed = parseActiveActions(
    text
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean),
  );
  return parsed.ok ? parsed : fail(`: ${parsed.problem}`);
};
const slaByAction = (text: string): Parsed<Readonly<Record<string, number>>> => {
  const byAction: Record<string, number> = {};
  for (const pair of text.split(',').filter((p) => p.trim() !== '')) {
    const [actionText = '', durationText = ''] = pair.split('=').map((part) => part.trim());
    const action = parseActionCode(actionText);
    const minutes = parseDuration(durationText);
    if (!pair.includes('=') || minutes === null)
      return fail(`: "${pair.trim()}" must be Action=duration (${DURATION_HINT}), e.g. Create=4h.`);
    if (!action.ok) return fail(`: ${action.problem}`);
    byAction[action.value] = minutes;
  }
  return ok(byAction);
};
const businessHours = (text: string): Parsed<BusinessHours | null> => {
  const parsed = parseBusinessHours(text);
  return parsed.ok ? ok(parsed.hours) : fail(`: ${parsed.problem}.`);
};
const timeZone = (text: string): Parsed<string> =>
  isTimeZone(text) ? ok(text) : fail('is not an IANA time zone like Europe/Berlin.');
/** A storage connection string: an account and its key or SAS, and where the Table service is. */
const connectionString = (text: string): Parsed<string | null> => {
  const parts = new Map(
    text
      .split(';')
      .filter((part) => part.includes('='))
      .map((part) => [
        part.slice(0, part.indexOf('=')).trim().toLowerCase(),
        part.slice(part.indexOf('=') + 1),
      ]),
  );
  if (parts.get('usedevelopmentstorage') === 'true') return ok(text);
  const credential = parts.has('accountkey') || parts.has('sharedaccesssignature');
  const endpoint =
    /^https?:\/\//.test(parts.get('tableendpoint') ?? '') || parts.has('defaultendpointsprotocol');
  return (parts.has('accountname') || parts.has('tableendpoint')) && credential && endpoint
    ? ok(text)
    : fail(
        'is not a storage connection string: copy it from the storage account → Security + networking → Access keys (DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…;EndpointSuffix=core.windows.net).',
      );
};

/** The table service of an account, e.g. https://contoso.table.core.windows.net (no table, no query). */
const accountUrl = (text: string): Parsed<string | null> => {
  const url = URL.canParse(text) ? new URL(text) : null;
  return url && (url.protocol === 'https:' || url.protocol === 'http:') && url.search === ''
    ? ok(text.replace(/\/+$/, ''))
    : fail(
        'is not a table service URL: use https://<account>.table.core.windows.net (storage account → Endpoints → Table service).',
      );
};
/** A SAS token (the query string the portal shows, with or without its leading "?"). */
const sasToken = (text: string): Parsed<string | null> =>
  /(^|[?&])sig=/.test(text) && /(^|[?&])sv=/.test(text)
    ? ok(text.replace(/^\?/, ''))
    : fail(
        'is not a SAS token: it must hold sv=… and sig=… (storage account → Shared access signature, or az storage account generate-sas).',
      );

const apiUrl = (text: string): Parsed<string | null> =>
  URL.canParse(text)
    ? ok(text.endsWith('/') ? text : `${text}/`)
    : fail('is not a URL; use the Web API base, e.g. https://slack.com/api/.');

/** Every setting and its default, in one place. docs/configuration.md documents each. */
export const SETTINGS = {
  botToken: setting(
    'SLACK_BOT_TOKEN',
    null,
    matching<string | null>(
      /^xoxb-/,
      'must be a bot token (xoxb-…): Slack app settings → OAuth & Permissions.',
    ),
    false,
  ),
  signingSecret: setting('SLACK_SIGNING_SECRET', null, optionalText, false),
  appToken: setting(
    'SLACK_APP_TOKEN',
    null,
    matching<string | null>(
      /^xapp-/,
      'must be an app-level token (xapp-…) with connections:write: Basic Information → App-Level Tokens.',
    ),
    false,
  ),
  apiUrl: setting('SLACK_API_URL', null, apiUrl),
  port: setting('PORT', 3000, wholeNumber(0, 65535)),
  metricsPort: setting('METRICS_PORT', null as number | null, wholeNumber(0, 65535)),
  azureConnectionString: setting('AZURE_TABLES_CONNECTION_STRING', null, connectionString, false),
  azureAccountUrl: setting('AZURE_TABLES_ACCOUNT_URL', null, accountUrl),
  azureSasToken: setting('AZURE_TABLES_SAS_TOKEN', null, sasToken, false),
  dataFolder: setting('DATA_DIR', '.leadbot', text),
  localStorage: setting('LOCAL_STORAGE', false, flag),
  leadsTable: setting(
    'LEADS_TABLE',
    'MarketplaceLeads',
    matching(TABLE_NAME, 'is not a table name (3–63 letters and digits, starting with a letter).'),
  ),
  stateTablePrefix: setting(
    'STATE_TABLE_PREFIX',
    'leadbot',
    matching(/^[A-Za-z][A-Za-z0-9]{0,39}$/, 'must be 1–40 letters and digits, starting with a letter.'),
  ),
  leadsChannel: setting(
    'LEADS_CHANNEL',
    null,
    matching<string | null>(
      CHANNEL_ID,
      'must be a channel id like C0123456789 (channel details → About, at the bottom).',
    ),
  ),
  managerUserIds: setting('MANAGER_USER_IDS', [] as readonly string[], userIdList, false),
  adminUserIds: setting('ADMIN_USER_IDS', [] as readonly string[], userIdList, false),
  allowWorkspaceAdmins: setting('ALLOW_WORKSPACE_ADMINS', false, flag),
  // Every 10 s: a partition poll reads about 40 entities in 5 requests whatever the table's size
  // (BENCHMARKS.md), and a lead answered within minutes is far likelier to be won than one answered later.
  pollSchedule: setting('POLL_SCHEDULE', '*/10 * * * * *', cron('"*/10 * * * * *" polls every 10 seconds')),
  reminderSchedule: setting('REMINDER_SCHEDULE', '0 * * * * *', cron('"0 * * * * *" checks every minute')),
  sweepSchedule: setting('SWEEP_SCHEDULE', '0 7 * * * *', cron('"0 7 * * * *" sweeps hourly')),
  rosterSchedule: setting('ROSTER_SCHEDULE', '0 17 * * * *', cron('"0 17 * * * *" checks hourly')),
  digestSchedule: setting('DIGEST_SCHEDULE', '0 0 9 * * 1-5', cron('"0 0 9 * * 1-5" is 09:00 on weekdays')),
  weeklyDigestSchedule: setting(
    'WEEKLY_DIGEST_SCHEDULE',
    '0 30 8 * * 1',
    cron('"0 30 8 * * 1" is 08:30 on Mondays'),
  ),
  digestTimeZone: setting('DIGEST_TIMEZONE', 'UTC', timeZone),
  // `off`: Slack statuses are not read for rotations.
  awayStatuses: setting('AWAY_STATUSES', parseAwayStatuses(DEFAULT_AWAY_STATUSES), (text) =>
    ok(text.trim().toLowerCase() === 'off' ? { emojis: [], words: [] } : parseAwayStatuses(text)),
  ),
  inboundLeadsToken: setting(
    'INBOUND_LEADS_TOKEN',
    null,
    matching<string | null>(
      /^[A-Za-z0-9_-]{24,}$/,
      'must be at least 24 letters, digits, - or _ (e.g. the output of: openssl rand -hex 24).',
    ),
    false,
  ),
  managersChannel: setting(
    'MANAGERS_CHANNEL',
    null,
    matching<string | null>(CHANNEL_ID, 'must be a channel id like C0123456789.'),
  ),
  activeActions: setting('ACTIVE_ACTIONS', DEFAULT_ACTIVE_ACTIONS as readonly string[], activeActionList),
  // Speed to lead: claimed within 5 minutes, first touched within an hour (see docs/configuration.md).
  claimSla: setting('CLAIM_SLA', 5 as number | null, (text) =>
    text.trim().toLowerCase() === 'off' ? ok(null) : duration(text),
  ),
  sla: setting('SLA', 60, duration),
  slaByAction: setting('SLA_BY_ACTION', {} as Readonly<Record<string, number>>, slaByAction, false),
  businessHours: setting('BUSINESS_HOURS', null, businessHours),
  backfillDays: setting('BACKFILL_DAYS', 7, wholeNumber(0, 3650)),
  pollOverlapSeconds: setting('POLL_OVERLAP_SECONDS', 300, wholeNumber(0, 86400)),
  slackPostIntervalMs: setting('SLACK_POST_INTERVAL_MS', 1000, wholeNumber(0, 60_000)),
  leaseSeconds: setting('LEASE_SECONDS', 90, wholeNumber(2, 3600)),
  claimTimeoutSeconds: setting('CLAIM_TIMEOUT_SECONDS', 300, wholeNumber(2, 86400)),
  slackTimeoutSeconds: setting('SLACK_TIMEOUT_SECONDS', 30, wholeNumber(1, 300)),
  logLevel: setting(
    'LOG_LEVEL',
    'info' as LogLevel,
    oneOf<LogLevel>(['debug', 'info', 'warn', 'error'], 'must be debug, info, warn or error.'),
  ),
  logFormat: setting(
    'LOG_FORMAT',
    'pretty' as 'json' | 'pretty',
    oneOf<'json' | 'pretty'>(['json', 'pretty'], 'must be json or pretty.'),
  ),
  showBlocks: setting('SHOW_BLOCKS', false, flag),
  crm: setting(
    'CRM',
    'none' as 'none' | 'hubspot' | 'salesforce' | 'dataverse' | 'file',
    oneOf<'none' | 'hubspot' | 'salesforce' | 'dataverse' | 'file'>(
      ['none', 'hubspot', 'salesforce', 'dataverse', 'file'],
      'must be none, hubspot, salesforce, dataverse or file.',
    ),
  ),
  crmFile: setting('CRM_FILE', null as string | null, optionalText),
  crmTimeoutSeconds: setting('CRM_TIMEOUT_SECONDS', 20, wholeNumber(1, 300)),
  crmLookupBudgetMs: setting('CRM_LOOKUP_BUDGET_MS', 2000, wholeNumber(0, 10_000)),
  crmSchedule: setting('CRM_SCHEDULE', '*/10 * * * * *', cron('"*/10 * * * * *" writes every 10 seconds')),
  hubspotToken: setting(
    'HUBSPOT_TOKEN',
    null,
    matching<string | null>(/^[A-Za-z0-9_.:-]{10,}$/, 'is not a HubSpot access token (pat-…).'),
    false,
  ),
  hubspotApiUrl: setting('HUBSPOT_API_URL', 'https://api.hubapi.com', (text) =>
    /^https?:\/\/[^\s]+$/.test(text) ? ok(text) : fail('must be a URL like https://api.hubapi.com.'),
  ),
  hubspotLeadKeyProperty: setting(
    'HUBSPOT_LEAD_KEY_PROPERTY',
    'marketplace_lead_key',
    matching(/^[a-z][a-z0-9_]{0,99}$/, 'must be a HubSpot property name like marketplace_lead_key.'),
  ),
  hubspotPipeline: setting('HUBSPOT_PIPELINE', 'default', text),
  hubspotDealStage: setting('HUBSPOT_DEAL_STAGE', 'appointmentscheduled', text),
  crmStages: setting('CRM_STAGES', {} as CrmStageValues, crmStageValuesOf),
  salesforceLoginUrl: setting('SALESFORCE_LOGIN_URL', 'https://login.salesforce.com', (text) =>
    /^https?:\/\/[^\s/]+\/?$/.test(text)
      ? ok(text.replace(/\/+$/, ''))
      : fail('must be like https://login.salesforce.com.'),
  ),
  salesforceClientId: setting('SALESFORCE_CLIENT_ID', null as string | null, optionalText),
  salesforceUsername: setting('SALESFORCE_USERNAME', null as string | null, optionalText),
  salesforcePrivateKeyFile: setting('SALESFORCE_PRIVATE_KEY_FILE', null as string | null, optionalText),
  salesforceExternalIdField: setting(
    'SALESFORCE_EXTERNAL_ID_FIELD',
    'Marketplace_Lead_Key__c',
    matching(
      /^[A-Za-z][A-Za-z0-9_]{0,39}__c$/,
      'must be a custom field API name like Marketplace_Lead_Key__c.',
    ),
  ),
  salesforceLeadSource: setting('SALESFORCE_LEAD_SOURCE', 'Web', text),
  dataverseUrl: setting('DATAVERSE_URL', null as string | null, (text) =>
    /^https:\/\/[^\s/]+\/?$/.test(text) || /^http:\/\/127\.0\.0\.1:\d+\/?$/.test(text)
      ? ok(text)
      : fail('must be the environment URL, e.g. https://contoso.crm4.dynamics.com.'),
  ),
  dataverseTenantId: setting('DATAVERSE_TENANT_ID', null as string | null, optionalText),
  dataverseClientId: setting('DATAVERSE_CLIENT_ID', null as string | null, optionalText),
  dataverseClientSecret: setting('DATAVERSE_CLIENT_SECRET', null as string | null, optionalText, false),
  hubspotRequestsPer10Seconds: setting('HUBSPOT_REQUESTS_PER_10_SECONDS', 100, wholeNumber(1, 1000)),
} as const;

/** Local mode's channel name, when no LEADS_CHANNEL is set. */
const LOCAL_LEADS_CHANNEL = 'local-leads';

type Values = { -readonly [K in keyof typeof SETTINGS]: (typeof SETTINGS)[K]['default'] };

export type CrmConfig =
  | { readonly kind: 'file'; readonly path: string }
  | {
      readonly kind: 'hubspot';
      readonly stages: CrmStageValues;
      readonly token: string;
      readonly apiUrl: string;
      readonly leadKeyProperty: string;
      readonly pipeline: string;
      readonly dealStage: string;
      readonly requestsPer10Seconds: number;
    }
  | {
      readonly kind: 'salesforce';
      readonly stages: CrmStageValues;
      readonly loginUrl: string;
      readonly clientId: string;
      readonly username: string;
      /** Where the PEM private key is read from at start (a file, e.g. a mounted secret). */
      readonly privateKeyFile: string;
      readonly externalIdField: string;
      readonly leadSource: string;
    }
  | {
      readonly kind: 'dataverse';
      readonly stages: CrmStageValues;
      readonly url: string;
      /** With a secret: that app registration; without: the managed identity (DefaultAzureCredential). */
      readonly clientSecret: {
        readonly tenantId: string;
        readonly clientId: string;
        readonly secret: string;
      } | null;
    };

/**
 * The CRM's value for each stage in Slack, over the adapter's defaults (docs/crm.md): HubSpot a deal
 * stage's internal id, Salesforce a Lead Status, Dataverse `statecode/statuscode`; empty leaves the
 * record's stage as it is.
 */
export type CrmStageValues = Partial<Readonly<Record<PipelineStage, string | null>>>;

/** `Qualified=qualifiedtobuy; Won=closedwon; Not a fit=` → each named stage's value (empty: leave). */
export function crmStageValuesOf(text: string): Parsed<CrmStageValues> {
  const values: Partial<Record<PipelineStage, string | null>> = {};
  for (const part of text
    .split(';')
    .map((item) => item.trim())
    .filter((item) => item !== '')) {
    const equals = part.indexOf('=');
    const name = part.slice(0, Math.max(0, equals)).trim();
    const stage = PIPELINE_STAGES.find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    if (equals < 0 || stage === undefined)
      return fail(
        `"${part}" is not stage=value: the stages are ${PIPELINE_STAGES.join(', ')}, e.g. "Qualified=qualifiedtobuy; Won=closedwon".`,
      );
    if (stage in values) return fail(`names ${stage} twice.`);
    const value = part.slice(equals + 1).trim();
    values[stage] = value === '' ? null : value;
  }
  return ok(values);
}

/** Which CRM the settings name, with what it needs; a missing token is a problem, not a silent none. */
function crmOf(v: Values, problems: string[]): CrmConfig | null {
  switch (v.crm) {
    case 'none':
      if (v.hubspotToken !== null)
        problems.push('HUBSPOT_TOKEN is set but CRM is not: set CRM=hubspot to write leads to HubSpot.');
      return null;
    case 'file':
      return { kind: 'file', path: v.crmFile ?? `${v.dataFolder}/crm-records.json` };
    case 'salesforce': {
      const missing = [
        ['SALESFORCE_CLIENT_ID', v.salesforceClientId],
        ['SALESFORCE_USERNAME', v.salesforceUsername],
        ['SALESFORCE_PRIVATE_KEY_FILE', v.salesforcePrivateKeyFile],
      ].filter(([, value]) => value === null);
      if (missing.length > 0) {
        problems.push(
          `CRM=salesforce needs ${missing.map(([name]) => name).join(', ')}: the connected app's consumer key, its integration user, and the private key of the certificate uploaded to it (docs/crm.md).`,
        );
        return null;
      }
      return {
        kind: 'salesforce',
        stages: v.crmStages,
        loginUrl: v.salesforceLoginUrl,
        clientId: v.salesforceClientId ?? '',
        username: v.salesforceUsername ?? '',
        privateKeyFile: v.salesforcePrivateKeyFile ?? '',
        externalIdField: v.salesforceExternalIdField,
        leadSource: v.salesforceLeadSource,
      };
    }
    case 'dataverse': {
      if (v.dataverseUrl === null) {
        if (!problems.some((problem) => problem.startsWith('DATAVERSE_URL')))
          problems.push(
            "CRM=dataverse needs DATAVERSE_URL: the environment's URL, e.g. https://contoso.crm4.dynamics.com.",
          );
        return null;
      }
      const { dataverseTenantId: tenantId, dataverseClientId: clientId, dataverseClientSecret: secret } = v;
      if (secret !== null && (tenantId === null || clientId === null))
        problems.push(
          'DATAVERSE_CLIENT_SECRET needs DATAVERSE_TENANT_ID and DATAVERSE_CLIENT_ID too (the app registration).',
        );
      const notStatus = Object.entries(v.crmStages).find(
        ([, value]) => value !== null && !/^\d+\/\d+$/.test(value ?? ''),
      );
      if (notStatus)
        problems.push(
          `CRM_STAGES: Dynamics 365 takes statecode/statuscode, e.g. "Lost=2/4"; ${notStatus[0]}=${notStatus[1]} is not.`,
        );
      return {
        kind: 'dataverse',
        stages: v.crmStages,
        url: v.dataverseUrl,
        clientSecret:
          secret !== null && tenantId !== null && clientId !== null ? { tenantId, clientId, secret } : null,
      };
    }
    case 'hubspot':
      if (v.hubspotToken === null) {
        if (!problems.some((problem) => problem.startsWith('HUBSPOT_TOKEN')))
          problems.push(
            'CRM=hubspot needs HUBSPOT_TOKEN: a private app access token (pat-…) with the scopes in docs/crm.md.',
          );
        return null;
      }
      return {
        kind: 'hubspot',
        stages: v.crmStages,
        token: v.hubspotToken,
        apiUrl: v.hubspotApiUrl,
        leadKeyProperty: v.hubspotLeadKeyProperty,
        pipeline: v.hubspotPipeline,
        dealStage: v.hubspotDealStage,
        requestsPer10Seconds: v.hubspotRequestsPer10Seconds,
      };
  }
}

/** Validates the environment once. Pure: the caller passes the environment (main.ts passes process.env). */
export function loadConfig(env: Env): Config {
  const problems: string[] = [];
  const values = {} as Record<string, unknown>;
  for (const [key, item] of Object.entries(SETTINGS) as [string, Setting<unknown>][]) {
    const raw = env[item.name]?.trim();
    values[key] = item.default;
    if (!raw) continue;
    const parsed = item.parse(raw);
    if (parsed.ok) values[key] = parsed.value;
    else {
      const glue = parsed.problem.startsWith(':') ? '' : ' ';
      problems.push(`${item.quote ? `${item.name}="${raw}"` : item.name}${glue}${parsed.problem}`);
    }
  }
  const v = values as Values;

  // Which Slack mode the credentials that are set make up.
  const bad = (name: string) => problems.some((problem) => problem.startsWith(name));
  let slack: SlackConfig = { mode: 'local' };
  const botToken = v.botToken;
  if (botToken === null) {
    if (
      !bad('SLACK_BOT_TOKEN') &&
      (v.signingSecret !== null || v.appToken !== null || bad('SLACK_APP_TOKEN'))
    )
      problems.push(
        'SLACK_BOT_TOKEN is missing: set it (xoxb-…) or unset SLACK_SIGNING_SECRET/SLACK_APP_TOKEN for local mode.',
      );
  } else if (v.appToken !== null) {
    slack = {
      mode: 'socket',
      botToken,
      appToken: v.appToken,
      signingSecret: v.signingSecret,
      apiUrl: v.apiUrl,
    };
  } else if (v.signingSecret !== null) {
    slack = { mode: 'http', botToken, signingSecret: v.signingSecret, apiUrl: v.apiUrl };
  } else if (!bad('SLACK_APP_TOKEN')) {
    problems.push(
      'SLACK_SIGNING_SECRET is missing: HTTP mode needs it (Basic Information → Signing Secret); or set SLACK_APP_TOKEN for Socket Mode.',
    );
  }
  if (v.leadsChannel === null && slack.mode !== 'local' && !bad('LEADS_CHANNEL')) {
    problems.push(
      'LEADS_CHANNEL is missing: the id of the channel for new leads, e.g. C0123456789 (channel details → About).',
    );
  }
  const storage = storageOf(v, problems);
  const crm = crmOf(v, problems);
  // With Slack configured, this is a real deployment: an embedded store would keep its leads on one
  // machine, invisible to every other replica, and lost with the container. Only on request.
  if (slack.mode !== 'local' && storage === null && !v.localStorage && problems.length === 0)
    problems.push(
      'Slack is configured but no storage account is: set AZURE_TABLES_ACCOUNT_URL (Microsoft Entra ID or a SAS token) or AZURE_TABLES_CONNECTION_STRING to the account Partner Center writes leads into, or LOCAL_STORAGE=1 to keep everything in an embedded Azurite on this machine (one process only; development).',
    );
  // A claim guards a post; it must outlast at least one whole Slack call and a retry, or a live
  // process's claim would be taken over while its post is still under way.
  if (
    v.claimTimeoutSeconds < 2 * v.slackTimeoutSeconds &&
    !bad('CLAIM_TIMEOUT_SECONDS') &&
    !bad('SLACK_TIMEOUT_SECONDS')
  )
    problems.push(
      `CLAIM_TIMEOUT_SECONDS (${v.claimTimeoutSeconds}) must be at least twice SLACK_TIMEOUT_SECONDS (${v.slackTimeoutSeconds}): a lead's claim must outlast the post it guards.`,
    );
  if (v.metricsPort !== null && v.metricsPort !== 0 && v.metricsPort === v.port)
    problems.push(
      `METRICS_PORT (${v.metricsPort}) must differ from PORT: it serves probes and metrics apart.`,
    );
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    slack,
    port: v.port,
    metricsPort: v.metricsPort,
    storage,
    dataFolder: v.dataFolder,
    leadsTable: v.leadsTable,
    stateTablePrefix: v.stateTablePrefix,
    leadsChannel: v.leadsChannel ?? LOCAL_LEADS_CHANNEL,
    managerUserIds: v.managerUserIds,
    adminUserIds: v.adminUserIds,
    allowWorkspaceAdmins: v.allowWorkspaceAdmins,
    pollSchedule: v.pollSchedule,
    reminderSchedule: v.reminderSchedule,
    sweepSchedule: v.sweepSchedule,
    rosterSchedule: v.rosterSchedule,
    inboundLeadsToken: v.inboundLeadsToken,
    digestSchedule: v.digestSchedule,
    weeklyDigestSchedule: v.weeklyDigestSchedule,
    digestTimeZone: v.digestTimeZone,
    awayStatuses: v.awayStatuses,
    managersChannel: v.managersChannel,
    sla: {
      activeActions: v.activeActions,
      defaultSlaMinutes: v.sla,
      slaMinutesByAction: v.slaByAction,
      claimMinutes: v.claimSla,
      escalationFactor: 2,
      businessHours: v.businessHours,
    },
    backfillDays: v.backfillDays,
    pollOverlapSeconds: v.pollOverlapSeconds,
    slackPostIntervalMs: v.slackPostIntervalMs,
    leaseSeconds: v.leaseSeconds,
    claimTimeoutSeconds: v.claimTimeoutSeconds,
    slackTimeoutSeconds: v.slackTimeoutSeconds,
    logLevel: v.logLevel,
    logFormat: v.logFormat,
    showBlocks: v.showBlocks,
    crm,
    crmSchedule: v.crmSchedule,
    crmTimeoutSeconds: v.crmTimeoutSeconds,
    crmLookupBudgetMs: v.crmLookupBudgetMs,
  };
}

/**
 * Which storage access the settings make up: a connection string, or an account URL with a SAS token,
 * or an account URL alone (Microsoft Entra ID). Contradictions are problems, not guesses.
 */
function storageOf(v: Values, problems: string[]): StorageSetting | null {
  if (v.azureConnectionString !== null) {
    if (v.azureAccountUrl !== null || v.azureSasToken !== null)
      problems.push(
        'AZURE_TABLES_CONNECTION_STRING and AZURE_TABLES_ACCOUNT_URL/AZURE_TABLES_SAS_TOKEN are both set: keep one way to reach storage.',
      );
    return { kind: 'connection-string', connectionString: v.azureConnectionString };
  }
  if (v.azureAccountUrl === null) {
    if (v.azureSasToken !== null)
      problems.push(
        'AZURE_TABLES_SAS_TOKEN needs AZURE_TABLES_ACCOUNT_URL too, e.g. https://contoso.table.core.windows.net.',
      );
    return null;
  }
  return v.azureSasToken === null
    ? { kind: 'entra-id', accountUrl: v.azureAccountUrl }
    : { kind: 'sas', accountUrl: v.azureAccountUrl, sasToken: v.azureSasToken };
}
