import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseRequest, responseMessage } from '../../../core/protocol/call-socket-messages.js';
import { decodeFrame, encodeFrame } from '../../../core/protocol/wire.js';
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
  /** The server's answer to the request sent `index`th, echoing its params as the result. */
  answer(index: number) {
    const request = parseRequest(this.sent[index]);
    if (!request) throw new Error('malformed request');
    const reply = responseMessage(request.id, 1.5, 0.25, encodeFrame({ ok: true, result: decodeFrame(request.params) }));
    this.onmessage?.({ data: reply.buffer.slice(reply.byteOffset, reply.byteOffset + reply.byteLength) });
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
    const resultA = decodeFrame(answerA?.frame as Uint8Array) as { result: { v: Float32Array } };
    const resultB = decodeFrame(answerB?.frame as Uint8Array) as { result: { v: Float32Array } };
    expect([...resultA.result.v]).toEqual([1, 2]);
    expect([...resultB.result.v]).toEqual([3]);
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
