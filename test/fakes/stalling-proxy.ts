/**
 * A TCP proxy to a real server (PostgreSQL, Redis) that can be made to stall: after `stall()` it keeps every
 * connection open and forwards nothing more, in either direction, and accepts new connections that it never
 * answers - as a frozen server or a dead network path does, where nothing is refused and nothing arrives.
 * After `refuse()` it drops every connection and stops listening, so that connections are refused - as while the
 * server restarts - until `resume()` listens on the same port again.
 */
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export interface StallingProxy {
  readonly port: number;
  stall(): void;
  refuse(): Promise<void>;
  resume(): Promise<void>;
  close(): Promise<void>;
}

export async function startStallingProxy(
  targetPort: number,
  targetHost = '127.0.0.1',
): Promise<StallingProxy> {
  let stalled = false;
  const sockets = new Set<Socket>();
  const track = (socket: Socket): Socket => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    return socket;
  };
  const server = createServer((client) => {
    track(client);
    if (stalled) return;
    const upstream = track(connect(targetPort, targetHost));
    client.on('data', (chunk) => {
      if (!stalled) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!stalled) client.write(chunk);
    });
    // Until it stalls, a connection closed on one side is closed on the other, as without the proxy.
    client.on('close', () => {
      if (!stalled) upstream.destroy();
    });
    upstream.on('close', () => {
      if (!stalled) client.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    stall() {
      stalled = true;
    },
    async refuse() {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    async resume() {
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
