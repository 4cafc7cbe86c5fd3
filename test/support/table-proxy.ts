import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP proxy in front of Azurite's table endpoint, for stand-ins that watch or reshape its traffic. */
export interface TableProxy {
  /** Azurite's connection string with the proxy in place of its endpoint. */
  readonly connectionString: string;
  close(): Promise<void>;
}

/**
 * Starts a proxy for the Azurite of `azurite` (a connection string). Each request is shown to `inspect`
 * first, with its URL (path and query, which it may change): it returns true when it answered the
 * request itself, false to have it forwarded as the URL now says, or a promise to have it forwarded
 * once the promise settles (a request held back, to order it after others).
 */
export async function startTableProxy(
  azurite: string,
  inspect: (req: IncomingMessage, url: URL, res: ServerResponse) => boolean | Promise<void>,
): Promise<TableProxy> {
  const target = new URL(/TableEndpoint=(http:\/\/[^;]+?)\/devstoreaccount1/.exec(azurite)?.[1] ?? '');
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const inspected = inspect(req, url, res);
    if (inspected === true) return;
    if (inspected !== false) await inspected;
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
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
