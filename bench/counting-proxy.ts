import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A proxy between the bot and Azurite that counts what the real Azure Table service would read to
 * answer each entity query: the whole table for a filter without `PartitionKey eq '…'`, that partition
 * for one with it (the service indexes only PartitionKey + RowKey). Azurite holds everything in memory
 * and shows none of this. The partition sizes are the ones the benchmark seeded.
 */
export interface CountingProxy {
  readonly connectionString: string;
  /** Entities the real service would read, and requests (billed transactions), since the last reset. */
  counts(): { entitiesRead: number; requests: number };
  reset(): void;
  close(): Promise<void>;
}

export async function createCountingProxy(
  azurite: string,
  partitionSizes: () => ReadonlyMap<string, number>,
): Promise<CountingProxy> {
  const target = new URL(/TableEndpoint=(http:\/\/[^;]+?)\/devstoreaccount1/.exec(azurite)?.[1] ?? '');
  let entitiesRead = 0;
  let requests = 0;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    if (req.method === 'GET' && /\/[^/]+\(\)$/.test(url.pathname)) {
      requests += 1;
      const filter = url.searchParams.get('$filter') ?? '';
      const partition = /PartitionKey eq '((?:[^']|'')*)'/.exec(filter)?.[1]?.replaceAll("''", "'");
      const sizes = partitionSizes();
      // A query's later pages continue where the first stopped: what it reads is counted once.
      if (!url.searchParams.has('NextPartitionKey'))
        entitiesRead +=
          partition === undefined
            ? [...sizes.values()].reduce((a, b) => a + b, 0)
            : (sizes.get(partition) ?? 0);
    }
    const forwarded = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: `${url.pathname}${url.search}`,
        headers: { ...req.headers, host: target.host, connection: 'keep-alive' },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.setNoDelay(true);
    forwarded.on('error', () => res.writeHead(502).end());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    connectionString: azurite.replace(target.origin, `http://127.0.0.1:${port}`),
    counts: () => ({ entitiesRead, requests }),
    reset: () => {
      entitiesRead = 0;
      requests = 0;
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
