// The process entry: the only module that reads process.env, argv and the terminal.
import { createBot } from './bot.ts';
import { ConfigError, loadConfig } from './config.ts';
import { sampleLeads } from './demo/sample-leads.ts';
import { createLogger } from './logger.ts';
import { createTableClient } from './stores/azure/tables.ts';

const LOCAL_MODE_BANNER = `
╭──────────────────────────────────────────────────────────────────────────────╮
│ LOCAL MODE: no Slack credentials, so messages are printed here, not posted.   │
│ To connect a real workspace:                                                  │
│   1. api.slack.com/apps → Create New App → From a manifest → paste manifest.yml│
│   2. Install it, then set SLACK_BOT_TOKEN (xoxb-…) and SLACK_SIGNING_SECRET    │
│      (or SLACK_APP_TOKEN (xapp-…) for Socket Mode), and LEADS_CHANNEL (C…).    │
│   3. Invite the bot to that channel and run npm start again.                  │
│ See README.md → "Connect Slack". Run "npm run demo" to load sample leads.      │
╰──────────────────────────────────────────────────────────────────────────────╯`;

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  const write = (line: string) => process.stdout.write(`${line}\n`);
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig({ ...process.env, ...(args.has('--blocks') ? { SHOW_BLOCKS: 'true' } : {}) });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\nSee README.md → Configuration.\n`);
    process.exit(1);
  }
  const log = createLogger({ level: config.logLevel, format: config.logFormat, write });
  if (args.has('--demo') && config.azureConnectionString !== null) {
    process.stderr.write(
      '--demo writes sample leads and only runs against the embedded Azurite: unset AZURE_TABLES_CONNECTION_STRING.\n',
    );
    process.exit(1);
  }
  const bot = await createBot(config, { log, writeOutput: write });
  if (config.slack.mode === 'local') write(LOCAL_MODE_BANNER);
  if (args.has('--demo')) {
    const leads = createTableClient(bot.connectionString, config.leadsTable);
    await leads.createTable();
    const samples = sampleLeads(new Date());
    for (const sample of samples) await leads.createEntity(sample);
    log.info(`demo: wrote ${samples.length} sample leads to ${config.leadsTable}`);
  }
  const { port } = await bot.start();
  log.info('lead bot started', {
    mode: config.slack.mode,
    health: `http://localhost:${port}/healthz`,
    leadsTable: config.leadsTable,
    leadsChannel: config.leadsChannel,
    pollSchedule: config.pollSchedule,
  });
  // The first poll runs now rather than at the first tick of the schedule (if this process leads).
  bot.pollNow();
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: finishing the jobs in progress, then stopping`);
    await bot.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

await main();
