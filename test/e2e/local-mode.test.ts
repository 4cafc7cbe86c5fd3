import { networkInterfaces } from 'node:os';
import { describe, expect, it, vi } from 'vitest';
import { MICROSOFT_EXAMPLE } from '../fixtures/inbound-leads.ts';
import { insertLeads, JANE, leadColumns } from '../fixtures/lead-rows.ts';
import { createFakeSlack } from '../support/fake-slack.ts';
import { createLocalBot, createTestBot, leadTableClient, uniqueTables } from '../support/test-bot.ts';

describe('local mode (no Slack credentials)', () => {
  it('runs the same pipeline and prints each message readably, with the Block Kit JSON on request', async () => {
    const tables = uniqueTables();
    const output: string[] = [];
    const bot = await createLocalBot(tables, {
      env: { SHOW_BLOCKS: 'true', INBOUND_LEADS_TOKEN: 'local-token-0123456789abcdef01' },
      writeOutput: (text) => output.push(text),
    });
    const { port } = await bot.start();
    try {
      await insertLeads(leadTableClient(tables), [
        leadColumns({ CustomerInfo: JSON.stringify({ ...JANE, Company: '<!here> Corp' }) }),
      ]);
      expect(await bot.jobs.poll()).toMatchObject({ posted: 1 });

      const preview =
        output.find(
          (text) => text.includes('posted to local-leads') && text.includes('Test Drive started'),
        ) ?? '';
      expect(preview).toContain('━━ 🧪 Test Drive started: Jane Doe · <!here> Corp ━━');
      expect(preview).toContain('• Email: jane.doe@fabrikam.example');
      expect(preview).toMatch(/Arrived \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
      expect(output.some((text) => text.startsWith('{\n  "blocks"'))).toBe(true);

      const health = await (await fetch(`http://127.0.0.1:${port}/healthz`)).json();
      expect(health).toMatchObject({ status: 'ok', mode: 'local', leadTable: { found: true } });

      // The HTTPS lead endpoint works without Slack too (and so in Socket Mode, which serves the same routes).
      const pushed = await fetch(`http://127.0.0.1:${port}/leads/inbound/local-token-0123456789abcdef01`, {
        method: 'POST',
        body: JSON.stringify(MICROSOFT_EXAMPLE),
      });
      expect(pushed.status).toBe(201);
      await vi.waitFor(
        () => expect(output.some((text) => text.includes('📦 Get it now: Some One · Contoso'))).toBe(true),
        { timeout: 10_000 },
      );
    } finally {
      await bot.stop();
    }
  });
});

describe('the playground (local mode only)', () => {
  it('is served on 127.0.0.1 only, and its requests reach the bot signed like Slack', async () => {
    const tables = uniqueTables();
    const bot = await createLocalBot(tables);
    const { port } = await bot.start();
    try {
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('leadbot playground');
      // Not on this machine's other addresses.
      const elsewhere = Object.values(networkInterfaces())
        .flat()
        .find((address) => address && address.family === 'IPv4' && !address.internal);
      if (elsewhere) await expect(fetch(`http://${elsewhere.address}:${port}/`)).rejects.toThrow();
      // A request that is not signed with the playground's secret is refused like a forged Slack request.
      const forged = await fetch(`http://127.0.0.1:${port}/slack/events`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-slack-signature': `v0=${'0'.repeat(64)}`,
          'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)),
        },
        body: JSON.stringify({ type: 'url_verification', challenge: 'x' }),
      });
      expect(forged.status).toBe(401);
      const acted = await fetch(`http://127.0.0.1:${port}/playground/do`, {
        method: 'POST',
        body: JSON.stringify({ as: 'U0PLAYREP1', kind: 'command', channel: 'local-leads', text: 'help' }),
      });
      expect(await acted.json()).toEqual({ ok: true });
      const state = (await (
        await fetch(`http://127.0.0.1:${port}/playground/state?as=U0PLAYREP1`)
      ).json()) as {
        channels: { messages: { private: boolean; html: string }[] }[];
      };
      const answers = state.channels.flatMap((channel: { messages: { private: boolean; html: string }[] }) =>
        channel.messages.filter((message) => message.private),
      );
      expect(answers.map((answer: { html: string }) => answer.html).join(' ')).toContain('/leads');
      // Acts name a user of the playground; anyone else is refused.
      const stranger = await fetch(`http://127.0.0.1:${port}/playground/do`, {
        method: 'POST',
        body: JSON.stringify({ as: 'U0STRANGER', kind: 'command', channel: 'local-leads', text: 'help' }),
      });
      expect(await stranger.json()).toEqual({ ok: false, error: 'unknown user' });
    } finally {
      await bot.stop();
    }
  });

  it('is never served when Slack settings are present', async () => {
    const slack = await createFakeSlack();
    const bot = await createTestBot({ slack, tables: uniqueTables() });
    const { port } = await bot.start();
    try {
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${port}/playground/state`)).status).toBe(404);
    } finally {
      await bot.stop();
      await slack.close();
    }
  });
});
