import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/bot.ts';
import { insertLeads, leadColumns } from '../fixtures/lead-rows.ts';
import { createFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import { createTestBot, leadTableClient, type TestTables, uniqueTables } from '../support/test-bot.ts';

let slack: FakeSlack;
let bot: Bot;
let tables: TestTables;
let port: number;

beforeEach(async () => {
  slack = await createFakeSlack();
  tables = uniqueTables();
  bot = await createTestBot({ slack, tables });
  ({ port } = await bot.start());
});

afterEach(async () => {
  await bot.stop();
  await slack.close();
});

/** Microsoft's CreatedTime (M/d/yyyy HH:mm:ss, UTC) of a moment `minutesAgo` before now. */
function createdMinutesAgo(minutesAgo: number): string {
  const at = new Date(Date.now() - minutesAgo * 60_000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${at.getUTCMonth() + 1}/${at.getUTCDate()}/${at.getUTCFullYear()} ${two(at.getUTCHours())}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())}`;
}

async function metrics(): Promise<{ contentType: string; sample: (line: string) => number | undefined }> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(response.status).toBe(200);
  const lines = (await response.text()).split('\n');
  return {
    contentType: response.headers.get('content-type') ?? '',
    // The value of the sample whose name and labels are exactly `series`.
    sample: (series) => {
      const line = lines.find((candidate) => candidate.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    },
  };
}

describe('GET /metrics', () => {
  it('has every failure and reminder series at 0 from the start, so the first increase after a restart is seen', async () => {
    const { sample } = await metrics();
    for (const kind of ['post_lead', 'reminder', 'poll', 'sweep', 'reminders', 'roster', 'digest', 'weekly'])
      expect(sample(`leadbot_failures_total{kind="${kind}"}`)).toBe(0);
    for (const kind of ['reminder', 'escalation'])
      expect(sample(`leadbot_reminders_sent_total{kind="${kind}"}`)).toBe(0);
  });

  it('counts delivered leads, times them from creation to Slack, and counts 429s and job runs', async () => {
    await insertLeads(leadTableClient(tables), [
      leadColumns({ CreatedTime: createdMinutesAgo(10) }),
      leadColumns({
        CreatedTime: createdMinutesAgo(1),
        CustomerInfo: JSON.stringify({ Email: 'b@example.com' }),
      }),
    ]);
    slack.fail('chat.postMessage', { status: 429, retryAfterSeconds: 1 }, 1);

    await bot.jobs.poll();

    const { contentType, sample } = await metrics();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sample('leadbot_leads_delivered_total{outcome="posted"}')).toBe(2);
    expect(sample('leadbot_time_to_notify_seconds_count')).toBe(2);
    expect(sample('leadbot_time_to_notify_seconds_bucket{le="300"}')).toBe(1); // the 1-minute-old lead
    expect(sample('leadbot_time_to_notify_seconds_bucket{le="900"}')).toBe(2); // and the 10-minute-old one
    expect(sample('leadbot_slack_rate_limited_total{method="chat.postMessage"}')).toBe(1);
    expect(sample('leadbot_job_duration_seconds_count{job="poll",result="ok"}')).toBe(1);
    expect(sample('leadbot_quarantined_leads')).toBe(0);
    expect(sample('leadbot_process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('counts a lead that could not be posted, and a failed poll', async () => {
    await insertLeads(leadTableClient(tables), [leadColumns()]);
    slack.fail('chat.postMessage', { error: 'channel_not_found' });
    await bot.jobs.poll();
    expect((await metrics()).sample('leadbot_failures_total{kind="post_lead"}')).toBe(1);

    await bot.stop(); // the storage clients stay usable; make the table service refuse instead
    bot = await createTestBot({
      slack,
      tables,
      env: {
        AZURE_TABLES_CONNECTION_STRING:
          'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=AAAA;TableEndpoint=http://127.0.0.1:1/devstoreaccount1;',
      },
    });
    ({ port } = await bot.start());
    await expect(bot.jobs.poll()).rejects.toThrow();
    const { sample } = await metrics();
    expect(sample('leadbot_failures_total{kind="poll"}')).toBe(1);
    expect(sample('leadbot_job_duration_seconds_count{job="poll",result="failed"}')).toBe(1);
  }, 30_000);
});

describe('METRICS_PORT', () => {
  it('serves /metrics, /healthz and /livez on a port of their own, and not beside Slack’s requests', async () => {
    await bot.stop();
    bot = await createTestBot({ slack, tables, env: { METRICS_PORT: '0' } });
    const started = await bot.start();
    expect(started.probePort).not.toBe(started.port);
    for (const path of ['/metrics', '/healthz', '/livez']) {
      expect((await fetch(`http://127.0.0.1:${started.probePort}${path}`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${started.port}${path}`)).status).toBe(404);
    }
  });
});
