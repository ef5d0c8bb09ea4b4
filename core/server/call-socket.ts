/**
 * Contract calls over one WebSocket (RFC 6455, binary messages only), next to `/api/call`. A fetch
 * per call costs the page milliseconds of request set-up on every slider move; one open socket
 * does not. Only what the studio needs is implemented: the handshake, masked client frames,
 * fragmentation, ping/pong and close. The messages are core/protocol/call-socket-messages.ts.
 * The handshake is refused unless it comes from the studio's own origin with the token: a
 * WebSocket is not subject to CORS, and another 127.0.0.1 port is the same site for cookies.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { MAX_SOCKET_MESSAGE_BYTES, parseRequest, REPEATING_METHODS, responseHeader } from '../protocol/call-socket-messages.js';
import { encodeFrameParts, encodeRepeatedFrameParts, type FrameMemory, type FrameParts } from '../protocol/wire.js';

export { MAX_SOCKET_MESSAGE_BYTES };

export const CALL_SOCKET_PATH = '/api/socket';
const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** RFC 6455 opcodes. */
export const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

export interface CallSocketOptions {
  /** Why this handshake must be refused (origin, token, host), or null to accept it. */
  refusal(req: IncomingMessage, url: URL): string | null;
  /** Runs one call; answers its outcome (encoded here, as it is written) and the host's time on it. */
  call(method: string, params: Uint8Array): Promise<{ outcome: unknown; hostMs: number }>;
}

export function acceptKey(key: string): string {
  return createHash('sha1').update(key + HANDSHAKE_GUID).digest('base64');
}

function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  socket.end(`HTTP/1.1 ${status} ${status === 403 ? 'Forbidden' : 'Bad Request'}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${message}\n`);
}

/** A frame's first bytes: FIN, opcode, the mask bit and the payload length in its 7/16/64-bit form. */
export function frameHeader(opcode: number, length: number, options: { fin?: boolean; masked?: boolean } = {}): Buffer {
  const head = length < 126 ? Buffer.alloc(2) : length < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = (options.fin === false ? 0 : 0x80) | opcode;
  if (length < 126) head[1] = length;
  else if (length < 65536) {
    head[1] = 126;
    head.writeUInt16BE(length, 2);
  } else {
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(length), 2);
  }
  if (options.masked) head[1] |= 0x80;
  return head;
}

/** Encodes one unmasked server frame. */
export function serverFrame(opcode: number, payload: Uint8Array): Buffer {
  return Buffer.concat([frameHeader(opcode, payload.length), payload]);
}

/** Handles an HTTP upgrade to the call socket: refuses it, or serves calls on it until it closes. */
export function handleCallSocketUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, options: CallSocketOptions): void {
  socket.on('error', () => socket.destroy());
  const refusal = options.refusal(req, url);
  if (refusal) return refuseUpgrade(socket, 403, `forbidden: ${refusal}`);
  const key = req.headers['sec-websocket-key'];
  if (req.headers['sec-websocket-version'] !== '13' || typeof key !== 'string' || key.length > 64) return refuseUpgrade(socket, 400, 'not a WebSocket 13 handshake');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`);

  let buffered: Buffer = head.length > 0 ? Buffer.from(head) : Buffer.alloc(0);
  let fragments: Buffer[] = [];
  let fragmentBytes = 0;
  let closed = false;
  const close = (code: number, reason: string) => {
    if (closed) return;
    closed = true;
    const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
    payload.writeUInt16BE(code, 0);
    payload.write(reason, 2);
    socket.end(serverFrame(OPCODE.close, payload));
  };
  const send = (opcode: number, payload: Uint8Array) => {
    if (!closed && socket.writable) socket.write(serverFrame(opcode, payload));
  };
  /** One binary message from several buffers, in one writev: a plan view's arrays are never copied into a message buffer. */
  const sendParts = (parts: Uint8Array[], byteLength: number) => {
    if (closed || !socket.writable) return;
    socket.cork();
    socket.write(frameHeader(OPCODE.binary, byteLength));
    for (const part of parts) socket.write(part);
    socket.uncork();
  };
  /** Per repeating method, the arrays of its last reply on this socket (the page keeps the same). */
  const memory = new Map<string, FrameMemory>();
  /** Encoded as it is written, so the memory follows the order the page receives replies in. */
  const encode = (method: string, outcome: unknown): FrameParts => {
    if (!REPEATING_METHODS.has(method)) return encodeFrameParts(outcome);
    const frame = encodeRepeatedFrameParts(outcome, memory.get(method) ?? []);
    memory.set(method, frame.memory);
    return frame;
  };
  const onMessage = (message: Buffer) => {
    const request = parseRequest(message);
    if (!request) return close(1002, 'malformed call message');
    void options.call(request.method, request.params).then(
      ({ outcome, hostMs }) => {
        if (closed || !socket.writable) return;
        const encoding = performance.now();
        const frame = encode(request.method, outcome);
        sendParts([responseHeader(request.id, hostMs, performance.now() - encoding), ...frame.parts], 24 + frame.byteLength);
      },
      () => close(1011, 'internal error'),
    );
  };
  const consume = () => {
    for (;;) {
      if (closed || buffered.length < 2) return;
      const b0 = buffered[0];
      const b1 = buffered[1];
      const fin = (b0 & 0x80) !== 0;
      const opcode = b0 & 0x0f;
      if ((b0 & 0x70) !== 0) return close(1002, 'reserved bits set');
      if ((b1 & 0x80) === 0) return close(1002, 'client frames must be masked');
      let length = b1 & 0x7f;
      let at = 2;
      if (length === 126) {
        if (buffered.length < 4) return;
        length = buffered.readUInt16BE(2);
        at = 4;
      } else if (length === 127) {
        if (buffered.length < 10) return;
        const big = buffered.readBigUInt64BE(2);
        if (big > BigInt(MAX_SOCKET_MESSAGE_BYTES)) return close(1009, 'message too large');
        length = Number(big);
        at = 10;
      }
      if (length > MAX_SOCKET_MESSAGE_BYTES || fragmentBytes + length > MAX_SOCKET_MESSAGE_BYTES) return close(1009, 'message too large');
      if (buffered.length < at + 4 + length) return;
      const mask = buffered.subarray(at, at + 4);
      const payload = Buffer.from(buffered.subarray(at + 4, at + 4 + length));
      for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
      buffered = buffered.subarray(at + 4 + length);
      if (opcode >= 0x8) {
        if (!fin || length > 125) return close(1002, 'bad control frame');
        if (opcode === OPCODE.close) return close(1000, '');
        if (opcode === OPCODE.ping) send(OPCODE.pong, payload);
        else if (opcode !== OPCODE.pong) return close(1002, 'unknown opcode');
        continue;
      }
      if (opcode === OPCODE.text) return close(1003, 'only binary call messages');
      if (opcode === OPCODE.binary ? fragments.length > 0 : opcode !== OPCODE.continuation || fragments.length === 0) return close(1002, 'bad fragmentation');
      fragments.push(payload);
      fragmentBytes += payload.length;
      if (!fin) continue;
      const message = fragments.length === 1 ? fragments[0] : Buffer.concat(fragments);
      fragments = [];
      fragmentBytes = 0;
      onMessage(message);
    }
  };
  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    // Bounded: a frame's header tells its size, and nothing over the limit is waited for.
    if (buffered.length > MAX_SOCKET_MESSAGE_BYTES + 14) return close(1009, 'message too large');
    consume();
  });
  socket.on('end', () => socket.end());
  if (buffered.length > 0) consume();
}
