// A TCP proxy in front of a Redis that holds back the connections with a given client name: what such a client
// sends from its CLIENT SETNAME on (the handshake ioredis sends on connect) waits until `release()`, so that
// client stays unready while the others work. Its connections opened after `release()` pass straight through.
import { createServer, connect, type Socket } from 'node:net';

export interface HoldingProxy {
  url: string;
  /** Resolves when a connection with the name was first held back. */
  held: Promise<void>;
  /** Resolves when its client first gave up a held connection (ioredis reconnects after its command timeout). */
  abandoned: Promise<void>;
  /** Let the held connections go on, and every later one through. */
  release(): void;
  close(): Promise<void>;
}

export async function holdConnectionsNamed(redisPort: number, connectionName: string): Promise<HoldingProxy> {
  // CLIENT SETNAME <name> as RESP on the wire.
  const setname = Buffer.from(`$7\r\nsetname\r\n$${Buffer.byteLength(connectionName)}\r\n${connectionName}\r\n`);
  let released = false;
  const waiting: Array<() => void> = [];
  let onHeld!: () => void;
  let onAbandoned!: () => void;
  const held = new Promise<void>((resolve) => (onHeld = resolve));
  const abandoned = new Promise<void>((resolve) => (onAbandoned = resolve));
  const sockets = new Set<Socket>();

  const server = createServer((client) => {
    const upstream = connect(redisPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined); // the other side is closed with it
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    upstream.pipe(client);

    let pending: Buffer[] | undefined;
    let seen = Buffer.alloc(0); // the tail of what came before, for a name split across reads
    client.on('data', (chunk: Buffer) => {
      if (pending) {
        pending.push(chunk);
        return;
      }
      const text = Buffer.concat([seen, chunk]);
      if (!released && text.includes(setname)) {
        pending = [chunk];
        onHeld();
        client.on('close', () => !released && onAbandoned());
        waiting.push(() => {
          if (!client.destroyed) upstream.write(Buffer.concat(pending!));
          pending = undefined;
        });
        return;
      }
      seen = text.subarray(Math.max(0, text.length - setname.length));
      upstream.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };

  return {
    url: `redis://127.0.0.1:${port}`,
    held,
    abandoned,
    release() {
      released = true;
      for (const go of waiting.splice(0)) go();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
