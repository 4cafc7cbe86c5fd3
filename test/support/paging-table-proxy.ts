import { startTableProxy } from './table-proxy.ts';

/**
 * An HTTP stand-in in front of Azurite that pages entity queries the way the real Table service may:
 * every page of entities is preceded by an empty page that carries only a continuation token, and pages
 * hold at most `pageSize` entities. Azurite never does either (it pages only at 1,000 and never returns
 * an empty page). Everything else is passed through unchanged.
 */
export interface PagingTableProxy {
  readonly connectionString: string;
  /** Query requests seen (billed transactions on the real service), empty pages included. */
  readonly queries: () => number;
  readonly emptyPages: () => number;
  close(): Promise<void>;
}

const EMPTY_MARKER = 'empty.';

export async function createPagingTableProxy(azurite: string, pageSize = 2): Promise<PagingTableProxy> {
  let queries = 0;
  let emptyPages = 0;
  const proxy = await startTableProxy(azurite, (req, url, res) => {
    if (req.method !== 'GET' || !/\/[^/]+\(\)$/.test(url.pathname)) return false;
    queries += 1;
    const next = url.searchParams.get('NextPartitionKey');
    if (next === null || !next.startsWith(EMPTY_MARKER)) {
      // An empty page first, whose token leads to the real page the request asked for.
      emptyPages += 1;
      res.writeHead(200, {
        'content-type': 'application/json;odata=minimalmetadata',
        'x-ms-continuation-NextPartitionKey': `${EMPTY_MARKER}${next ?? ''}`,
        'x-ms-continuation-NextRowKey': url.searchParams.get('NextRowKey') ?? 'start',
      });
      res.end(JSON.stringify({ value: [] }));
      return true;
    }
    const original = next.slice(EMPTY_MARKER.length);
    if (original === '') {
      url.searchParams.delete('NextPartitionKey');
      url.searchParams.delete('NextRowKey');
    } else url.searchParams.set('NextPartitionKey', original);
    if (!url.searchParams.has('$top')) url.searchParams.set('$top', String(pageSize));
    return false;
  });
  return { ...proxy, queries: () => queries, emptyPages: () => emptyPages };
}
