import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AzureNamedKeyCredential, generateAccountSas } from '@azure/data-tables';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { AZURITE_ACCOUNT_KEY, startEmbeddedAzurite } from '../../src/stores/azure/embedded-azurite.ts';
import { insertLeads, leadColumns } from '../fixtures/lead-rows.ts';
import { healthOf, startBotProcess } from '../support/bot-process.ts';
import { createFakeSlack } from '../support/fake-slack.ts';
import { createTestBot, leadTableClient, processEnv, uniqueTables } from '../support/test-bot.ts';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const azuriteAccountUrl = () => {
  const port = /:(\d+)\//.exec(inject('azureConnectionString'))?.[1];
  return `http://127.0.0.1:${port}/devstoreaccount1`;
};

describe('storage by account URL and SAS token (AZURE_TABLES_ACCOUNT_URL + AZURE_TABLES_SAS_TOKEN)', () => {
  const sasToken = (permissions: string) =>
    generateAccountSas(new AzureNamedKeyCredential('devstoreaccount1', AZURITE_ACCOUNT_KEY), {
      expiresOn: new Date(Date.now() + 3_600_000),
      permissions: {
        query: permissions.includes('r'),
        write: permissions.includes('w'),
        add: permissions.includes('a'),
        update: permissions.includes('u'),
        delete: permissions.includes('d'),
        list: permissions.includes('l'),
      },
      resourceTypes: 'sco',
    });

  it('posts leads with a SAS token and no account key', async () => {
    const slack = await createFakeSlack();
    cleanups.push(() => slack.close());
    const tables = uniqueTables();
    const bot = await createTestBot({
      slack,
      tables,
      env: {
        AZURE_TABLES_CONNECTION_STRING: '',
        AZURE_TABLES_ACCOUNT_URL: azuriteAccountUrl(),
        AZURE_TABLES_SAS_TOKEN: `?${sasToken('rwaudl')}`,
      },
    });
    cleanups.push(() => bot.stop());
    await bot.start();
    const keys = await insertLeads(leadTableClient(tables), [leadColumns(), leadColumns()]);

    await bot.jobs.poll();

    expect(slack.messages.filter((m) => m.metadata !== undefined)).toHaveLength(keys.length);
    expect(bot.health.report()).toMatchObject({ status: 'ok', ready: true });
  });

  it('a SAS token that may only read is reported as a storage problem, not a crash', async () => {
    const slack = await createFakeSlack();
    cleanups.push(() => slack.close());
    const bot = await createTestBot({
      slack,
      tables: uniqueTables(),
      env: {
        AZURE_TABLES_CONNECTION_STRING: '',
        AZURE_TABLES_ACCOUNT_URL: azuriteAccountUrl(),
        AZURE_TABLES_SAS_TOKEN: sasToken('rl'),
      },
    });
    cleanups.push(() => bot.stop());
    await bot.start();

    await expect(bot.jobs.poll()).rejects.toThrow();

    const report = bot.health.report();
    expect(report).toMatchObject({ status: 'degraded', ready: false });
    expect(JSON.stringify(report.problems)).toMatch(
      /the table service answered 403 AuthorizationPermissionMismatch: This request is not authorized/,
    );
  });
});

describe('storage by Microsoft Entra ID (AZURE_TABLES_ACCOUNT_URL alone)', () => {
  /** A self-signed certificate for 127.0.0.1, which the bot process is told to trust. */
  function certificate(folder: string) {
    const certPath = join(folder, 'cert.pem');
    const keyPath = join(folder, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        keyPath,
        '-out',
        certPath,
      ],
      { stdio: 'ignore' },
    );
    return { certPath, keyPath };
  }

  /** An unsigned token with the claims Azurite checks (issuer, audience, lifetime). */
  function accessToken(audience: string) {
    const now = Math.floor(Date.now() / 1000);
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    return `${part({ alg: 'none', typ: 'JWT' })}.${part({
      aud: audience,
      iss: 'https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/',
      iat: now,
      nbf: now - 60,
      exp: now + 3600,
      oid: '00000000-0000-0000-0000-000000000001',
    })}.`;
  }

  /**
   * The managed identity endpoint Azure App Service and Container Apps give a process
   * (IDENTITY_ENDPOINT + IDENTITY_HEADER), as DefaultAzureCredential finds it there.
   */
  async function managedIdentityEndpoint(audience: string): Promise<{ url: string; requests: string[] }> {
    const requests: string[] = [];
    const server: Server = createServer((request, response) => {
      requests.push(`${request.url} header=${request.headers['x-identity-header']}`);
      response.setHeader('content-type', 'application/json');
      response.end(
        JSON.stringify({
          access_token: accessToken(audience),
          expires_on: String(Math.floor(Date.now() / 1000) + 3600),
          resource: 'https://storage.azure.com',
          token_type: 'Bearer',
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/msi/token`, requests };
  }

  async function botWithManagedIdentity(audience: string) {
    const folder = mkdtempSync(join(tmpdir(), 'entra-'));
    const https = certificate(folder);
    const azurite = await startEmbeddedAzurite({ https });
    cleanups.push(() => azurite.close());
    const identity = await managedIdentityEndpoint(audience);
    const slack = await createFakeSlack();
    cleanups.push(() => slack.close());
    const tables = uniqueTables();
    const bot = startBotProcess({
      ...processEnv(slack, tables),
      // This HTTPS Azurite, by Entra ID: no connection string (an empty setting is an absent one).
      AZURE_TABLES_CONNECTION_STRING: '',
      AZURE_TABLES_ACCOUNT_URL: `https://127.0.0.1:${azurite.port}/devstoreaccount1`,
      IDENTITY_ENDPOINT: identity.url,
      IDENTITY_HEADER: 'identity-secret',
      NODE_EXTRA_CA_CERTS: https.certPath,
      PORT: '0',
    });
    cleanups.push(() => bot.child.kill('SIGKILL'));
    return { bot, identity };
  }

  it('gets a token from the managed identity endpoint and becomes ready with it', {
    timeout: 30_000,
  }, async () => {
    const { bot, identity } = await botWithManagedIdentity('https://storage.azure.com');

    const url = await bot.ready;

    await vi.waitFor(
      async () => expect(await healthOf(url)).toMatchObject({ status: 200, body: { ready: true } }),
      {
        timeout: 15_000,
        interval: 250,
      },
    );
    expect(identity.requests[0]).toMatch(
      /resource=https%3A%2F%2Fstorage\.azure\.com.*header=identity-secret/,
    );
  });

  it('a token the table service refuses leaves the bot unready, with the reason', {
    timeout: 30_000,
  }, async () => {
    const { bot } = await botWithManagedIdentity('https://vault.azure.net');

    const url = await bot.ready;

    await vi.waitFor(
      async () => {
        const health = await healthOf(url);
        expect(health.status).toBe(503);
        expect(JSON.stringify(health.body.problems)).toMatch(
          /the table service answered 403 AuthenticationFailed: .*\(.*audience.*\)/i,
        );
      },
      { timeout: 20_000, interval: 250 },
    );
  });
});
