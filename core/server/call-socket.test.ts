import { request } from 'node:http';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStudioServer } from '../../test-support/studio-server.js';
import { requestMessage } from '../protocol/call-socket-messages.js';
import { decodeFrame, encodeFrame, encodeFrameParts } from '../protocol/wire.js';
import { acceptKey, frameHeader, handleCallSocketUpgrade, MAX_SOCKET_MESSAGE_BYTES } from './call-socket.js';
import type { RunningStudioServer } from './server.js';

let server: RunningStudioServer;

beforeAll(async () => {
  server = await startTestStudioServer();
});
afterAll(async () => server.close());

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** Opens the upgrade; answers the status and, on 101, the raw socket. */
function upgrade(headers: Record<string, string>, token = server.token): Promise<{ status: number; socket?: Socket }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port: server.port,
      path: `/api/socket?token=${encodeURIComponent(token)}`,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': KEY, ...headers },
    });
    req.on('upgrade', (res, socket) => resolve({ status: res.statusCode ?? 0, socket }));
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
    });
    req.on('error', reject);
    req.end();
  });
}

/** One client frame, masked unless told otherwise (FIN set unless `fin` is false). */
function clientFrame(opcode: number, payload: Uint8Array, options: { fin?: boolean; masked?: boolean } = {}): Buffer {
  const masked = options.masked ?? true;
  const head = frameHeader(opcode, payload.length, { fin: options.fin, masked });
  const mask = Buffer.from([1, 2, 3, 4]);
  const body = Buffer.from(payload);
  if (masked) for (let i = 0; i < body.length; i++) body[i] ^= mask[i & 3];
  return Buffer.concat(masked ? [head, mask, body] : [head, body]);
}

const callMessage = (id: number, method: string, params: unknown) => requestMessage(id, method, encodeFrame(params));

/** Reads server frames until one with `opcode` arrives; answers its payload. */
function nextFrame(socket: Socket, opcode: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        let length = buffered[1] & 0x7f;
        let at = 2;
        if (length === 126) [length, at] = [buffered.readUInt16BE(2), 4];
        else if (length === 127) [length, at] = [Number(buffered.readBigUInt64BE(2)), 10];
        if (buffered.length < at + length) return;
        const op = buffered[0] & 0x0f;
        const payload = buffered.subarray(at, at + length);
        buffered = buffered.subarray(at + length);
        if (op === opcode) {
          socket.off('data', onData);
          return resolve(Buffer.from(payload));
        }
      }
    };
    socket.on('data', onData);
    socket.on('error', reject);
  });
}

describe('call socket (contract calls over one WebSocket)', () => {
  const origin = () => `http://127.0.0.1:${server.port}`;

  it('computes the RFC 6455 accept key', () => {
    expect(acceptKey(KEY)).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('refuses a handshake from another origin, without an origin, or without the right token', async () => {
    expect((await upgrade({ Origin: `http://127.0.0.1:${server.port + 1}` })).status).toBe(403);
    expect((await upgrade({})).status).toBe(403);
    expect((await upgrade({ Origin: origin() }, 'wrong')).status).toBe(403);
    expect((await upgrade({ Origin: origin(), Host: 'evil.example' })).status).toBe(403);
  });

  it('answers calls by id, also when fragmented, and answers a ping', async () => {
    const { status, socket } = await upgrade({ Origin: origin() });
    expect(status).toBe(101);
    const s = socket!;
    s.write(clientFrame(0x9, Buffer.from('hi')));
    expect((await nextFrame(s, 0xa)).toString()).toBe('hi');

    const whole = callMessage(7, 'app.info', {});
    s.write(clientFrame(0x2, whole.subarray(0, 5), { fin: false }));
    s.write(clientFrame(0x0, whole.subarray(5)));
    const reply = await nextFrame(s, 0x2);
    expect(reply.readUInt32LE(0)).toBe(7);
    expect(reply.readDoubleLE(8)).toBeGreaterThanOrEqual(0);
    const outcome = decodeFrame(new Uint8Array(reply.subarray(24))) as { ok: boolean; result: { version: string } };
    expect(outcome.ok).toBe(true);
    expect(outcome.result.version).toBe('test');

    // A contract error travels as an error outcome, the socket stays open.
    s.write(clientFrame(0x2, callMessage(8, 'no.such.method', {})));
    const bad = await nextFrame(s, 0x2);
    expect(bad.readUInt32LE(0)).toBe(8);
    expect((decodeFrame(new Uint8Array(bad.subarray(24))) as { ok: boolean }).ok).toBe(false);
    s.destroy();
  });

  it('closes on an unmasked frame, a text frame and an oversized message', async () => {
    for (const frame of [clientFrame(0x2, callMessage(1, 'app.info', {}), { masked: false }), clientFrame(0x1, Buffer.from('{}'))]) {
      const { socket } = await upgrade({ Origin: origin() });
      socket!.write(frame);
      const close = await nextFrame(socket!, 0x8);
      expect([1002, 1003]).toContain(close.readUInt16BE(0));
      socket!.destroy();
    }
    const { socket } = await upgrade({ Origin: origin() });
    const head = Buffer.alloc(14);
    head[0] = 0x82;
    head[1] = 0x80 | 127;
    head.writeBigUInt64BE(BigInt(MAX_SOCKET_MESSAGE_BYTES + 1), 2);
    socket!.write(head);
    expect((await nextFrame(socket!, 0x8)).readUInt16BE(0)).toBe(1009);
    socket!.destroy();
  });

  it('writes a large answer as one binary message (64-bit length) from the frame parts, its arrays sent uncopied', async () => {
    const written: Buffer[] = [];
    const fake = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, done) {
        written.push(chunk);
        done();
      },
    });
    const scores = new Float32Array(40_000).map((_, i) => i / 7);
    const req = { headers: { 'sec-websocket-version': '13', 'sec-websocket-key': KEY } } as unknown as IncomingMessage;
    handleCallSocketUpgrade(req, fake, Buffer.alloc(0), new URL('http://127.0.0.1/api/socket'), {
      refusal: () => null,
      call: async () => ({ frame: encodeFrameParts({ ok: true, result: { scores } }), hostMs: 2, encodeMs: 0.5 }),
    });
    fake.push(clientFrame(0x2, callMessage(3, 'plan.run', {})));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(written.some((chunk) => chunk.buffer === scores.buffer)).toBe(true);
    const bytes = Buffer.concat(written);
    const frameAt = bytes.indexOf('\r\n\r\n') + 4;
    expect(bytes[frameAt]).toBe(0x82);
    expect(bytes[frameAt + 1]).toBe(127);
    const length = Number(bytes.readBigUInt64BE(frameAt + 2));
    expect(bytes.length).toBe(frameAt + 10 + length);
    const payload = bytes.subarray(frameAt + 10);
    expect(payload.readUInt32LE(0)).toBe(3);
    expect(payload.readDoubleLE(8)).toBe(2);
    const outcome = decodeFrame(new Uint8Array(payload.subarray(24))) as { result: { scores: Float32Array } };
    expect(outcome.result.scores).toEqual(scores);
  });
});
