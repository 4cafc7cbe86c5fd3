import { describe, expect, it } from 'vitest';
import { ConfigError, crmStageValuesOf, loadConfig } from '../src/config.ts';

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
};

describe('loadConfig', () => {
  it('runs in local mode with an embedded Azurite when nothing is set', () => {
    expect(loadConfig({})).toEqual({
      slack: { mode: 'local' },
      port: 3000,
      metricsPort: null,
      storage: null,
      dataFolder: '.leadbot',
      leadsTable: 'MarketplaceLeads',
      stateTablePrefix: 'leadbot',
      leadsChannel: 'local-leads',
      managerUserIds: [],
      adminUserIds: [],
      allowWorkspaceAdmins: false,
      pollSchedule: '*/10 * * * * *',
      reminderSchedule: '0 * * * * *',
      sweepSchedule: '0 7 * * * *',
      rosterSchedule: '0 17 * * * *',
      weeklyDigestSchedule: '0 30 8 * * 1',
      inboundLeadsToken: null,
      digestSchedule: '0 0 9 * * 1-5',
      digestTimeZone: 'UTC',
      awayStatuses: {
        emojis: [':palm_tree:', ':face_with_thermometer:', ':no_entry:'],
        words: ['out of office', 'vacation', 'holiday', 'sick'],
      },
      managersChannel: null,
      sla: {
        activeActions: ['PLT', 'INS', 'Create', 'StartTestDrive', 'other'],
        defaultSlaMinutes: 60,
        slaMinutesByAction: {},
        claimMinutes: 5,
        escalationFactor: 2,
        businessHours: null,
      },
      backfillDays: 7,
      pollOverlapSeconds: 300,
      slackPostIntervalMs: 1000,
      leaseSeconds: 90,
      claimTimeoutSeconds: 300,
      slackTimeoutSeconds: 30,
      logLevel: 'info',
      logFormat: 'pretty',
      showBlocks: false,
      crm: null,
      crmSchedule: '*/10 * * * * *',
      crmTimeoutSeconds: 20,
      crmLookupBudgetMs: 2000,
    });
  });

  it.each([
    ['', {}],
    ['Qualified=qualifiedtobuy; Won=closedwon', { Qualified: 'qualifiedtobuy', Won: 'closedwon' }],
    ['not a fit = Closed - Not Converted;', { 'Not a fit': 'Closed - Not Converted' }],
    ['Contacted=', { Contacted: null }],
  ])('reads CRM_STAGES=%j', (text, stages) => {
    expect(crmStageValuesOf(text)).toEqual({ ok: true, value: stages });
  });

  it.each([
    ['Closed=closedwon', /"Closed=closedwon" is not stage=value: the stages are New, Contacted/],
    ['Won', /"Won" is not stage=value/],
    ['Won=a; won=b', /names Won twice/],
  ])('refuses CRM_STAGES=%j, saying why', (text, message) => {
    expect(() => loadConfig({ CRM: 'hubspot', HUBSPOT_TOKEN: 'pat-na1-0', CRM_STAGES: text })).toThrow(
      message,
    );
  });

  it('takes Dynamics 365 stages only as statecode/statuscode', () => {
    const dataverse = { CRM: 'dataverse', DATAVERSE_URL: 'https://contoso.crm4.dynamics.com' };
    expect(loadConfig({ ...dataverse, CRM_STAGES: 'Lost=2/5; Won=' }).crm).toMatchObject({
      stages: { Lost: '2/5', Won: null },
    });
    expect(() => loadConfig({ ...dataverse, CRM_STAGES: 'Lost=Disqualified' })).toThrow(
      /CRM_STAGES: Dynamics 365 takes statecode\/statuscode, e.g. "Lost=2\/4"; Lost=Disqualified is not/,
    );
  });

  it('connects a CRM only when asked, and names what it needs', () => {
    expect(loadConfig({ CRM: 'file' }).crm).toEqual({ kind: 'file', path: '.leadbot/crm-records.json' });
    expect(loadConfig({ CRM: 'hubspot', HUBSPOT_TOKEN: 'pat-na1-0123456789' }).crm).toEqual({
      kind: 'hubspot',
      token: 'pat-na1-0123456789',
      apiUrl: 'https://api.hubapi.com',
      leadKeyProperty: 'marketplace_lead_key',
      pipeline: 'default',
      dealStage: 'appointmentscheduled',
      requestsPer10Seconds: 100,
      stages: {},
    });
    expect(() => loadConfig({ CRM: 'hubspot' })).toThrow(/CRM=hubspot needs HUBSPOT_TOKEN/);
    expect(() => loadConfig({ HUBSPOT_TOKEN: 'pat-na1-0123456789' })).toThrow(/set CRM=hubspot/);
    expect(() => loadConfig({ CRM: 'pipedrive' })).toThrow(
      /CRM="pipedrive" must be none, hubspot, salesforce, dataverse or file/,
    );
    expect(loadConfig({ CRM: 'dataverse', DATAVERSE_URL: 'https://contoso.crm4.dynamics.com' }).crm).toEqual({
      kind: 'dataverse',
      url: 'https://contoso.crm4.dynamics.com',
      clientSecret: null,
      stages: {},
    });
    expect(() => loadConfig({ CRM: 'dataverse' })).toThrow(/CRM=dataverse needs DATAVERSE_URL/);
    expect(() => loadConfig({ CRM: 'salesforce', SALESFORCE_USERNAME: 'bot@contoso.example' })).toThrow(
      /CRM=salesforce needs SALESFORCE_CLIENT_ID, SALESFORCE_PRIVATE_KEY_FILE:/,
    );
    expect(
      loadConfig({
        CRM: 'salesforce',
        SALESFORCE_CLIENT_ID: '3MVG9abc',
        SALESFORCE_USERNAME: 'bot@contoso.example',
        SALESFORCE_PRIVATE_KEY_FILE: '/run/secrets/salesforce.key',
      }).crm,
    ).toEqual({
      kind: 'salesforce',
      loginUrl: 'https://login.salesforce.com',
      clientId: '3MVG9abc',
      username: 'bot@contoso.example',
      privateKeyFile: '/run/secrets/salesforce.key',
      externalIdField: 'Marketplace_Lead_Key__c',
      leadSource: 'Web',
      stages: {},
    });
    expect(() =>
      loadConfig({
        CRM: 'dataverse',
        DATAVERSE_URL: 'https://x.crm.dynamics.com',
        DATAVERSE_CLIENT_SECRET: 's3cret',
      }),
    ).toThrow(/DATAVERSE_CLIENT_SECRET needs DATAVERSE_TENANT_ID and DATAVERSE_CLIENT_ID/);
    expect(() => loadConfig({ CRM: 'hubspot', HUBSPOT_TOKEN: 'pat x' })).toThrow(
      'problem(s):\n  - HUBSPOT_TOKEN is not a HubSpot access token (pat-…).',
    );
    expect(() => loadConfig({ CRM: 'hubspot', HUBSPOT_TOKEN: 'pat x' })).not.toThrow(/pat x/);
  });

  it('uses HTTP mode with a bot token and a signing secret', () => {
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 's',
      LEADS_CHANNEL: 'C0123456789',
      SLACK_API_URL: 'http://127.0.0.1:9/api',
      LOCAL_STORAGE: '1',
    });
    expect(config.slack).toEqual({
      mode: 'http',
      botToken: 'xoxb-1',
      signingSecret: 's',
      apiUrl: 'http://127.0.0.1:9/api/',
    });
    expect(config.leadsChannel).toBe('C0123456789');
  });

  it('uses Socket Mode with an app token', () => {
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_APP_TOKEN: 'xapp-1',
      LEADS_CHANNEL: 'C0123456789',
      LOCAL_STORAGE: '1',
    });
    expect(config.slack).toMatchObject({ mode: 'socket', appToken: 'xapp-1' });
  });

  it('refuses Slack without a storage account, unless LOCAL_STORAGE asks for the embedded store', () => {
    const slack = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', LEADS_CHANNEL: 'C0123456789' };
    expect(() => loadConfig(slack)).toThrow(
      /Slack is configured but no storage account is: set AZURE_TABLES_ACCOUNT_URL .* or LOCAL_STORAGE=1/,
    );
    expect(loadConfig({ ...slack, LOCAL_STORAGE: '1' }).storage).toBeNull();
  });

  it.each([
    [{ SLACK_BOT_TOKEN: 'xoxb-1', LEADS_CHANNEL: 'C0123456789' }, /SLACK_SIGNING_SECRET is missing/],
    [{ SLACK_SIGNING_SECRET: 's' }, /SLACK_BOT_TOKEN is missing/],
    [
      { SLACK_BOT_TOKEN: 'xoxp-user', SLACK_SIGNING_SECRET: 's', LEADS_CHANNEL: 'C0123456789' },
      /must be a bot token/,
    ],
    [{ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'bad', LEADS_CHANNEL: 'C0123456789' }, /app-level token/],
    [{ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' }, /LEADS_CHANNEL is missing/],
    [{ LEADS_CHANNEL: '#sales' }, /must be a channel id/],
    [{ POLL_SCHEDULE: 'every minute' }, /POLL_SCHEDULE="every minute" is not a cron expression/],
    [{ PORT: 'eighty' }, /PORT="eighty" must be a whole number/],
    [{ PORT: '8080', METRICS_PORT: '8080' }, /METRICS_PORT \(8080\) must differ from PORT/],
    [{ BACKFILL_DAYS: '-1' }, /BACKFILL_DAYS="-1"/],
    [{ LEADS_TABLE: 'Marketplace-Leads' }, /LEADS_TABLE="Marketplace-Leads" is not a table name/],
    [{ SLACK_API_URL: 'not a url' }, /SLACK_API_URL="not a url" is not a URL/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL="loud"/],
    [{ MANAGER_USER_IDS: 'U0MANAGER1, @boss' }, /MANAGER_USER_IDS holds @boss/],
    [{ SLA: '1 day' }, /SLA="1 day" is not a duration/],
    [{ SLA: '99999999d' }, /SLA="99999999d" is not a duration from 1m to 90d/],
    [
      { SLA_BY_ACTION: 'Create=91d' },
      /SLA_BY_ACTION: "Create=91d" must be Action=duration \(a duration from 1m to 90d/,
    ],
    [{ SLA_BY_ACTION: 'Create:4h' }, /SLA_BY_ACTION: "Create:4h" must be Action=duration/],
    [{ BUSINESS_HOURS: 'Mon-Fri 9-5' }, /BUSINESS_HOURS="Mon-Fri 9-5": expected days/],
    [{ MANAGERS_CHANNEL: 'managers' }, /MANAGERS_CHANNEL="managers" must be a channel id/],
    [{ REMINDER_SCHEDULE: 'often' }, /REMINDER_SCHEDULE="often" is not a cron expression/],
    [{ DIGEST_TIMEZONE: 'Berlin' }, /DIGEST_TIMEZONE="Berlin" is not an IANA time zone/],
    [{ INBOUND_LEADS_TOKEN: 'short' }, /INBOUND_LEADS_TOKEN must be at least 24/],
    [{ CLAIM_TIMEOUT_SECONDS: '1' }, /CLAIM_TIMEOUT_SECONDS="1" must be a whole number from 2/],
    [
      { AZURE_TABLES_CONNECTION_STRING: 'not-a-connection-string' },
      /AZURE_TABLES_CONNECTION_STRING is not a storage connection string/,
    ],
    [
      { AZURE_TABLES_CONNECTION_STRING: 'AccountName=x;TableEndpoint=nope' },
      /is not a storage connection string/,
    ],
    [
      { AZURE_TABLES_ACCOUNT_URL: 'contoso' },
      /AZURE_TABLES_ACCOUNT_URL="contoso" is not a table service URL/,
    ],
    [
      { AZURE_TABLES_ACCOUNT_URL: 'https://contoso.table.core.windows.net', AZURE_TABLES_SAS_TOKEN: 'abc' },
      /AZURE_TABLES_SAS_TOKEN is not a SAS token/,
    ],
    [
      { AZURE_TABLES_SAS_TOKEN: 'sv=2024-01-01&sig=x' },
      /AZURE_TABLES_SAS_TOKEN needs AZURE_TABLES_ACCOUNT_URL/,
    ],
    [
      {
        AZURE_TABLES_CONNECTION_STRING: 'UseDevelopmentStorage=true',
        AZURE_TABLES_ACCOUNT_URL: 'https://contoso.table.core.windows.net',
      },
      /both set: keep one way to reach storage/,
    ],
    [
      { CLAIM_TIMEOUT_SECONDS: '50', SLACK_TIMEOUT_SECONDS: '30' },
      /CLAIM_TIMEOUT_SECONDS \(50\) must be at least twice SLACK_TIMEOUT_SECONDS \(30\)/,
    ],
    // The same checks as /leads active and /leads sla.
    [{ ACTIVE_ACTIONS: 'Create,Demo' }, /ACTIVE_ACTIONS="Create,Demo": "Demo" is not an action/],
    [{ ACTIVE_ACTIONS: 'DNC' }, /DNC cannot be active/],
    [{ SLA_BY_ACTION: 'Demo=4h' }, /SLA_BY_ACTION: "Demo" is not an action/],
  ])('explains a bad setting: %j', (env, problem) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(problem);
  });

  it.each([
    [{}, null],
    [
      { AZURE_TABLES_CONNECTION_STRING: 'UseDevelopmentStorage=true' },
      { kind: 'connection-string', connectionString: 'UseDevelopmentStorage=true' },
    ],
    [
      { AZURE_TABLES_ACCOUNT_URL: 'https://contoso.table.core.windows.net/' },
      { kind: 'entra-id', accountUrl: 'https://contoso.table.core.windows.net' },
    ],
    [
      {
        AZURE_TABLES_ACCOUNT_URL: 'https://contoso.table.core.windows.net',
        AZURE_TABLES_SAS_TOKEN: '?sv=2024-11-04&ss=t&sig=abc',
      },
      {
        kind: 'sas',
        accountUrl: 'https://contoso.table.core.windows.net',
        sasToken: 'sv=2024-11-04&ss=t&sig=abc',
      },
    ],
  ])('reaches storage as the settings say: %j', (env, storage) => {
    expect(loadConfig(env).storage).toEqual(storage);
  });

  it('lists every problem at once', () => {
    const problems = problemsOf({ PORT: 'x', POLL_SCHEDULE: 'y', LEADS_TABLE: '1', BACKFILL_DAYS: 'z' });
    expect(problems).toHaveLength(4);
    expect(() => loadConfig({ PORT: 'x', POLL_SCHEDULE: 'y' })).toThrow(/2 problem\(s\)/);
  });

  it('reads the SLA policy', () => {
    const config = loadConfig({
      ACTIVE_ACTIONS: 'Create, PLT',
      SLA: '4h',
      SLA_BY_ACTION: 'Create=30m',
      BUSINESS_HOURS: 'Mon-Fri 09:00-17:00 Europe/Berlin',
    });
    expect(config.sla).toEqual({
      activeActions: ['Create', 'PLT'],
      defaultSlaMinutes: 240,
      slaMinutesByAction: { Create: 30 },
      claimMinutes: 5,
      escalationFactor: 2,
      businessHours: { days: [1, 2, 3, 4, 5], start: 540, end: 1020, timeZone: 'Europe/Berlin' },
    });
  });

  it.each([
    ['15m', 15],
    ['2h', 120],
    ['off', null],
    ['OFF', null],
  ])('reads CLAIM_SLA=%s', (text, minutes) => {
    expect(loadConfig({ CLAIM_SLA: text }).sla.claimMinutes).toBe(minutes);
  });

  it('refuses a CLAIM_SLA that is not a duration, naming the setting', () => {
    expect(() => loadConfig({ CLAIM_SLA: 'soon' })).toThrow(/CLAIM_SLA/);
  });

  it('reads lists of user ids', () => {
    expect(loadConfig({ ADMIN_USER_IDS: 'U0ADMIN01, W0ADMIN02' }).adminUserIds).toEqual([
      'U0ADMIN01',
      'W0ADMIN02',
    ]);
  });

  it('accepts seconds in the poll schedule', () => {
    expect(loadConfig({ POLL_SCHEDULE: '*/5 * * * * *' }).pollSchedule).toBe('*/5 * * * * *');
  });

  it('never repeats a secret in its problems', () => {
    const secrets = {
      SLACK_BOT_TOKEN: 'xoxp-secret-user-token',
      SLACK_APP_TOKEN: 'secret-app-token',
      SLACK_SIGNING_SECRET: 'signing-secret-value',
    };
    const problems = problemsOf(secrets).join('\n');
    expect(problems).toMatch(/SLACK_BOT_TOKEN must be a bot token/);
    for (const secret of Object.values(secrets)) expect(problems).not.toContain(secret);
  });
});
