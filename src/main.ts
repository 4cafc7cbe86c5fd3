// The process entry: the only module that reads process.env, argv and the terminal.
import { createBot } from './bot.ts';
import { ConfigError, loadConfig } from './config.ts';
import { sampleLeads } from './demo/sample-leads.ts';
import { createLogger } from './logger.ts';
import { createTableClient } from './stores/azure/tables.ts';

/** Lines drawn in a box whose right border lines up (the text is padded to the longest line). */
function boxed(lines: readonly string[]): string {
  const width = Math.max(...lines.map((line) => [...line].length));
  const pad = (line: string) => line + ' '.repeat(width - [...line].length);
  return [
    '',
    `╭─${'─'.repeat(width)}─╮`,
    ...lines.map((line) => `│ ${pad(line)} │`),
    `╰─${'─'.repeat(width)}─╯`,
  ].join('\n');
}

const localModeBanner = (port: number) =>
  boxed([
    'LOCAL MODE: no Slack credentials, so the bot talks to a playground on this machine.',
    `Open http://127.0.0.1:${port}/ to act as a rep, a manager or an admin (127.0.0.1 only).`,
    'To connect a real workspace:',
    '  1. api.slack.com/apps → Create New App → From a manifest → paste manifest.yml',
    '  2. Install it, then set SLACK_BOT_TOKEN (xoxb-…) and SLACK_SIGNING_SECRET',
    '     (or SLACK_APP_TOKEN (xapp-…) for Socket Mode), and LEADS_CHANNEL (C…).',
    '  3. Invite the bot to that channel and run npm start again.',
    'See README.md → "Connect Slack". Run "npm run demo" to load sample leads.',
  ]);

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  const write = (line: string) => process.stdout.write(`${line}\n`);
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig({ ...process.env, ...(args.has('--blocks') ? { SHOW_BLOCKS: 'true' } : {}) });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\nSee docs/configuration.md.\n`);
    process.exit(1);
  }
  const log = createLogger({ level: config.logLevel, format: config.logFormat, write });
  if (args.has('--demo') && config.storage !== null) {
    process.stderr.write(
      '--demo writes sample leads and only runs against the embedded Azurite: unset AZURE_TABLES_CONNECTION_STRING / AZURE_TABLES_ACCOUNT_URL.\n',
    );
    process.exit(1);
  }
  const bot = await createBot(config, { log, writeOutput: write });
  if (args.has('--demo')) {
    const leads = createTableClient(bot.storage, config.leadsTable);
    await leads.createTable();
    const samples = sampleLeads(new Date());
    for (const sample of samples) await leads.createEntity(sample);
    log.info(`demo: wrote ${samples.length} sample leads to ${config.leadsTable}`);
  }
  const { port, probePort } = await bot.start();
  if (config.slack.mode === 'local') write(localModeBanner(port));
  log.info('lead bot started', {
    mode: config.slack.mode,
    health: `http://localhost:${probePort}/healthz`,
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

/** What went wrong at start-up, in one line an operator can act on; never a stack trace. */
function startupProblem(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  if (code === 'EADDRINUSE')
    return `PORT ${process.env.PORT ?? '3000'} is already in use: is the bot already running? Stop it, or set PORT to a free port (PORT=0 picks one).`;
  if (code === 'EACCES') return `PORT ${process.env.PORT ?? '3000'} needs privileges: use a port above 1024.`;
  const message = error instanceof Error ? error.message : String(error);
  return `The bot could not start: ${message.split('\n')[0]}`;
}

await main().catch((error: unknown) => {
  process.stderr.write(`${startupProblem(error)}\n`);
  process.exit(1);
});
