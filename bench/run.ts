// npm run bench [-- --quick]: how fast leads reach Slack and how cost grows, measured with the real bot
// code against Azurite (a child process) and the Slack stand-in the tests use,
// with Slack's limit of about one chat.postMessage per second per channel enforced (429 + Retry-After).
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type AddressInfo, connect, createServer as createTcpServer } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { TableClient, TransactionAction } from '@azure/data-tables';
import { addDays } from 'date-fns/addDays';
import { addHours } from 'date-fns/addHours';
import { createBot } from '../src/bot.ts';
import { loadConfig } from '../src/config.ts';
import { leadPartitionKey, partitionsToRead } from '../src/domain/lead-partitions.ts';
import { FIRST_START_MARGIN_MS } from '../src/jobs/poll-leads.ts';
import { createLogger } from '../src/logger.ts';
import { LEAD_EVENT_TYPE } from '../src/slack/slack-adapter.ts';
import { createAzureConversationStore } from '../src/stores/azure/azure-conversation-store.ts';
import { createAzureDueStore } from '../src/stores/azure/azure-due-store.ts';
import { createAzureLeadTable } from '../src/stores/azure/azure-lead-table.ts';
import { createAzureRulesStore } from '../src/stores/azure/azure-rules-store.ts';
import { azuriteConnectionString } from '../src/stores/azure/embedded-azurite.ts';
import { createTableClient } from '../src/stores/azure/tables.ts';
import type { LeadRowsResult } from '../src/stores/lead-table.ts';
import { createFakeHubSpot } from '../test/support/fake-hubspot.ts';
import { createFakeSlack, type FakeSlack } from '../test/support/fake-slack.ts';
import { imageCommand } from '../test/support/image.ts';
import { createCountingProxy } from './counting-proxy.ts';

const quick = process.argv.includes('--quick');
/** `--crm`: only the CRM hand-off section (HubSpot's stand-in answering in 200 ms). */
const crmOnly = process.argv.includes('--crm');
/** `--poll-cost`: only section 2, the poll's cost against the table's size. */
const pollCostOnly = process.argv.includes('--poll-cost');
const SIZES = quick
  ? [1_000, 10_000]
  : process.argv.includes('--million')
    ? [1_000, 10_000, 100_000, 1_000_000]
    : [1_000, 10_000, 100_000];
const HISTORY = quick ? [10_000] : [10_000, 100_000];
const DRAIN_LEADS = quick ? 200 : 1_000;
const DRAIN_CHANNELS = ['C0BENCH001', 'C0BENCH002', 'C0BENCH003', 'C0BENCH004'];
const PROCESS_CHANNELS = Array.from({ length: 20 }, (_, i) => `C0PROC${String(i).padStart(4, '0')}`);
const PROCESS_OLDER_ROWS = quick ? 10_000 : 100_000;
const DEFAULT_SCHEDULE_SAMPLES = quick ? 5 : 20;
/** `--time-to-notify`: only section 1's default schedule (20 samples), written beside the full results. */
const timeToNotifyOnly = process.argv.includes('--time-to-notify');
/** `--own-process`: only section 5, the compiled bot alone, through a 5,000-lead backlog (issue 24's figure). */
const ownProcessOnly = process.argv.includes('--own-process');
const OWN_PROCESS_BACKLOG = quick ? 500 : 5_000;
/** `--npm-test`: only section 7, how long `npm test` takes. */
const npmTestOnly = process.argv.includes('--npm-test');
/** The default POLL_SCHEDULE and its period. */
const DEFAULT_POLL = { schedule: '*/10 * * * * *', periodMs: 10_000 } as const;
const FAST_SCHEDULE_SAMPLES = quick ? 4 : 8;
const PUSH_SAMPLES = quick ? 5 : 10;
const TOKEN = `bench-${randomBytes(16).toString('hex')}`;

const out = (line = '') => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => Math.round(ms / 10) / 100;

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPort(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => resolve(socket.end() !== undefined));
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await sleep(100);
  }
  throw new Error(`nothing listens on ${port}`);
}

/** Azurite's table service in a child process, so the bench process's memory is the bot's (and the stand-in's). */
async function startAzurite(): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const main = createRequire(import.meta.url).resolve('azurite/dist/src/table/main.js');
  const child = spawn(
    process.execPath,
    [
      main,
      '--inMemoryPersistence',
      '--disableTelemetry',
      '--silent',
      '--tableHost',
      '127.0.0.1',
      '--tablePort',
      String(port),
    ],
    {
      stdio: 'ignore',
    },
  );
  await waitForPort(port);
  return { port, child };
}

function leadEntity(index: number, offer: string, partition = leadPartitionKey(new Date())) {
  return {
    partitionKey: partition,
    rowKey: randomUUID(),
    LeadSource: `AzureMarketplace-StartTestDrive|${offer}`,
    ActionCode: 'StartTestDrive',
    CustomerInfo: JSON.stringify({
      FirstName: 'Bench',
      LastName: `Lead ${index}`,
      Email: `bench${index}-${randomUUID()}@x.example`,
      Company: `Company ${index}`,
    }),
    Description: '',
    OfferDisplayName: offer,
    PublisherDisplayName: 'Contoso',
    ProductId: offer,
    CreatedTime: '11/21/2026 10:00:00',
  };
}

