import { describe, expect, inject, it, vi } from 'vitest';
import { createBot } from '../../src/bot.ts';
import { loadConfig } from '../../src/config.ts';
import { createMemoryLogger } from '../../src/logger.ts';
import { MICROSOFT_EXAMPLE } from '../fixtures/inbound-leads.ts';
import { insertLeads, JANE, leadColumns } from '../fixtures/lead-rows.ts';
import { leadTableClient, uniqueTables } from '../support/test-bot.ts';

describe('local mode (no Slack credentials)', () => {
  it('runs the same pipeline and prints each message readably, with the Block Kit JSON on request', async () => {
    const tables = uniqueTables();
    const output: string[] = [];
    const config = loadConfig({
      AZURE_TABLES_CONNECTION_STRING: inject('azureConnectionString'),
      LEADS_TABLE: tables.leadsTable,
      STATE_TABLE_PREFIX: tables.statePrefix,
      PORT: '0',
      SHOW_BLOCKS: 'true',
      INBOUND_LEADS_TOKEN: 'local-token-0123456789abcdef01',
    });
    const bot = await createBot(config, {
      log: createMemoryLogger(),
      schedule: false,
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
          (text) => text.includes('would post to local-leads') && text.includes('Test Drive started'),
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
      await vi.waitFor(() =>
        expect(output.some((text) => text.includes('📦 Get it now: Some One · Contoso'))).toBe(true),
      );
    } finally {
      await bot.stop();
    }
  });
});
