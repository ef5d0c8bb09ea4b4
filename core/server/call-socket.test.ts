import { request } from 'node:http';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStudioServer } from '../../test-support/studio-server.js';
import { requestMessage } from '../protocol/call-socket-messages.js';
import { decodeFrame, decodeRepeatedFrame, encodeFrame, MIN_REPEATED_ARRAY_BYTES } from '../protocol/wire.js';
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
      call: async () => ({ outcome: { ok: true, result: { scores } }, hostMs: 2 }),
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
    // plan.run repeats from call to call: its frames carry their arrays' memory indices.
    expect(() => decodeFrame(new Uint8Array(payload.subarray(24)))).toThrow(/stream memory/);
    const outcome = decodeRepeatedFrame(new Uint8Array(payload.subarray(24)), []).value as { result: { scores: Float32Array } };
    expect(outcome.result.scores).toEqual(scores);
  });

  it("sends a replan's unchanged arrays as references to the previous reply of the same method, which the page's memory resolves", async () => {
    const messages: Buffer[] = [];
    let pending = Buffer.alloc(0);
    const fake = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, done) {
        pending = Buffer.concat([pending, chunk]);
        done();
      },
    });
    const req = { headers: { 'sec-websocket-version': '13', 'sec-websocket-key': KEY } } as unknown as IncomingMessage;
    const scores = new Float32Array(40_000).map((_, i) => i / 7);
    const keep = new Uint8Array(8_000).fill(1);
    const small = new Uint8Array(MIN_REPEATED_ARRAY_BYTES - 1);
    // The planner may reuse its buffers: the second reply's `keep` is the first one's, changed in place.
    const replies = [
      () => ({ scores, keep, small }),
      () => ({ scores: scores.slice(), keep: keep.fill(0, 0, 10), small }),
      () => ({ scores: new Float32Array(40_000), keep, small }),
    ];
    let n = 0;
    handleCallSocketUpgrade(req, fake, Buffer.alloc(0), new URL('http://127.0.0.1/api/socket'), {
      refusal: () => null,
      call: async (method) => ({ outcome: { ok: true, result: method === 'plan.run' ? replies[n++]() : { scores } }, hostMs: 1 }),
    });
    const handshake = async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      pending = pending.subarray(pending.indexOf('\r\n\r\n') + 4);
    };
    await handshake();
    /** The payload of the next whole server message written so far. */
    const next = async (id: number, method: string) => {
      fake.push(clientFrame(0x2, callMessage(id, method, {})));
      await new Promise((resolve) => setTimeout(resolve, 20));
      const length = pending[1] === 127 ? Number(pending.readBigUInt64BE(2)) : pending[1] === 126 ? pending.readUInt16BE(2) : pending[1];
      const at = pending[1] === 127 ? 10 : pending[1] === 126 ? 4 : 2;
      const payload = pending.subarray(at, at + length);
      pending = pending.subarray(at + length);
      messages.push(payload);
      return new Uint8Array(payload.subarray(24));
    };
    const first = decodeRepeatedFrame(await next(1, 'plan.run'), []);
    // Another method in between neither uses nor disturbs plan.run's memory.
    const other = await next(2, 'clip.data');
    expect((decodeFrame(other) as { result: { scores: Float32Array } }).result.scores).toEqual(scores);
    const secondBytes = await next(3, 'plan.run');
    const second = decodeRepeatedFrame(secondBytes, first.memory);
    const third = decodeRepeatedFrame(await next(4, 'plan.run'), second.memory);
    const r1 = (first.value as { result: ReturnType<(typeof replies)[0]> }).result;
    const r2 = (second.value as { result: ReturnType<(typeof replies)[0]> }).result;
    const r3 = (third.value as { result: ReturnType<(typeof replies)[0]> }).result;
    expect(r1.scores).toEqual(scores);
    expect(r2.scores).toEqual(scores);
    expect([...r2.keep.subarray(0, 12)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
    expect([...r1.keep.subarray(0, 2)]).toEqual([1, 1]); // what the first reply said, not the buffer's later state
    expect(r3.scores).toEqual(new Float32Array(40_000));
    expect(r3.keep).toEqual(r2.keep);
    // The second reply carried only the changed mask and the small array, not the unchanged scores.
    expect(secondBytes.byteLength).toBeLessThan(8_000 + MIN_REPEATED_ARRAY_BYTES + 1_000);
    expect(messages[0].byteLength).toBeGreaterThan(160_000);
    // A page without that memory (a new socket) cannot read a frame that repeats: it is refused, not misread.
    expect(() => decodeRepeatedFrame(secondBytes, [])).toThrow(/previous frame that had no such array/);
  });
});