/**
 * Azurite stamps seeded rows with the time they were written, not when their leads arrived: the bench
 * waits until they are older than the first start's window reaches back (FIRST_START_MARGIN_MS), as
 * real older rows would be.
 */
const pastFirstStartMargin = () => sleep(FIRST_START_MARGIN_MS + 1_000);

/** Writes rows in transactions of 100 (one partition each): fast seeding, not how the bot writes. */
async function bulkInsert(
  client: TableClient,
  entities: ReadonlyArray<{ partitionKey: string; rowKey: string }>,
): Promise<void> {
  await client.createTable();
  const byPartition = new Map<string, Array<{ partitionKey: string; rowKey: string }>>();
  for (const entity of entities)
    byPartition.set(entity.partitionKey, [...(byPartition.get(entity.partitionKey) ?? []), entity]);
  for (const group of byPartition.values()) {
    for (let start = 0; start < group.length; start += 100) {
      const actions: TransactionAction[] = group
        .slice(start, start + 100)
        .map((entity) => ['create', entity]);
      await client.submitTransaction(actions);
    }
  }
}

interface Harness {
  readonly connectionString: string;
  readonly slack: FakeSlack;
}

/** The settings of a benchmarked bot, in this process (botConfig) or in its own (botInItsOwnProcess). */
function botEnv(
  harness: Harness,
  tables: { leads: string; state: string },
  env: Record<string, string> = {},
): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_SIGNING_SECRET: 'bench-secret',
    SLACK_API_URL: harness.slack.apiUrl,
    AZURE_TABLES_CONNECTION_STRING: harness.connectionString,
    LEADS_TABLE: tables.leads,
    STATE_TABLE_PREFIX: tables.state,
    LEADS_CHANNEL: 'C0BENCHDEF',
    PORT: '0',
    BACKFILL_DAYS: '0',
    LOG_LEVEL: 'error',
    ...env,
  };
}

function botConfig(
  harness: Harness,
  tables: { leads: string; state: string },
  env: Record<string, string> = {},
) {
  return loadConfig(botEnv(harness, tables, env));
}

// BENCH_LOG_LEVEL=info shows what the benchmarked bots do (their jobs' summaries) on stderr.
const quietLog = createLogger({
  level: process.env.BENCH_LOG_LEVEL === 'info' ? 'info' : 'error',
  format: 'pretty',
  write: (line) => process.stderr.write(`${line}\n`),
});
const freshTables = () => {
  const id = randomBytes(4).toString('hex');
  return { leads: `Leads${id}`, state: `b${id}` };
};

/** The time from a lead's arrival (its Timestamp) to the stand-in receiving its chat.postMessage. */
async function waitForPost(slack: FakeSlack, rowKey: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const call = slack
      .callsTo('chat.postMessage')
      .find(
        (c) =>
          (c.args.metadata as { event_payload?: { lead_rk?: string } } | undefined)?.event_payload
            ?.lead_rk === rowKey,
      );
    if (call) return call.at;
    await sleep(20);
  }
  throw new Error(`lead ${rowKey} was not posted within ${timeoutMs} ms`);
}

async function timeToNotify(harness: Harness, schedule: string, intervalMs: number, samples: number) {
  const tables = freshTables();
  const bot = await createBot(botConfig(harness, tables, { POLL_SCHEDULE: schedule }), { log: quietLog });
  await bot.start();
  await bot.jobs.poll();
  const client = createTableClient(harness.connectionString, tables.leads);
  await client.createTable();
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    await sleep(Math.random() * intervalMs); // arrive at any point of the poll cycle
    const entity = leadEntity(i, 'contoso.ttn');
    const created = await client.createEntity(entity);
    const timestamp = Date.parse(decodeURIComponent(/datetime'([^']+)'/.exec(created.etag ?? '')?.[1] ?? ''));
    latencies.push((await waitForPost(harness.slack, entity.rowKey, intervalMs * 3 + 10_000)) - timestamp);
  }
  await bot.stop();
  return {
    samples,
    medianSeconds: seconds(percentile(latencies, 50)),
    p95Seconds: seconds(percentile(latencies, 95)),
    boundSeconds: seconds(intervalMs),
  };
}

async function pushTimeToNotify(harness: Harness, samples: number) {
  const tables = freshTables();
  const bot = await createBot(botConfig(harness, tables, { INBOUND_LEADS_TOKEN: TOKEN }), { log: quietLog });
  const { port } = await bot.start();
  await bot.jobs.poll();
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    const sent = Date.now();
    const response = await fetch(`http://127.0.0.1:${port}/leads/inbound/${TOKEN}`, {
      method: 'POST',
      body: JSON.stringify({
        UserDetails: { Email: `push${i}@x.example`, Company: `Push ${i}` },
        LeadSource: 'AzureMarketplace',
        ActionCode: 'INS',
        OfferTitle: 'Bench',
      }),
    });
    const { stored } = (await response.json()) as { stored: string };
    latencies.push((await waitForPost(harness.slack, stored.split('/')[1] ?? '', 15_000)) - sent);
    await sleep(1500); // past the channel's one-post-a-second pacing, so each sample stands alone
  }
  await bot.stop();
  return {
    samples,
    medianSeconds: seconds(percentile(latencies, 50)),
    p95Seconds: seconds(percentile(latencies, 95)),
  };
}

/** The most older rows written into Azurite; a larger size is a layout the counting proxy reads. */
const AZURITE_ROWS = 100_000;

