// `npm run rules -- show | import FILE`: sets routing rules and rotations from a JSON document, in the
// same storage account the bot uses. Admins will do the same with /leads commands in Slack.
import { readFile } from 'node:fs/promises';
import { ConfigError, loadConfig } from '../config.ts';
import type { RoutingRule } from '../domain/routing.ts';
import { parseRulesDocument, RULES_DOCUMENT_EXAMPLE } from '../domain/rules-document.ts';
import { admin } from '../services/admin-rules.ts';
import { recordAdminChange } from '../services/audit-admin-action.ts';
import { createAzureAuditLog } from '../stores/azure/azure-audit-log.ts';
import { createAzureRulesStore } from '../stores/azure/azure-rules-store.ts';
import { createAzureSettingsStore } from '../stores/azure/azure-settings-store.ts';
import { openStorage } from '../stores/azure/open-storage.ts';
import { createStateTables } from '../stores/azure/state-tables.ts';

const out = (text: string) => process.stdout.write(`${text}\n`);
/** A routing rule for a terminal: its conditions as typed, and the channel id. */
const describeRulePlain = (rule: RoutingRule) =>
  `${
    Object.entries(rule.match)
      .map(([field, pattern]) => `${field}=${pattern}`)
      .join(' ') || '(everything)'
  } → ${rule.channel}`;
const fail = (text: string): never => {
  process.stderr.write(`${text}\n`);
  process.exit(1);
};

async function main(): Promise<void> {
  const [command, file] = process.argv.slice(2);
  if (command !== 'show' && !(command === 'import' && file)) {
    fail(`usage: npm run rules -- show | import FILE\n\nFILE is JSON like:\n${RULES_DOCUMENT_EXAMPLE}`);
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) return fail(error.message);
    throw error;
  }
  // Local mode: the embedded Azurite of a running bot when there is one, so both see the same rules.
  const storage = await openStorage(config.storage, config.dataFolder, { joinRunning: true });
  try {
    const tables = createStateTables(storage.access, config.stateTablePrefix);
    await tables.ensure();
    const deps = {
      rules: createAzureRulesStore(tables.clients.Rules),
      settings: createAzureSettingsStore(tables.clients.Settings),
      auditLog: createAzureAuditLog(tables.clients.Audit),
      clock: () => new Date(),
      defaults: {
        sla: config.sla,
        leadsChannel: config.leadsChannel,
        managersChannel: config.managersChannel,
        adminUserIds: config.adminUserIds,
      },
    };
    if (command === 'import') {
      const text = await readFile(file ?? '', 'utf8').catch(() => null);
      if (text === null)
        return fail(`${file} could not be read: check the path (it is read from ${process.cwd()}).`);
      const parsed = parseRulesDocument(text);
      if (!parsed.ok) fail(`${file} was not imported:\n${parsed.problems.map((p) => `  - ${p}`).join('\n')}`);
      else {
        const change = await admin.importRules(deps, parsed.document);
        // Whoever can run this holds the storage account's keys: recorded as the CLI, like an admin,
        // with the rules in plain words (the Slack side words its own imports).
        const plain = (rules: readonly RoutingRule[]) =>
          rules.map((rule, index) => `${index + 1}. ${describeRulePlain(rule)}`).join('\n') || '(none)';
        await recordAdminChange(
          { by: 'cli', command: `rules import ${file}` },
          { before: plain(change.before), after: plain(change.after) },
          deps,
        );
        out(
          `Imported ${parsed.document.routes.length} routing rule(s) and ${Object.keys(parsed.document.rotations).length} rotation(s).`,
        );
      }
    }
    const { routes, rotations, acceptance } = await admin.exportRules(deps);
    out('Routing rules (first match wins; otherwise LEADS_CHANNEL):');
    routes.forEach((rule, index) => {
      out(`  ${index + 1}. ${describeRulePlain(rule)}`);
    });
    if (routes.length === 0) out('  (none)');
    out('Rotations (each new lead of the channel goes to the next rep):');
    for (const [channel, reps] of Object.entries(rotations))
      out(
        `  ${channel}: ${reps
          .map((rep) =>
            [rep.userId, rep.weight ? `weight ${rep.weight}` : '', rep.cap ? `cap ${rep.cap}` : '']
              .filter(Boolean)
              .join(' '),
          )
          .join(
            ' → ',
          )}${acceptance[channel] ? ` (accept within ${acceptance[channel].minutes} min, ${acceptance[channel].maxHops} hop(s))` : ''}`,
      );
    if (Object.keys(rotations).length === 0) out('  (none)');
  } finally {
    await storage.close();
  }
}

// An operator's tool: a failure is one line (the reason), never a stack trace.
await main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
