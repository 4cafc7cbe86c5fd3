import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { azuriteConnectionString, startEmbeddedAzurite } from './embedded-azurite.ts';
import { claimLocalStore } from './local-store-lock.ts';
import type { StorageAccess, StorageSetting } from './tables.ts';

/** The storage account this process uses, and how to let go of it. */
export interface OpenedStorage {
  readonly access: StorageAccess;
  /** Where the data is, for the start-up log (never a secret). */
  readonly description: string;
  /** The embedded Azurite's port when this process runs it; null otherwise. */
  readonly embeddedPort: number | null;
  close(): Promise<void>;
}

/**
 * Thrown when a bot is started on a data folder whose embedded Azurite another live process runs: two
 * Azurites on one folder overwrite each other's files, so one bot's leads would vanish.
 */
export class DataFolderInUseError extends Error {
  readonly dataFolder: string;
  readonly pid: number;
  constructor(dataFolder: string, pid: number) {
    super(
      `another lead bot (pid ${pid}) is using the local store in ${dataFolder}: stop it first, or give this one its own DATA_DIR (bots share state only through a storage account).`,
    );
    this.name = 'DataFolderInUseError';
    this.dataFolder = dataFolder;
    this.pid = pid;
  }
}

/**
 * Opens the configured storage account; with none configured, the embedded Azurite in `dataFolder`.
 * One process runs that Azurite (`claimLocalStore`: its live port is the lock). Another bot on the same
 * folder is refused; a tool such as the rules CLI (`joinRunning`) uses the running Azurite, so what it
 * writes is what the running bot reads.
 */
export async function openStorage(
  setting: StorageSetting | null,
  dataFolder: string,
  options: { readonly joinRunning: boolean },
): Promise<OpenedStorage> {
  if (setting !== null) {
    const access: StorageAccess =
      setting.kind === 'entra-id'
        ? // Managed identity in Azure, environment variables, or `az login` locally; tokens are cached.
          // Loaded only here: @azure/identity adds about 20 MB to a process that does not use it.
          { ...setting, credential: new (await import('@azure/identity')).DefaultAzureCredential() }
        : setting;
    const description =
      setting.kind === 'connection-string'
        ? 'the account of AZURE_TABLES_CONNECTION_STRING'
        : `${setting.accountUrl} with ${setting.kind === 'sas' ? 'a SAS token' : 'Microsoft Entra ID'}`;
    return { access, description, embeddedPort: null, close: async () => {} };
  }
  const folder = join(dataFolder, 'azurite');
  mkdirSync(folder, { recursive: true });
  const claim = await claimLocalStore(join(folder, 'owner.json'));
  if (claim.kind === 'owned') {
    if (!options.joinRunning) throw new DataFolderInUseError(dataFolder, claim.owner.pid);
    return {
      access: { kind: 'connection-string', connectionString: azuriteConnectionString(claim.owner.port) },
      description: `the embedded Azurite of pid ${claim.owner.pid} (${folder})`,
      embeddedPort: null,
      close: async () => {},
    };
  }
  try {
    const azurite = await startEmbeddedAzurite({ dataFolder: folder });
    await claim.announce(azurite.port).catch(async (error: unknown) => {
      await azurite.close();
      throw error;
    });
    return {
      access: { kind: 'connection-string', connectionString: azurite.connectionString },
      description: `an embedded Azurite in ${folder}`,
      embeddedPort: azurite.port,
      async close() {
        // Azurite writes its files on close (and every few seconds before): a stop loses nothing.
        await azurite.close();
        claim.release();
      },
    };
  } catch (error) {
    claim.release();
    throw error;
  }
}