/** Leads a day in the seeded history: about 900 a month, a busy offer (marketplace-leads.md). */
const LEADS_PER_DAY = 30;

/**
 * Poll cost on the real service, measured as what it must read: `size` older rows laid out as Microsoft
 * writes them (date partitions going back from yesterday, LEADS_PER_DAY a day), 10 new leads today.
 * Both strategies side by side, through the counting proxy: the Timestamp-only query (the sweep's, and
 * every poll's before) and the partition polls (each of the window's dates asked separately).
 */
async function pollCost(harness: Harness, size: number) {
  const tables = freshTables();
  const client = createTableClient(harness.connectionString, tables.leads);
  const now = Date.now();
  const old = Array.from({ length: size }, (_, i) =>
    leadEntity(
      i,
      'contoso.old',
      leadPartitionKey(new Date(now - (1 + Math.floor(i / LEADS_PER_DAY)) * 86_400_000)),
    ),
  );
  // Azurite cannot hold a million rows in useful time (its seeding ran 31 minutes without finishing):
  // past AZURITE_ROWS the table is a layout only. The proxy counts from the whole layout, as for every
  // size; Azurite holds the three most recent days, the partitions a poll reads.
  const layoutOnly = size > AZURITE_ROWS;
  const seeded = layoutOnly ? old.slice(0, 3 * LEADS_PER_DAY) : old;
  const seeding = Date.now();
  await bulkInsert(client, seeded);
  const seedSeconds = seconds(Date.now() - seeding);
  await pastFirstStartMargin();
  const sizes = new Map<string, number>();
  for (const row of old) sizes.set(row.partitionKey, (sizes.get(row.partitionKey) ?? 0) + 1);
  const proxy = await createCountingProxy(harness.connectionString, () => sizes);
  const bot = await createBot(botConfig({ ...harness, connectionString: proxy.connectionString }, tables), {
    log: quietLog,
    schedule: false,
    slackRetries: 0,
  });
  const { rules } = await rulesStoreFor(harness, tables.state);
  await rules.setRoutingRules(
    Array.from({ length: 10 }, (_, i) => ({ match: { offer: `contoso.new${i}` }, channel: `C0POLL00${i}` })),
  );
  const firstStarted = Date.now();
  const first = await bot.jobs.poll(); // first start: posts none (BACKFILL_DAYS=0), counts the old rows
  const firstSeconds = seconds(Date.now() - firstStarted);
  // A poll's window starts after the older rows were written (Azurite stamps them now, not when the
  // leads arrived): so each strategy returns just the new leads, and what differs is what it reads.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const since = new Date();
  for (let i = 0; i < 10; i++) {
    const lead = leadEntity(i, `contoso.new${i}`);
    await client.createEntity(lead);
    sizes.set(lead.partitionKey, (sizes.get(lead.partitionKey) ?? 0) + 1);
  }
  proxy.reset();
  const summary = await bot.jobs.poll();
  const botPoll = { ...proxy.counts(), readBy: summary.readBy, posted: summary.posted };
  await bot.stop();

  const leadTable = createAzureLeadTable(createTableClient(proxy.connectionString, tables.leads));
  const measure = async (read: () => Promise<LeadRowsResult>) => {
    const times: number[] = [];
    let rows = 0;
    let counts = { entitiesRead: 0, requests: 0 };
    for (let run = 0; run < 5; run++) {
      proxy.reset();
      const started = performance.now();
      const result = await read();
      times.push(performance.now() - started);
      rows = result.kind === 'rows' ? result.rows.length : 0;
      counts = proxy.counts();
    }
    return { rowsReturned: rows, ...counts, medianMs: Math.round(percentile(times, 50) * 10) / 10 };
  };
  const scan = await measure(() => leadTable.listSince(since));
  const partitions = partitionsToRead(since, new Date()) ?? [];
  const byPartitions = await measure(() => leadTable.listSinceInPartitions(since, partitions));
  await proxy.close();
  return {
    existingRows: size,
    layoutOnly,
    seededRows: seeded.length,
    seedSeconds,
    firstStart: { olderLeads: first.firstStart?.olderLeads ?? 0, seconds: firstSeconds },
    newLeads: 10,
    botPoll,
    scan,
    partitions: byPartitions,
  };
}

