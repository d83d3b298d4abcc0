// A minimal Socket Mode server for the fake Slack: `apps.connections.open` hands out a ws:// URL on the same
// port; the server says hello, sends envelopes and collects the app's acks. Hand-rolled RFC 6455 framing
// (text, ping/pong, close) — enough for Slack's Socket Mode client, nothing more.
import { createHash } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

function frame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, len]) : len < 65536 ? Buffer.from([0x80 | opcode, 126, len >> 8, len & 255]) : (() => {
    const b = Buffer.alloc(10);
    b[0] = 0x80 | opcode;
    b[1] = 127;
    b.writeBigUInt64BE(BigInt(len), 2);
    return b;
  })();
  return Buffer.concat([head, payload]);
}

export interface SocketAck {
  envelope_id: string;
  payload?: Record<string, unknown>;
}

export class FakeSocketMode {
  readonly acks: SocketAck[] = [];
  private sockets = new Set<Duplex>();
  private connectedResolvers: Array<() => void> = [];

  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex) => this.upgrade(req, socket));
  }

  get connections(): number {
    return this.sockets.size;
  }

  /** Resolves once an app has connected and been greeted. */
  connected(): Promise<void> {
    if (this.sockets.size > 0) return Promise.resolve();
    return new Promise((resolve) => this.connectedResolvers.push(resolve));
  }

  send(message: Record<string, unknown>): void {
    const data = frame(0x1, Buffer.from(JSON.stringify(message)));
    for (const s of this.sockets) s.write(data);
  }

  close(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  private upgrade(req: IncomingMessage, socket: Duplex): void {
    const key = req.headers['sec-websocket-key'];
    if (typeof key !== 'string') {
      socket.destroy();
      return;
    }
    const accept = createHash('sha1').update(key + GUID).digest('base64');
    socket.write(['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${accept}`, '', ''].join('\r\n'));
    this.sockets.add(socket);
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (buffer.length < 2) return;
        const opcode = buffer[0]! & 0x0f;
        const masked = (buffer[1]! & 0x80) !== 0;
        let len = buffer[1]! & 0x7f;
        let offset = 2;
        if (len === 126) {
          if (buffer.length < 4) return;
          len = buffer.readUInt16BE(2);
          offset = 4;
        } else if (len === 127) {
          if (buffer.length < 10) return;
          len = Number(buffer.readBigUInt64BE(2));
          offset = 10;
        }
        const maskLen = masked ? 4 : 0;
        if (buffer.length < offset + maskLen + len) return;
        const mask = masked ? buffer.subarray(offset, offset + 4) : undefined;
        const payload = Buffer.from(buffer.subarray(offset + maskLen, offset + maskLen + len));
        if (mask) for (let i = 0; i < payload.length; i += 1) payload[i] = payload[i]! ^ mask[i % 4]!;
        buffer = buffer.subarray(offset + maskLen + len);
        if (opcode === 0x1) {
          try {
            this.acks.push(JSON.parse(payload.toString('utf8')) as SocketAck);
          } catch {
            // ignore
          }
        } else if (opcode === 0x9) socket.write(frame(0xa, payload));
        else if (opcode === 0x8) {
          socket.end(frame(0x8, Buffer.alloc(0)));
          this.sockets.delete(socket);
          return;
        }
      }
    });
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => this.sockets.delete(socket));
    this.send({ type: 'hello', num_connections: 1, debug_info: { host: 'fake', approximate_connection_time: 3600 }, connection_info: { app_id: 'A0APP' } });
    const waiters = this.connectedResolvers;
    this.connectedResolvers = [];
    waiters.forEach((w) => w());
  }
}
