import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

// Azurite's package entry is its VS Code extension; the table server classes are internal, which is why
// package.json pins azurite to an exact version.
const require = createRequire(import.meta.url);

interface AzuriteTableServer {
  start(): Promise<void>;
  close(): Promise<void>;
  getHttpServerAddress(): string;
}

type TableServerClass = new (configuration: unknown) => AzuriteTableServer;
type TableConfigurationClass = new (...args: unknown[]) => unknown;

export const AZURITE_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export function azuriteConnectionString(port: number): string {
  return `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZURITE_ACCOUNT_KEY};TableEndpoint=http://127.0.0.1:${port}/devstoreaccount1;`;
}

export interface EmbeddedAzurite {
  readonly connectionString: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface EmbeddedAzuriteOptions {
  /** Folder for the emulator's data; omit to keep everything in memory (tests). */
  readonly dataFolder?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /**
   * Serve HTTPS with this certificate and key (PEM file paths) and accept Microsoft Entra ID bearer
   * tokens (Azurite's "basic" check: issuer, audience and lifetime). Tests of Entra ID access use it.
   */
  readonly https?: { readonly certPath: string; readonly keyPath: string };
}

/**
 * Azurite's classes, loaded only when the embedded store is used: Azurite is a development dependency
 * (local mode and tests), absent from the production image.
 */
function loadAzurite(): { TableServer: TableServerClass; TableConfiguration: TableConfigurationClass } {
  try {
    return {
      TableServer: (require('azurite/dist/src/table/TableServer.js') as { default: TableServerClass })
        .default,
      TableConfiguration: (
        require('azurite/dist/src/table/TableConfiguration.js') as { default: TableConfigurationClass }
      ).default,
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    throw new Error(
      'the embedded store needs the azurite package, a development dependency: run npm ci (not --omit=dev), or give the bot a storage account (AZURE_TABLES_ACCOUNT_URL or AZURE_TABLES_CONNECTION_STRING).',
    );
  }
}

/** Starts Azurite's Table service inside this process, on 127.0.0.1. */
export async function startEmbeddedAzurite(options: EmbeddedAzuriteOptions = {}): Promise<EmbeddedAzurite> {
  const { TableServer, TableConfiguration } = loadAzurite();
  const inMemory = options.dataFolder === undefined;
  if (options.dataFolder !== undefined) mkdirSync(options.dataFolder, { recursive: true });
  const dbPath = join(options.dataFolder ?? '.', '__azurite_db_table__.json');
  // Positional arguments of Azurite 3.35's TableConfiguration: host, port, keepAliveTimeout, dbPath,
  // debugLog, accessLog, accessLogStream, debugLogPath, loose, skipApiVersionCheck, cert, key, pwd,
  // oauth, disableProductStyleUrl, inMemoryPersistence.
  const configuration = new TableConfiguration(
    '127.0.0.1',
    options.port ?? 0,
    5,
    dbPath,
    false,
    false,
    undefined,
    undefined,
    false,
    true,
    options.https?.certPath ?? '',
    options.https?.keyPath ?? '',
    '',
    options.https ? 'basic' : undefined,
    false,
    inMemory,
  );
  const server = new TableServer(configuration);
  await server.start();
  const port = Number(server.getHttpServerAddress().split(':').at(-1));
  return { connectionString: azuriteConnectionString(port), port, close: () => server.close() };
}
