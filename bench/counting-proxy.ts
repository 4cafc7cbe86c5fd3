import { startTableProxy } from '../test/support/table-proxy.ts';

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
  let entitiesRead = 0;
  let requests = 0;
  const proxy = await startTableProxy(azurite, (req, url) => {
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
    return false;
  });
  return {
    ...proxy,
    counts: () => ({ entitiesRead, requests }),
    reset: () => {
      entitiesRead = 0;
      requests = 0;
    },
  };
}