/** Section 2's table, its ratio line and the bot's own polls. */
function printPollCost(pollCostResults: ReadonlyArray<Awaited<ReturnType<typeof pollCost>>>): void {
  out(
    '| Older rows | strategy | rows returned | entities the service reads | requests | Azurite median ms |',
  );
  out('|---|---|---|---|---|---|');
  for (const row of pollCostResults) {
    for (const [name, figures] of [
      ['Timestamp-only (scan)', row.scan],
      ['date partitions', row.partitions],
    ] as const)
      out(
        `| ${row.existingRows}${row.layoutOnly ? ' (layout)' : ''} | ${name} | ${figures.rowsReturned} | ${figures.entitiesRead} | ${figures.requests} | ${row.layoutOnly ? `— (Azurite held ${row.seededRows})` : figures.medianMs} |`,
      );
  }
  const ratio = (a: number, b: number) => (b === 0 ? '—' : (a / b).toFixed(2));
  const smallest = pollCostResults[0];
  const largest = pollCostResults.at(-1);
  const largestInAzurite = pollCostResults.filter((row) => !row.layoutOnly).at(-1);
  if (smallest && largest && largest !== smallest)
    out(
      `Ratio ${largest.existingRows}/${smallest.existingRows}: scan reads ${ratio(largest.scan.entitiesRead, smallest.scan.entitiesRead)}×; partitions read ${ratio(largest.partitions.entitiesRead, smallest.partitions.entitiesRead)}×.`,
    );
  if (smallest && largestInAzurite && largestInAzurite !== smallest)
    out(
      `Azurite's time ${largestInAzurite.existingRows}/${smallest.existingRows}: scan ${ratio(largestInAzurite.scan.medianMs, smallest.scan.medianMs)}×, partitions ${ratio(largestInAzurite.partitions.medianMs, smallest.partitions.medianMs)}×.`,
    );
  const largestPoll = largest?.botPoll;
  if (largestPoll) {
    const pollsPerMonth = (30 * 86_400_000) / DEFAULT_POLL.periodMs;
    out(
      `At the default poll (every ${DEFAULT_POLL.periodMs / 1000} s): ${pollsPerMonth.toLocaleString('en')} polls a 30-day month × ${largestPoll.requests} requests = ${(pollsPerMonth * largestPoll.requests).toLocaleString('en')} requests and ${(pollsPerMonth * largestPoll.entitiesRead).toLocaleString('en')} entities read a month, whatever the table's size (billed per request at the storage account's price per 10,000 transactions).`,
    );
  }
  for (const row of pollCostResults)
    out(
      `The bot's own poll at ${row.existingRows}: read by ${row.botPoll.readBy}, ${row.botPoll.entitiesRead} entities in ${row.botPoll.requests} requests, posted ${row.botPoll.posted}; first start counted ${row.firstStart.olderLeads} older rows in ${row.firstStart.seconds} s (once, after its posts).`,
    );
}

function sampleMemory(): { stop: () => number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.round(Math.max(peak, process.memoryUsage().rss) / 1_048_576);
    },
  };
}

async function backlogDrain(harness: Harness, leads: number) {
  const tables = freshTables();
  const bot = await createBot(botConfig(harness, tables), { log: quietLog, schedule: false });
  const { rules } = await rulesStoreFor(harness, tables.state);
  await rules.setRoutingRules(
    DRAIN_CHANNELS.map((channel, i) => ({ match: { offer: `contoso.drain${i}` }, channel })),
  );
  await bot.jobs.poll(); // first start
  const client = createTableClient(harness.connectionString, tables.leads);
  const rows = Array.from({ length: leads }, (_, i) =>
    leadEntity(i, `contoso.drain${i % DRAIN_CHANNELS.length}`),
  );
  await bulkInsert(client, rows);
  const limitedBefore = harness.slack.rateLimited();
  const memory = sampleMemory();
  const started = Date.now();
  const summary = await bot.jobs.poll();
  const totalMs = Date.now() - started;
  const peakRssMb = memory.stop();
  const posts = harness.slack
    .callsTo('chat.postMessage')
    .filter(
      (call) =>
        (call.args.metadata as { event_type?: string } | undefined)?.event_type === LEAD_EVENT_TYPE &&
        DRAIN_CHANNELS.includes(String(call.args.channel)),
    );
  const perLead = new Map<string, number>();
  for (const post of posts) {
    const key = (post.args.metadata as { event_payload: { lead_rk: string } }).event_payload.lead_rk;
    perLead.set(key, (perLead.get(key) ?? 0) + 1);
  }
  const perChannel = DRAIN_CHANNELS.map((channel) => {
    const times = posts.filter((post) => post.args.channel === channel).map((post) => post.at);
    const span = (Math.max(...times) - Math.min(...times)) / 1000;
    const rate = span > 0 ? (times.length - 1) / span : Number.NaN;
    return { channel, posts: times.length, postsPerSecond: Math.round(rate * 100) / 100 };
  });
  await bot.stop();
  return {
    leads,
    channels: DRAIN_CHANNELS.length,
    totalSeconds: seconds(totalMs),
    perChannel,
    fractionOfSlackLimit:
      Math.round((perChannel.reduce((sum, c) => sum + c.postsPerSecond, 0) / perChannel.length) * 100) / 100,
    rateLimited429: harness.slack.rateLimited() - limitedBefore,
    duplicates: [...perLead.values()].filter((count) => count > 1).length,
    lost: rows.filter((row) => !perLead.has(row.rowKey)).length,
    pollSummary: { posted: summary.posted, failed: summary.failed },
    peakRssMb,
  };
}

/** Reads a process's peak and current resident memory from Linux's /proc (MB). */
function memoryOf(pid: number): { peakRssMb: number; rssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { peakRssMb: Math.round(kb('VmHWM') / 1024), rssMb: Math.round(kb('VmRSS') / 1024) };
}

/** The CPU time a process has used so far, user and system (s), from Linux's /proc: what a flag costs. */
function cpuSecondsOf(pid: number): number {
  // Fields 14 and 15 of /proc/PID/stat, after the command's parenthesised name, in clock ticks (100 a second).
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return seconds((Number(fields[11]) + Number(fields[12])) * 10);
}

/** The bot's /healthz answer, or null while nothing answers on the port. */
async function healthReport(port: number) {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
  return response === null
    ? null
    : { status: response.status, body: (await response.json()) as { lastPoll: unknown } };
}

