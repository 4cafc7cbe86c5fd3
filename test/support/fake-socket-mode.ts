import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

/** Slack's Socket Mode end: a WebSocket server that greets each connection with `hello`, as Slack does. */
export interface FakeSocketMode {
  /** What apps.connections.open answers with. */
  readonly url: string;
  /** Connections opened so far. */
  connections(): number;
  /** Closes every connection and refuses new ones until `restore` (Slack or the network down). */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function createFakeSocketMode(): Promise<FakeSocketMode> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  let opened = 0;
  let refusing = false;
  server.on('connection', (socket) => {
    if (refusing) {
      socket.close(1011, 'unavailable');
      return;
    }
    opened += 1;
    socket.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0001' } }));
  });
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    connections: () => opened,
    cut() {
      refusing = true;
      for (const client of server.clients) client.terminate();
    },
    restore() {
      refusing = false;
    },
    close: () =>
      new Promise((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}
