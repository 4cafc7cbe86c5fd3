import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedAzurite } from '../../src/stores/azure/embedded-azurite.ts';
import {
  DataFolderInUseError,
  type OpenedStorage,
  openStorage,
} from '../../src/stores/azure/open-storage.ts';

const opened: OpenedStorage[] = [];
afterEach(async () => {
  for (const storage of opened.splice(0).reverse()) await storage.close();
});

async function dataFolder(ownerFile?: (path: string) => void): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'leadbot-lock-'));
  mkdirSync(join(folder, 'azurite'));
  ownerFile?.(join(folder, 'azurite', 'owner.json'));
  return folder;
}

const open = async (folder: string, joinRunning = false) => {
  const storage = await openStorage(null, folder, { joinRunning });
  opened.push(storage);
  return storage;
};

/** A port nothing listens on: one the OS just gave and took back. */
async function closedPort(): Promise<number> {
  const azurite = await startEmbeddedAzurite();
  await azurite.close();
  return azurite.port;
}

describe('the local store lock: the owner’s live Azurite, never the file’s word', () => {
  it.each([
    ['pid 1 (a container’s first process)', 1],
    ['pid 0', 0],
    ['pid -1', -1],
    ['this very process’s pid', process.pid],
  ])('is not held by an owner file naming %s with a port nobody answers on', async (_, pid) => {
    const port = await closedPort();
    const folder = await dataFolder((path) =>
      writeFileSync(path, JSON.stringify({ pid, port, secret: 'forged', claimedAt: Date.now() })),
    );
    expect((await open(folder)).embeddedPort).toEqual(expect.any(Number));
  });

  it('is not held by a dangling symlink (removed, not followed)', async () => {
    const folder = await dataFolder((path) => symlinkSync(join(tmpdir(), 'nowhere', 'owner.json'), path));
    expect((await open(folder)).embeddedPort).toEqual(expect.any(Number));
  });

  it('is not held by an Azurite that is not the owner’s (a reused port)', async () => {
    const stranger = await startEmbeddedAzurite();
    const folder = await dataFolder((path) =>
      writeFileSync(
        path,
        JSON.stringify({ pid: 4242, port: stranger.port, secret: 'not-its', claimedAt: Date.now() }),
      ),
    );
    try {
      expect((await open(folder)).embeddedPort).not.toBe(stranger.port);
    } finally {
      await stranger.close();
    }
  });

  it('lapses when its owner died while starting (port 0 for over 30 s), so no tool waits for ever', async () => {
    const folder = await dataFolder((path) =>
      writeFileSync(
        path,
        JSON.stringify({ pid: 4242, port: 0, secret: 's', claimedAt: Date.now() - 60_000 }),
      ),
    );
    expect((await open(folder, true)).embeddedPort).toEqual(expect.any(Number));
  });

  it('is held while its owner lives: a second bot is refused, a tool joins the owner’s Azurite', async () => {
    const folder = await dataFolder();
    const owner = await open(folder);
    await expect(openStorage(null, folder, { joinRunning: false })).rejects.toBeInstanceOf(
      DataFolderInUseError,
    );
    const tool = await open(folder, true);
    expect(tool.embeddedPort).toBeNull();
    expect(tool.access).toMatchObject({
      connectionString: expect.stringContaining(`:${owner.embeddedPort}/`),
    });
  });
});