/** Seconds from `started` until /healthz answers 200 (storage reachable, Slack's token accepted). */
async function secondsToHealthy(port: number, started: number): Promise<number> {
  while ((await healthReport(port))?.status !== 200) await sleep(20);
  return seconds(Date.now() - started);
}

/**
 * `npm start` (the sources, as a developer runs the bot) from the command to a 200 from /healthz,
 * `samples` times: connected to the harness's Azurite and Slack stand-in, against fresh tables; or,
 * with `harness` null, in local mode as on a fresh checkout (nothing configured: the embedded Azurite
 * and the playground), each in a fresh data folder.
 */
async function npmStartToHealthy(harness: Harness | null, samples: number): Promise<number[]> {
  const times = [];
  for (let sample = 0; sample < samples; sample++) {
    const port = await freePort();
    const dataFolder = mkdtempSync(join(tmpdir(), 'leadbot-bench-'));
    const env =
      harness === null
        ? { DATA_DIR: dataFolder, PORT: String(port) }
        : botEnv(harness, freshTables(), { PORT: String(port) });
    const started = Date.now();
    const child = spawn('npm', ['start', '--silent'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: 'ignore',
      detached: true, // its own process group: npm and the node it starts are stopped together
    });
    try {
      times.push(await secondsToHealthy(port, started));
    } finally {
      process.kill(-(child.pid ?? 0), 'SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(dataFolder, { recursive: true, force: true });
    }
  }
  return times;
}

/**
 * The compiled bot's arguments to node, as the production image runs it (its Dockerfile's CMD), or with
 * BENCH_NODE_FLAGS in place of the image's node flags, to compare flags (BENCH_NODE_FLAGS= for none).
 */
function botArguments(): string[] {
  const [, ...args] = imageCommand();
  const flags = process.env.BENCH_NODE_FLAGS;
  if (flags === undefined) return args;
  return [...flags.split(' ').filter(Boolean), ...args.filter((arg) => !arg.startsWith('--'))];
}

/**
 * The bot alone, as production runs it (the image's command, built first) in a process of its own, over
 * a table with `olderRows` older leads: the time from start to a 200 from /healthz, then a backlog of
 * `leads` new leads to PROCESS_CHANNELS channels, and the process's peak memory (Linux's VmHWM).
 */
async function botInItsOwnProcess(harness: Harness, olderRows: number, leads: number) {
  execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'ignore' });
  const tables = freshTables();
  const client = createTableClient(harness.connectionString, tables.leads);
  const now = Date.now();
  await bulkInsert(
    client,
    Array.from({ length: olderRows }, (_, i) =>
      leadEntity(
        i,
        'contoso.old',
        leadPartitionKey(new Date(now - (1 + Math.floor(i / LEADS_PER_DAY)) * 86_400_000)),
      ),
    ),
  );
  await pastFirstStartMargin();
  const { rules } = await rulesStoreFor(harness, tables.state);
  await rules.setRoutingRules(
    PROCESS_CHANNELS.map((channel, i) => ({ match: { offer: `contoso.process${i}` }, channel })),
  );
  const npmStartHealthySeconds = await npmStartToHealthy(harness, 3);
  const localModeHealthySeconds = await npmStartToHealthy(null, 3);
  const port = await freePort();
  const started = Date.now();
  const child = spawn(process.execPath, botArguments(), {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      ...botEnv(harness, tables, { PORT: String(port), POLL_SCHEDULE: '*/2 * * * * *' }),
    },
    stdio: 'ignore',
  });
  try {
    const healthySeconds = await secondsToHealthy(port, started);
    while ((await healthReport(port))?.body.lastPoll == null) await sleep(50); // the first start's poll and count
    const firstPollSeconds = seconds(Date.now() - started);
    const afterFirstPoll = memoryOf(child.pid ?? 0);
    const cpuBeforeDrain = cpuSecondsOf(child.pid ?? 0);
    const posts = () =>
      harness.slack
        .callsTo('chat.postMessage')
        .filter((call) => PROCESS_CHANNELS.includes(String(call.args.channel))).length;
    const drainStarted = Date.now();
    await bulkInsert(
      client,
      Array.from({ length: leads }, (_, i) => leadEntity(i, `contoso.process${i % PROCESS_CHANNELS.length}`)),
    );
    while (posts() < leads) await sleep(200);
    const drainSeconds = seconds(Date.now() - drainStarted);
    return {
      command: ['node', ...botArguments()].join(' '),
      npmStartHealthySeconds,
      localModeHealthySeconds,
      olderRows,
      leads,
      channels: PROCESS_CHANNELS.length,
      healthySeconds,
      firstPollSeconds,
      rssAfterFirstPollMb: afterFirstPoll.rssMb,
      drainSeconds,
      firstPollCpuSeconds: cpuBeforeDrain,
      drainCpuSeconds: seconds((cpuSecondsOf(child.pid ?? 0) - cpuBeforeDrain) * 1000),
      ...memoryOf(child.pid ?? 0),
    };
  } finally {
    child.kill('SIGTERM');
  }
}

