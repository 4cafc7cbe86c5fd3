// `npm run rules -- show | import FILE`: sets routing rules and rotations from a JSON document, in the
// same storage account the bot uses. Admins will do the same with /leads commands in Slack.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../config.ts';
import { parseRulesDocument, RULES_DOCUMENT_EXAMPLE } from '../domain/rules-document.ts';
import { createAzureRulesStore } from '../stores/azure/azure-rules-store.ts';
import { startEmbeddedAzurite } from '../stores/azure/embedded-azurite.ts';
import { createStateTables } from '../stores/azure/state-tables.ts';

const out = (text: string) => process.stdout.write(`${text}\n`);
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
  // Local mode: the embedded Azurite's data folder (stop the bot first: one process may hold it).
  const azurite = config.azureConnectionString
    ? null
    : await startEmbeddedAzurite({ dataFolder: join(config.dataFolder, 'azurite') });
  const connectionString = config.azureConnectionString ?? azurite?.connectionString ?? '';
  try {
    const client = createStateTables(connectionString, config.stateTablePrefix).clients.Rules;
    await client.createTable();
    const store = createAzureRulesStore(client);
    if (command === 'import') {
      const parsed = parseRulesDocument(await readFile(file ?? '', 'utf8'));
      if (!parsed.ok) fail(`${file} was not imported:\n${parsed.problems.map((p) => `  - ${p}`).join('\n')}`);
      else {
        const before = await store.setRoutingRules(parsed.document.routes);
        for (const [channel, users] of Object.entries(parsed.document.rotations))
          await store.setRotation(channel, users);
        out(
          `Imported ${parsed.document.routes.length} routing rule(s) (replacing ${before.length}) and ${Object.keys(parsed.document.rotations).length} rotation(s).`,
        );
      }
    }
    const routes = await store.routingRules();
    out('Routing rules (first match wins; otherwise LEADS_CHANNEL):');
    routes.forEach((rule, index) => {
      out(
        `  ${index + 1}. ${
          Object.entries(rule.match)
            .map(([f, p]) => `${f}=${p}`)
            .join(' ') || '(everything)'
        } → ${rule.channel}`,
      );
    });
    if (routes.length === 0) out('  (none)');
  } finally {
    await azurite?.close();
  }
}

await main();
