import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseRequest, REPEATING_METHODS, responseMessage } from '../../../core/protocol/call-socket-messages.js';
import { decodeFrame, encodeFrame, encodeRepeatedFrameParts, joinFrame, type FrameMemory } from '../../../core/protocol/wire.js';
import { CallSocket } from './call-socket.js';

/** Just enough of the browser's WebSocket: it opens on a later task and records what is sent. */
class FakeSocket {
  static readonly OPEN = 1;
  static last: FakeSocket | null = null;
  readyState = 0;
  binaryType = 'blob';
  readonly sent: Uint8Array[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  closedWith: number | null = null;
  /** The host's memory of its last reply per repeating method (core/server/call-socket.ts). */
  private readonly memory = new Map<string, FrameMemory>();
  constructor(readonly url: string) {
    FakeSocket.last = this;
    setTimeout(() => {
      this.readyState = FakeSocket.OPEN;
      this.onopen?.();
    }, 0);
  }
  send(data: Uint8Array) {
    this.sent.push(data);
  }
  close(code: number) {
    this.closedWith = code;
    this.onclose?.();
  }
  /** The server's answer to the request sent `index`th, echoing its params as the result (or `result`), as the host encodes it. */
  answer(index: number, result?: unknown) {
    const request = parseRequest(this.sent[index]);
    if (!request) throw new Error('malformed request');
    const outcome = { ok: true, result: result ?? decodeFrame(request.params) };
    let frame: Uint8Array;
    if (REPEATING_METHODS.has(request.method)) {
      const parts = encodeRepeatedFrameParts(outcome, this.memory.get(request.method) ?? []);
      this.memory.set(request.method, parts.memory);
      frame = joinFrame(parts);
    } else frame = encodeFrame(outcome);
    const reply = responseMessage(request.id, 1.5, 0.25, frame);
    this.onmessage?.({ data: reply.buffer.slice(reply.byteOffset, reply.byteOffset + reply.byteLength) });
    return frame.byteLength;
  }
}

describe('CallSocket (the page end of the call socket)', () => {
  beforeEach(() => vi.stubGlobal('WebSocket', FakeSocket));
  afterEach(() => vi.unstubAllGlobals());

  it('sends on an open socket before call() returns, so the request never waits behind the work the caller does next', async () => {
    const socket = new CallSocket('ws://127.0.0.1/api/socket');
    const first = socket.call('app.info', encodeFrame({}));
    const fake = FakeSocket.last as FakeSocket;
    await vi.waitFor(() => expect(fake.sent).toHaveLength(1));
    fake.answer(0);
    await first;
    void socket.call('plan.run', encodeFrame({ x: new Float32Array([0.5]) }));
    expect(fake.sent).toHaveLength(2);
    expect(parseRequest(fake.sent[1])?.method).toBe('plan.run');
  });

  it('answers each call with its own reply frame, typed arrays viewed in place, and the host timings', async () => {
    const socket = new CallSocket('ws://127.0.0.1/api/socket');
    const a = socket.call('plan.run', encodeFrame({ v: new Float32Array([1, 2]) }));
    const fake = FakeSocket.last as FakeSocket;
    await vi.waitFor(() => expect(fake.sent).toHaveLength(1));
    const b = socket.call('plan.run', encodeFrame({ v: new Float32Array([3]) }));
    fake.answer(1);
    fake.answer(0);
    const [answerA, answerB] = await Promise.all([a, b]);
    expect(answerA?.hostMs).toBe(1.5);
    expect(answerA?.encodeMs).toBe(0.25);
    // plan.run repeats: the socket decoded it on arrival, against its memory of the last reply.
    const resultA = answerA?.decoded?.value as { result: { v: Float32Array } };
    const resultB = answerB?.decoded?.value as { result: { v: Float32Array } };
    expect([...resultA.result.v]).toEqual([1, 2]);
    expect([...resultB.result.v]).toEqual([3]);
    const info = socket.call('app.info', encodeFrame({ x: 1 }));
    fake.answer(2);
    const plain = await info;
    expect(plain?.decoded).toBeUndefined();
    expect(decodeFrame(plain?.frame as Uint8Array)).toEqual({ ok: true, result: { x: 1 } });
  });

  it("reads a replan's arrays that repeat the previous reply (in the order replies arrive), and drops the connection when they cannot be read", async () => {
    const socket = new CallSocket('ws://127.0.0.1/api/socket');
    const scores = new Float32Array(20_000).map((_, i) => i);
    const first = socket.call('plan.run', encodeFrame({}));
    const fake = FakeSocket.last as FakeSocket;
    await vi.waitFor(() => expect(fake.sent).toHaveLength(1));
    const second = socket.call('plan.run', encodeFrame({}));
    // Answered in the other order: the second call's reply carries the scores, the first repeats them.
    const fullBytes = fake.answer(1, { scores, keep: new Uint8Array([1]) });
    const repeatBytes = fake.answer(0, { scores: scores.slice(), keep: new Uint8Array([0]) });
    expect(repeatBytes).toBeLessThan(fullBytes / 10);
    const [a, b] = await Promise.all([first, second]);
    const ra = (a?.decoded?.value as { result: { scores: Float32Array; keep: Uint8Array } }).result;
    const rb = (b?.decoded?.value as { result: { scores: Float32Array; keep: Uint8Array } }).result;
    expect(ra.scores).toEqual(scores);
    expect(rb.scores).toEqual(scores);
    expect([...ra.keep, ...rb.keep]).toEqual([0, 1]);
    expect(a?.receivedAt).toBeGreaterThan(0);

    // A reply that repeats what this end never had: the call fails and the connection is dropped,
    // so that both ends start again with no memory.
    const third = socket.call('plan.run', encodeFrame({}));
    const { id } = parseRequest(fake.sent[2]) as { id: number };
    // Built against a memory of six arrays, the sixth the scores: this end remembers two.
    const elsewhere = [0, 1, 2, 3, 4].map(() => new Uint8Array(0)).concat([new Uint8Array(scores.buffer.slice(0))]);
    const reply = responseMessage(id, 0, 0, joinFrame(encodeRepeatedFrameParts({ ok: true, result: { scores } }, elsewhere)));
    fake.onmessage?.({ data: reply.buffer.slice(reply.byteOffset, reply.byteOffset + reply.byteLength) });
    await expect(third).rejects.toThrow(/previous frame that had no such array/);
    expect(fake.closedWith).toBe(1002);
  });

  it('fails the calls in flight when the connection closes, and falls back (null) when it never opened', async () => {
    const socket = new CallSocket('ws://127.0.0.1/api/socket');
    const pending = socket.call('plan.run', encodeFrame({}));
    const fake = FakeSocket.last as FakeSocket;
    await vi.waitFor(() => expect(fake.sent).toHaveLength(1));
    fake.onclose?.();
    await expect(pending).rejects.toThrow(/closed during the call/);

    const refused = new CallSocket('ws://127.0.0.1/api/socket');
    const call = refused.call('app.info', encodeFrame({}));
    const never = FakeSocket.last as FakeSocket;
    never.onopen = null;
    never.onclose?.();
    expect(await call).toBeNull();
    expect(await refused.call('app.info', encodeFrame({}))).toBeNull();
  });
});