/** Section 5's result in one line, for the full run and for --own-process. */
function describeOwnProcess(own: Awaited<ReturnType<typeof botInItsOwnProcess>>): string {
  return `npm start healthy in ${own.npmStartHealthySeconds.join(', ')} s (local mode: ${own.localModeHealthySeconds.join(', ')} s). The bot alone (${own.command}) over ${own.olderRows} older rows: healthy in ${own.healthySeconds} s, first poll (with the one-off count) done at ${own.firstPollSeconds} s (CPU ${own.firstPollCpuSeconds} s), RSS ${own.rssAfterFirstPollMb} MB; ${own.leads} new leads to ${own.channels} channels drained in ${own.drainSeconds} s (CPU ${own.drainCpuSeconds} s); peak RSS ${own.peakRssMb} MB, RSS after ${own.rssMb} MB.`;
}

/** Writes a run's results as JSON under bench/results, and says where. */
function writeResults(file: string, results: object): void {
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`bench/results/${file}`, `${JSON.stringify(results, null, 2)}\n`);
  out(`Written to bench/results/${file}`);
}

async function rulesStoreFor(harness: Harness, statePrefix: string) {
  const client = createTableClient(harness.connectionString, `${statePrefix}Rules`);
  await client.createTable();
  return { rules: createAzureRulesStore(client) };
}

async function reminderScan(harness: Harness, history: number) {
  const tables = freshTables();
  const now = new Date();
  let clock = now;
  const bot = await createBot(botConfig(harness, tables), {
    log: quietLog,
    schedule: false,
    slackRetries: 0,
    clock: () => clock,
  });
  const conversationsTable = createTableClient(harness.connectionString, `${tables.state}Conversations`);
  // History: closed, followed-up conversations (the shape the store writes), seeded in bulk.
  const closed = Array.from({ length: history }, (_, i) => ({
    partitionKey: `h${i % 100}`,
    rowKey: randomBytes(16).toString('hex'),
    conversationKey: `history${i}@x.example\noffer`,
    rootPartitionKey: 'p',
    rootRowKey: `r${i}`,
    channel: 'C0BENCHDEF',
    ts: '1.1',
    stages: '[]',
    ownerId: 'U0REP',
    ownedSince: now,
    followUp: JSON.stringify({ by: 'U0REP', at: now, kind: 'call', note: null, nextStepOn: null }),
    closed: JSON.stringify({ by: 'U0REP', at: now, outcome: 'won', reason: null }),
  }));
  await bulkInsert(conversationsTable, closed);
  // 100 owned conversations whose reminder is due: 100 reps, 10 channels.
  const store = createAzureConversationStore(conversationsTable);
  const due = createAzureDueStore(createTableClient(harness.connectionString, `${tables.state}Due`));
  for (let i = 0; i < 100; i++) {
    const stage = {
      leadId: { partitionKey: 'p', rowKey: `due${i}` },
      action: 'Create' as const,
      channel: 'AzurePortal' as const,
      at: now,
    };
    const { conversation } = await store.open(`due${i}@x.example\noffer`, stage);
    await store.setMessage(conversation.key, `C0REMIND0${i % 10}`, `${i}.1`);
    await store.setOwner(conversation.id, null, `U0REP${i}`, now, true);
    const remindAt = addHours(now, 24);
    await store.startSla(conversation.id, {
      action: 'Create',
      minutes: 24 * 60,
      startedAt: now,
      remindAt,
      escalateAt: addHours(now, 48),
    });
    await due.schedule({ conversationId: conversation.id, kind: 'remind', at: remindAt });
  }
  clock = addDays(now, 1.5);
  const memory = sampleMemory();
  const started = Date.now();
  const summary = await bot.jobs.reminders();
  const runMs = Date.now() - started;
  const peakRssMb = memory.stop();
  await bot.stop();
  return {
    closedHistory: history,
    dueReminders: 100,
    // The run reads the due rows only, then each due conversation: what history costs it is nothing.
    dueRowsRead: summary.due,
    reminded: summary.reminded,
    runSeconds: seconds(runMs),
    peakRssMb,
  };
}

/**
 * The CRM hand-off with HubSpot's stand-in answering every call in 200 ms: the time from a lead's
 * arrival to its deal in HubSpot with the default CRM schedule (every 10 s) and a 5 s poll; then a
 * backlog written against HubSpot's documented 100 calls per 10 s (enforced by the stand-in with 429s).
 */
