import { randomBytes } from 'node:crypto';
import { lstatSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout } from 'node:timers/promises';
import { TableClient } from '@azure/data-tables';
import { azuriteConnectionString } from './embedded-azurite.ts';

/**
 * Who runs the embedded Azurite of a data folder. The proof is the Azurite itself: while its owner lives,
 * its port answers with the owner's secret (a marker entity written at start); when the owner dies, the
 * operating system closes the port. `owner.json` only says where to look: its pid is for messages, and a
 * file naming a dead process, a reused pid, pid 0 or 1, a port nobody answers on, or a symlink to nowhere
 * never locks anyone out.
 */
export interface LocalStoreOwner {
  readonly pid: number;
  readonly port: number;
}

export type Claim =
  /** The folder is ours: start its Azurite, then `announce` its port. */
  | { readonly kind: 'claimed'; announce(port: number): Promise<void>; release(): void }
  /** Another live process runs the folder's Azurite (its port answered with its secret). */
  | { readonly kind: 'owned'; readonly owner: LocalStoreOwner };

interface OwnerFile {
  readonly pid: number;
  /** 0 while its Azurite is starting. */
  readonly port: number;
  readonly secret: string;
  /** When the claim was made (ms since the epoch), so a claim whose process died while starting lapses. */
  readonly claimedAt: number;
}

/** An owner still starting its Azurite after this long died while starting: its claim lapses. */
const STARTING_GRACE_MS = 30_000;
/** How long a live Azurite may take to answer the question "whose are you?". */
const ANSWER_TIMEOUT_MS = 2_000;
const MARKER = { table: 'LeadbotLocalOwner', partitionKey: 'owner', rowKey: 'owner' };

const markerTable = (port: number) =>
  TableClient.fromConnectionString(azuriteConnectionString(port), MARKER.table, {
    allowInsecureConnection: true,
    retryOptions: { maxRetries: 0 },
  });

/** Whether the Azurite on `port` (if any) is the one that wrote `secret`. */
async function answersWith(port: number, secret: string): Promise<boolean> {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) return false;
  try {
    const marker = await markerTable(port).getEntity<{ secret: string }>(MARKER.partitionKey, MARKER.rowKey, {
      abortSignal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
    });
    return marker.secret === secret;
  } catch {
    return false; // nobody listens, another program does, or an Azurite without our marker
  }
}

/** The owner file as written, null when there is none; a file that is not a regular file is removed. */
function readOwnerFile(path: string): { text: string; owner: OwnerFile | null; ageMs: number } | null {
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(path);
  } catch {
    return null;
  }
  if (stat.isSymbolicLink()) {
    rmSync(path, { force: true }); // removes the link, never what it points to: the bot writes a file
    return null;
  }
  if (!stat.isFile()) throw new Error(`${path} is not a file: remove it, then start the bot again.`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  const ageMs = Date.now() - stat.mtimeMs;
  try {
    const raw = JSON.parse(text) as Partial<OwnerFile>;
    const valid =
      typeof raw.pid === 'number' &&
      typeof raw.port === 'number' &&
      typeof raw.secret === 'string' &&
      typeof raw.claimedAt === 'number';
    return { text, owner: valid ? (raw as OwnerFile) : null, ageMs };
  } catch {
    return { text, owner: null, ageMs };
  }
}

/** Removes the owner file only if it still says `text`: a fresh claim written meanwhile stays. */
function removeIfUnchanged(path: string, text: string): void {
  const now = readOwnerFile(path);
  if (now !== null && now.text === text) rmSync(path, { force: true });
}

/**
 * Claims the data folder whose owner file is `path`, or finds its live owner. A starting owner is waited
 * for (up to STARTING_GRACE_MS from its claim); everything else is decided at once.
 */
export async function claimLocalStore(path: string): Promise<Claim> {
  const secret = randomBytes(16).toString('hex');
  for (;;) {
    const found = readOwnerFile(path);
    if (found === null) {
      const mine: OwnerFile = { pid: process.pid, port: 0, secret, claimedAt: Date.now() };
      try {
        writeFileSync(path, JSON.stringify(mine), { flag: 'wx' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue; // claimed meanwhile: look again
        throw error;
      }
      return claimed(path, mine);
    }
    const { owner, text, ageMs } = found;
    if (owner === null) {
      // Being written by a starting owner (a few milliseconds), or garbage.
      if (ageMs < 1_000) await setTimeout(100);
      else removeIfUnchanged(path, text);
      continue;
    }
    if (owner.port === 0) {
      const startingFor = Date.now() - owner.claimedAt;
      if (startingFor >= 0 && startingFor < STARTING_GRACE_MS) {
        await setTimeout(200);
        continue;
      }
      removeIfUnchanged(path, text);
      continue;
    }
    if (await answersWith(owner.port, owner.secret)) return { kind: 'owned', owner };
    removeIfUnchanged(path, text);
  }
}

function claimed(path: string, mine: OwnerFile): Claim {
  const text = JSON.stringify(mine);
  let current = text;
  return {
    kind: 'claimed',
    async announce(port) {
      const marker = markerTable(port);
      await marker.createTable();
      await marker.upsertEntity(
        { partitionKey: MARKER.partitionKey, rowKey: MARKER.rowKey, secret: mine.secret },
        'Replace',
      );
      current = JSON.stringify({ ...mine, port });
      writeFileSync(path, current);
    },
    release() {
      removeIfUnchanged(path, current);
    },
  };
}
