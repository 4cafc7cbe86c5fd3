import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on a fixed local port in front of the test Azurite: `down()` closes the port (connections
 * are refused, as when the table service is unreachable) and `up()` opens it again. Azurite itself keeps
 * running: it is not durable across its own restarts, so outages are made here.
 */
export interface TcpProxy {
  readonly port: number;
  up(): Promise<void>;
  down(): Promise<void>;
}

export async function createTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const serve = () =>
    createServer((client) => {
      const upstream = connect(targetPort, '127.0.0.1');
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
  const listen = (server: Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  // Take a free port, then give it back: the proxy starts down, on a port nothing else listens on.
  const probe = serve();
  const port = await listen(probe, 0);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  let server: Server | null = null;
  return {
    port,
    async up() {
      if (server) return;
      server = serve();
      await listen(server, port);
    },
    async down() {
      const closing = server;
      server = null;
      if (!closing) return;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => closing.close(() => resolve()));
    },
  };
}
