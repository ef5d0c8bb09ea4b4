/**
 * The call socket's two messages (web mode: contract calls over one WebSocket), shared by the
 * server (core/server/call-socket.ts) and the page (renderer/src/transport/call-socket.ts):
 *   request  = u32 call id (LE) · u32 method length · method (UTF-8) · contract frame (wire.ts)
 *   response = u32 call id · u32 0 · f64 host ms · f64 encode ms · contract frame
 */

/**
 * Methods whose replies repeat much of the previous one (a replan): on the socket their frames may
 * send an array as a reference to the same method's previous reply on that socket (wire.ts
 * `FrameMemory`). Both ends keep that one reply per method, and lose it with the connection.
 */
export const REPEATING_METHODS: ReadonlySet<string> = new Set(['plan.run']);

/** Larger params (bundle bytes) go through `/api/upload`; a call frame is kilobytes. */
export const MAX_SOCKET_MESSAGE_BYTES = 16 * 1024 * 1024;
const MAX_METHOD_BYTES = 200;

export interface SocketAnswer {
  frame: Uint8Array;
  hostMs: number;
  encodeMs: number;
}

export function requestMessage(id: number, method: string, frame: Uint8Array): Uint8Array<ArrayBuffer> {
  const name = new TextEncoder().encode(method);
  const out = new Uint8Array(8 + name.length + frame.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, id, true);
  view.setUint32(4, name.length, true);
  out.set(name, 8);
  out.set(frame, 8 + name.length);
  return out;
}

/** Splits a request message into its call id, method and contract frame; null when malformed. */
export function parseRequest(message: Uint8Array): { id: number; method: string; params: Uint8Array } | null {
  if (message.length < 8) return null;
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  const id = view.getUint32(0, true);
  const methodLength = view.getUint32(4, true);
  if (methodLength > MAX_METHOD_BYTES || 8 + methodLength > message.length) return null;
  const method = new TextDecoder().decode(message.subarray(8, 8 + methodLength));
  // A private, 8-aligned copy: the wire frame's typed arrays view it in place.
  return { id, method, params: message.slice(8 + methodLength) };
}

/** A response message's first 24 bytes; the contract frame follows them. */
export function responseHeader(id: number, hostMs: number, encodeMs: number): Uint8Array {
  const out = new Uint8Array(24);
  const view = new DataView(out.buffer);
  view.setUint32(0, id, true);
  view.setFloat64(8, hostMs, true);
  view.setFloat64(16, encodeMs, true);
  return out;
}

export function responseMessage(id: number, hostMs: number, encodeMs: number, frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(24 + frame.length);
  out.set(responseHeader(id, hostMs, encodeMs), 0);
  out.set(frame, 24);
  return out;
}

export function parseResponse(data: ArrayBuffer): { id: number } & SocketAnswer {
  const view = new DataView(data);
  // A view, not a copy: the frame starts 8-aligned (24) in a buffer this message owns, so the wire
  // frame's typed arrays can view it in place.
  return { id: view.getUint32(0, true), hostMs: view.getFloat64(8, true), encodeMs: view.getFloat64(16, true), frame: new Uint8Array(data, 24) };
}

/** Room for the request header and the longest method name on top of a frame. */
export function fitsSocketMessage(frameBytes: number): boolean {
  return frameBytes + 8 + MAX_METHOD_BYTES <= MAX_SOCKET_MESSAGE_BYTES;
}
