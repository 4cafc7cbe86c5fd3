import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { createAzureAuditLog } from '../../src/stores/azure/azure-audit-log.ts';
import { createTableClient } from '../../src/stores/azure/tables.ts';
import { uniqueTables } from '../support/test-bot.ts';

const run = promisify(execFile);

// `npm run rules` as an operator runs it: a real process against the test Azurite.
async function rulesCli(args: readonly string[], statePrefix: string) {
  return run(process.execPath, ['src/cli/rules.ts', ...args], {
    env: {
      ...process.env,
      AZURE_TABLES_CONNECTION_STRING: inject('azureConnectionString'),
      STATE_TABLE_PREFIX: statePrefix,
    },
  });
}

describe('npm run rules', () => {
  it('imports routes and rotations, lists both, and records the import in the audit log', async () => {
    const { statePrefix } = uniqueTables();
    const file = join(await mkdtemp(join(tmpdir(), 'rules-')), 'rules.json');
    await writeFile(
      file,
      JSON.stringify({
        routes: [{ match: { country: 'DE' }, channel: 'C0EMEA0001' }],
        rotations: {
          C0EMEA0001: ['U0ANNA0001', { user: 'U0BEN00001', weight: 2, cap: 10 }],
          C0NOROUTE1: ['U0CARL0001'],
        },
        acceptance: { C0EMEA0001: { minutes: 15, hops: 2 } },
      }),
    );

    const { stdout } = await rulesCli(['import', file], statePrefix);

    expect(stdout).toContain('Imported 1 routing rule(s) and 2 rotation(s).');
    expect(stdout).toContain('  1. country=DE → C0EMEA0001');
    expect(stdout).toContain(
      '  C0EMEA0001: U0ANNA0001 → U0BEN00001 weight 2 cap 10 (accept within 15 min, 2 hop(s))',
    );
    expect(stdout).toContain('  C0NOROUTE1: U0CARL0001');
    const audit = createAzureAuditLog(
      createTableClient(inject('azureConnectionString'), `${statePrefix}Audit`),
    );
    const [entry] = await audit.latest(5);
    expect(entry).toMatchObject({ by: 'cli', command: `rules import ${file}`, allowed: true });
    expect(entry?.after).toContain('country=DE');
  });
});
