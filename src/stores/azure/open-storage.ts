import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { DefaultAzureCredential } from '@azure/identity';
import { azuriteConnectionString, startEmbeddedAzurite } from './embedded-azurite.ts';
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
  constructor(
    readonly dataFolder: string,
    readonly pid: number,
  ) {
    super(
      `another lead bot (pid ${pid}) is using the local store in ${dataFolder}: stop it first, or give this one its own DATA_DIR (bots share state only through a storage account).`,
    );
    this.name = 'DataFolderInUseError';
  }
}

/**
 * Opens the configured storage account; with none configured, the embedded Azurite in `dataFolder`.
 * One process runs that Azurite and records itself in `owner.json`. Another bot on the same folder is
 * refused; a tool such as the rules CLI (`joinRunning`) uses the running Azurite, so what it writes is
 * what the running bot reads.
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
          { ...setting, credential: new DefaultAzureCredential() }
        : setting;
    const description =
      setting.kind === 'connection-string'
        ? 'the account of AZURE_TABLES_CONNECTION_STRING'
        : `${setting.accountUrl} with ${setting.kind === 'sas' ? 'a SAS token' : 'Microsoft Entra ID'}`;
    return { access, description, embeddedPort: null, close: async () => {} };
  }
  const folder = join(dataFolder, 'azurite');
  mkdirSync(folder, { recursive: true });
  const ownerFile = join(folder, 'owner.json');
  while (!claimFolder(ownerFile)) {
    const owner = liveOwner(ownerFile);
    if (owner === null) continue; // it stopped meanwhile: claim again
    if (!options.joinRunning) throw new DataFolderInUseError(dataFolder, owner.pid);
    if (owner.port === 0) {
      await setTimeout(200); // it is starting its Azurite: wait for the port
      continue;
    }
    return {
      access: { kind: 'connection-string', connectionString: azuriteConnectionString(owner.port) },
      description: `the embedded Azurite of pid ${owner.pid} (${folder})`,
      embeddedPort: null,
      close: async () => {},
    };
  }
  const azurite = await startEmbeddedAzurite({ dataFolder: folder }).catch((error: unknown) => {
    rmSync(ownerFile, { force: true });
    throw error;
  });
  writeFileSync(ownerFile, JSON.stringify({ pid: process.pid, port: azurite.port }));
  return {
    access: { kind: 'connection-string', connectionString: azurite.connectionString },
    description: `an embedded Azurite in ${folder}`,
    embeddedPort: azurite.port,
    async close() {
      // Azurite writes its files on close (and every few seconds before): a stop loses nothing.
      await azurite.close();
      rmSync(ownerFile, { force: true });
    },
  };
}

/**
 * Records this process as the folder's owner, atomically (exclusive create), so two bots started at
 * the same moment cannot both run an Azurite on it. A file left by a dead process is removed first.
 */
function claimFolder(ownerFile: string): boolean {
  if (existsSync(ownerFile) && liveOwner(ownerFile) === null) rmSync(ownerFile, { force: true });
  try {
    writeFileSync(ownerFile, JSON.stringify({ pid: process.pid, port: 0 }), { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * The process recorded in `owner.json`, if it is still alive (a killed owner leaves a stale file). A
 * file just created and not yet written reads as a starting owner for a few seconds.
 */
function liveOwner(ownerFile: string): { pid: number; port: number } | null {
  let owner: { pid?: unknown; port?: unknown };
  try {
    owner = JSON.parse(readFileSync(ownerFile, 'utf8')) as typeof owner;
  } catch {
    const justCreated = existsSync(ownerFile) && Date.now() - statSync(ownerFile).mtimeMs < 5_000;
    return justCreated ? { pid: 0, port: 0 } : null;
  }
  if (typeof owner.pid !== 'number' || typeof owner.port !== 'number') return null;
  try {
    process.kill(owner.pid, 0);
    return { pid: owner.pid, port: owner.port };
  } catch (error) {
    // EPERM: it exists but belongs to someone else; still alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? { pid: owner.pid, port: owner.port } : null;
  }
}