async function crmHandOff(harness: Harness, samples: number, backlog: number) {
  const hubspot = await createFakeHubSpot({ latencyMs: 200, requestsPer10Seconds: 100 });
  const crmEnv = { CRM: 'hubspot', HUBSPOT_TOKEN: hubspot.token, HUBSPOT_API_URL: hubspot.apiUrl };
  try {
    const tables = freshTables();
    const bot = await createBot(botConfig(harness, tables, { ...crmEnv, POLL_SCHEDULE: '*/5 * * * * *' }), {
      log: quietLog,
    });
    await bot.start();
    await bot.jobs.poll();
    const client = createTableClient(harness.connectionString, tables.leads);
    await client.createTable();
    const latencies: number[] = [];
    for (let i = 0; i < samples; i++) {
      await sleep(Math.random() * 10_000); // arrive at any point of the CRM schedule's cycle
      const entity = leadEntity(i, 'contoso.crm');
      const created = await client.createEntity(entity);
      const timestamp = Date.parse(
        decodeURIComponent(/datetime'([^']+)'/.exec(created.etag ?? '')?.[1] ?? ''),
      );
      const dealsBefore = hubspot.deals.size;
      const deadline = Date.now() + 60_000;
      while (hubspot.deals.size === dealsBefore && Date.now() < deadline) await sleep(20);
      latencies.push(Date.now() - timestamp);
    }
    await bot.stop();

    // The backlog: leads already posted and queued, written by one run after another as fast as allowed.
    const drainTables = freshTables();
    // No schedule: only the runs below write, so the drain is timed from its first call to its last.
    const drainBot = await createBot(botConfig(harness, drainTables, crmEnv), {
      log: quietLog,
      schedule: false,
    });
    await drainBot.start();
    // Spread over 20 channels: the bot posts at most one message a second to a channel (Slack's limit),
    // so the posts that queue the backlog take a minute for 1,000 leads, not a quarter of an hour.
    const { rules } = await rulesStoreFor(harness, drainTables.state);
    await rules.setRoutingRules(
      PROCESS_CHANNELS.map((channel, i) => ({ match: { offer: `contoso.crmdrain${i}` }, channel })),
    );
    await drainBot.jobs.poll();
    await bulkInsert(
      createTableClient(harness.connectionString, drainTables.leads),
      Array.from({ length: backlog }, (_, i) =>
        leadEntity(i, `contoso.crmdrain${i % PROCESS_CHANNELS.length}`),
      ),
    );
    const deals = hubspot.deals.size;
    const requestsBefore = hubspot.requests.length;
    while ((await drainBot.jobs.poll()).posted > 0);
    const run = drainBot.jobs.crm;
    if (run === null) throw new Error('no CRM');
    const started = Date.now();
    let summary = await run();
    while (summary.backlog > 0) {
      // The rest waits for a Retry-After or a backoff: ask again shortly rather than spin on the queue.
      if (summary.rateLimited || summary.written === 0) await sleep(500);
      summary = await run();
    }
    const drainMs = Date.now() - started;
    await drainBot.stop();
    const calls = hubspot.requests.slice(requestsBefore);
    const accepted = calls.filter((call) => call.status === 200).length;
    return {
      samples,
      medianSeconds: seconds(percentile(latencies, 50)),
      p95Seconds: seconds(percentile(latencies, 95)),
      backlog,
      drainSeconds: seconds(drainMs),
      written: hubspot.deals.size - deals,
      callsPerSecond: Math.round((accepted / (drainMs / 1000)) * 10) / 10,
      fractionOfLimit: Math.round((accepted / (drainMs / 1000) / 10) * 100) / 100,
      rateLimited429: calls.filter((call) => call.status === 429).length,
      errors: calls.filter((call) => call.status !== 200 && call.status !== 429).length,
      duplicates: hubspot.dealsCreated() - hubspot.deals.size,
    };
  } finally {
    await hubspot.close();
  }
}

/**
 * `npm test` (type-check, lint, the main suite) from the command to its exit, `runs` times in a row with
 * nothing else running: issue 24's figure for the developer's loop. A failing run is reported, not timed.
 */
function npmTestSeconds(runs: number): number[] {
  const times = [];
  for (let run = 0; run < runs; run++) {
    const started = Date.now();
    const result = spawnSync('npm', ['test', '--silent'], { stdio: 'ignore' });
    if (result.status !== 0) throw new Error(`npm test failed on run ${run + 1} (exit ${result.status})`);
    times.push(seconds(Date.now() - started));
  }
  return times;
}

async function main(): Promise<void> {
  const started = Date.now();
  if (npmTestOnly) {
    const runs = quick ? 1 : 3;
    out(`7. npm test, ${runs} run(s) in a row, ${cpus().length} cores …`);
    const times = npmTestSeconds(runs);
    out(`npm test: ${times.join(' s, ')} s (median ${percentile(times, 50)} s)`);
    writeResults('npm-test.json', {
      date: new Date().toISOString(),
      cores: cpus().length,
      node: process.version,
      times,
    });
    return;
  }
  const azurite = await startAzurite();
  const slack = await createFakeSlack({ postsPerChannelPerSecond: 1 });
  const harness: Harness = { connectionString: azuriteConnectionString(azurite.port), slack };
  const machine = {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 1_073_741_824),
    node: process.version,
    quick,
  };
  out(
    `marketplace-leadbot benchmark${quick ? ' (--quick)' : ''}: ${machine.cores} cores, Node ${machine.node}`,
  );
  try {
    if (timeToNotifyOnly) {
      out(`1. time to notify with the default poll (${DEFAULT_SCHEDULE_SAMPLES} samples) …`);
      const result = await timeToNotify(
        harness,
        DEFAULT_POLL.schedule,
        DEFAULT_POLL.periodMs,
        DEFAULT_SCHEDULE_SAMPLES,
      );
      out(
        `Poll every ${DEFAULT_POLL.periodMs / 1000} s (default): ${result.samples} samples, median ${result.medianSeconds} s, p95 ${result.p95Seconds} s (bound ${result.boundSeconds} s + one request)`,
      );
      writeResults('time-to-notify.json', { date: new Date().toISOString(), machine, timeToNotify: result });
      return;
    }
    if (ownProcessOnly) {
      out(
        `5. the bot in its own process, ${OWN_PROCESS_BACKLOG} new leads over ${PROCESS_OLDER_ROWS} older rows …`,
      );
      const ownProcess = await botInItsOwnProcess(harness, PROCESS_OLDER_ROWS, OWN_PROCESS_BACKLOG);
      out(describeOwnProcess(ownProcess));
      writeResults('own-process.json', { date: new Date().toISOString(), machine, ownProcess });
      return;
    }
    if (crmOnly) {
      out('CRM hand-off (HubSpot stand-in, 200 ms a call, 100 calls per 10 s) …');
      // Slack without its per-channel pace here: the section measures the CRM side alone.
      const unpacedSlack = await createFakeSlack();
      const crm = await crmHandOff({ ...harness, slack: unpacedSlack }, quick ? 5 : 20, quick ? 100 : 1_000);
      await unpacedSlack.close();
      out(
        `Lead → HubSpot deal (poll every 5 s, CRM_SCHEDULE every 10 s): ${crm.samples} samples, median ${crm.medianSeconds} s, p95 ${crm.p95Seconds} s`,
      );
      out(
        `Backlog of ${crm.backlog} leads: ${crm.written} written in ${crm.drainSeconds} s, ${crm.callsPerSecond} calls/s (${Math.round(crm.fractionOfLimit * 100)}% of HubSpot's 10/s); 429s ${crm.rateLimited429}; errors ${crm.errors}; duplicates ${crm.duplicates}`,
      );
      writeResults('crm.json', { date: new Date().toISOString(), machine, crm });
      return;
    }
    if (pollCostOnly) {
      // Section 2 alone (with --million: up to a million older rows), written beside the full results.
      out('2. poll cost vs table size …');
      const pollCostResults = [];
      for (const size of SIZES) {
        const row = await pollCost(harness, size);
        out(`  ${size} older rows: ${row.seededRows} seeded into Azurite in ${row.seedSeconds} s`);
        pollCostResults.push(row);
      }
      out();
      printPollCost(pollCostResults);
      writeResults('poll-cost.json', { date: new Date().toISOString(), machine, pollCost: pollCostResults });
      return;
    }
    out('1. time to notify …');
    const timeToNotifyResults = {
      defaultSchedule: await timeToNotify(
        harness,
        DEFAULT_POLL.schedule,
        DEFAULT_POLL.periodMs,
        DEFAULT_SCHEDULE_SAMPLES,
      ),
      fiveSecondPoll: await timeToNotify(harness, '*/5 * * * * *', 5_000, FAST_SCHEDULE_SAMPLES),
      push: await pushTimeToNotify(harness, PUSH_SAMPLES),
    };
    out('2. poll cost vs table size …');
    const pollCostResults = [];
    for (const size of SIZES) pollCostResults.push(await pollCost(harness, size));
    out('3. backlog drain …');
    const drain = await backlogDrain(harness, DRAIN_LEADS);
    out('4. reminder scan cost …');
    const reminders = [];
    for (const size of HISTORY) reminders.push(await reminderScan(harness, size));
    out('5. the bot in its own process …');
    const ownProcess = await botInItsOwnProcess(harness, PROCESS_OLDER_ROWS, DRAIN_LEADS);
    const results = {
      date: new Date().toISOString(),
      machine,
      timeToNotify: timeToNotifyResults,
      pollCost: pollCostResults,
      drain,
      reminders,
      ownProcess,
      totalSeconds: seconds(Date.now() - started),
    };

    out();
    out('| Time to notify | samples | median s | p95 s | bound s |');
    out('|---|---|---|---|---|');
    const t = timeToNotifyResults;
    out(
      `| poll every 10 s (default) | ${t.defaultSchedule.samples} | ${t.defaultSchedule.medianSeconds} | ${t.defaultSchedule.p95Seconds} | ≤ ${t.defaultSchedule.boundSeconds} + one request |`,
    );
    out(
      `| poll every 5 s | ${t.fiveSecondPoll.samples} | ${t.fiveSecondPoll.medianSeconds} | ${t.fiveSecondPoll.p95Seconds} | ≤ ${t.fiveSecondPoll.boundSeconds} + one request |`,
    );
    out(
      `| push (HTTPS endpoint) | ${t.push.samples} | ${t.push.medianSeconds} | ${t.push.p95Seconds} | one write + one poll |`,
    );
    out();
    printPollCost(pollCostResults);
    out();
    out(
      `Backlog drain: ${drain.leads} leads to ${drain.channels} channels in ${drain.totalSeconds} s; per channel ${drain.perChannel.map((c) => `${c.postsPerSecond}/s`).join(', ')} (${Math.round(drain.fractionOfSlackLimit * 100)}% of Slack's 1/s); 429s ${drain.rateLimited429}; duplicates ${drain.duplicates}; lost ${drain.lost}; peak RSS ${drain.peakRssMb} MB`,
    );
    out();
    out('| Closed leads in history | due reminders | due rows read | reminded | run s | peak RSS MB |');
    out('|---|---|---|---|---|---|');
    for (const row of reminders)
      out(
        `| ${row.closedHistory} | ${row.dueReminders} | ${row.dueRowsRead} | ${row.reminded} | ${row.runSeconds} | ${row.peakRssMb} |`,
      );
    out();
    out(describeOwnProcess(ownProcess));
    out();
    out(
      `Total ${results.totalSeconds} s. Peak RSS in sections 3 and 4 is this process (bot + Slack stand-in); section 5 is the bot's own process.`,
    );
    writeResults('latest.json', results);
  } finally {
    await slack.close();
    azurite.child.kill('SIGTERM');
  }
}

await main();
process.exit(0);
