/**
 * Binary framing for the web transport, so masks, scores and frames travel as raw bytes instead of
 * giant JSON number lists. A frame is:
 *
 *   magic "OMZ1" | u32 LE json byte length | JSON | padding to 8 | blob 0 | pad | blob 1 | ...
 *
 * Inside the JSON every typed array is replaced by {"$typed": "<kind>", "blob": i, "length": n}.
 * Blobs start on 8-byte boundaries so the decoder can view them without copying.
 *
 * A stream whose frames repeat themselves (the call socket's replans: a `rho_video` move leaves the
 * audio arrays and the 150 KB of video scores of a 5-minute clip as they were) can send an array
 * as {"$typed", "again": k, "length"}: the bytes of array k of the stream's previous frame, which
 * both ends remember (`FrameMemory`). In such a frame every array also carries "at": its own
 * index in that memory.
 * No Node imports: the renderer uses it too.
 */
import { OmniZipError } from './errors.js';

const MAGIC = [0x4f, 0x4d, 0x5a, 0x31]; // "OMZ1"

export class WireError extends OmniZipError {
  constructor(message: string) {
    super('bad-request', message);
  }
}

type TypedKind = 'u8' | 'i8' | 'i32' | 'f32' | 'f64' | 'u16' | 'i16' | 'u32';
type AnyTyped = Uint8Array | Int8Array | Int32Array | Float32Array | Float64Array | Uint16Array | Int16Array | Uint32Array;

const CTORS: Record<TypedKind, { new (buffer: ArrayBufferLike, offset: number, length: number): AnyTyped; BYTES_PER_ELEMENT: number }> = {
  u8: Uint8Array,
  i8: Int8Array,
  i32: Int32Array,
  f32: Float32Array,
  f64: Float64Array,
  u16: Uint16Array,
  i16: Int16Array,
  u32: Uint32Array,
};

function kindOf(value: ArrayBufferView): TypedKind {
  if (value instanceof Uint8Array) return 'u8';
  if (value instanceof Int8Array) return 'i8';
  if (value instanceof Int32Array) return 'i32';
  if (value instanceof Float32Array) return 'f32';
  if (value instanceof Float64Array) return 'f64';
  if (value instanceof Uint16Array) return 'u16';
  if (value instanceof Int16Array) return 'i16';
  if (value instanceof Uint32Array) return 'u32';
  throw new WireError(`cannot send a ${value.constructor.name} over the wire`);
}

const pad8 = (n: number) => (n + 7) & ~7;

/** A frame as the pieces it is made of: the header with the JSON, then each blob (viewed, not copied) and its padding. */
export interface FrameParts {
  parts: Uint8Array[];
  byteLength: number;
}

const ZEROS = new Uint8Array(8);

/**
 * The frame of `value` without copying its typed arrays: a transport that can write several
 * buffers at once (a socket's writev) sends the plan view's arrays straight from the planner's
 * memory. The parts view `value`'s arrays: send them before anything changes those.
 */
export function encodeFrameParts(value: unknown): FrameParts {
  return encodeParts(value, null);
}

/**
 * The arrays of a repeating stream's last frame, by their "at" index, as each end keeps them: the
 * sender a copy of the bytes it sent (the planner's memory may change after the send), the
 * receiver views of the bytes it received.
 */
export type FrameMemory = readonly Uint8Array[];

/** Arrays smaller than this are sent again rather than referenced (the reference and the comparison would cost about as much). */
export const MIN_REPEATED_ARRAY_BYTES = 4096;

/**
 * A frame of a repeating stream: each array whose bytes equal an array of `previous` (the stream's
 * last frame) goes as a reference to it. `memory` is what this frame leaves for the next one.
 */
export function encodeRepeatedFrameParts(value: unknown, previous: FrameMemory): FrameParts & { memory: Uint8Array[] } {
  const memory: Uint8Array[] = [];
  return { ...encodeParts(value, { previous, memory }), memory };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  if (a.byteOffset % 4 === 0 && b.byteOffset % 4 === 0 && a.byteLength % 4 === 0) {
    const wa = new Uint32Array(a.buffer, a.byteOffset, a.byteLength >> 2);
    const wb = new Uint32Array(b.buffer, b.byteOffset, b.byteLength >> 2);
    for (let i = 0; i < wa.length; i++) if (wa[i] !== wb[i]) return false;
    return true;
  }
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

function encodeParts(value: unknown, repeat: { previous: FrameMemory; memory: Uint8Array[] } | null): FrameParts {
  const blobs: Uint8Array[] = [];
  const blobOf = (v: ArrayBufferView) => {
    if (v instanceof DataView) throw new WireError('cannot send a DataView over the wire');
    const kind = kindOf(v);
    const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    const length = (v as AnyTyped).length;
    if (repeat) {
      const at = repeat.memory.length;
      // The same array usually sits at the same index as last time: that one is tried first (and once).
      const previous = repeat.previous;
      const again =
        bytes.byteLength < MIN_REPEATED_ARRAY_BYTES ? -1 : at < previous.length && sameBytes(previous[at], bytes) ? at : previous.findIndex((p, k) => k !== at && sameBytes(p, bytes));
      if (again >= 0) {
        repeat.memory.push(previous[again]);
        return { $typed: kind, again, at, length };
      }
      repeat.memory.push(bytes.slice());
      blobs.push(bytes);
      return { $typed: kind, blob: blobs.length - 1, at, length };
    }
    blobs.push(bytes);
    return { $typed: kind, blob: blobs.length - 1, length };
  };
  // Typed arrays are swapped out before JSON.stringify: a replacer would see Node Buffers only
  // after their toJSON() turned them into {type, data: [...]}. Copy on write: a container is
  // copied only when something under it is swapped (a typed array, NaN/Infinity, which JSON lacks),
  // so the plain parts of a value (a plan view's groups, configs) go to JSON.stringify as they are.
  // Objects with a toJSON (a Date) are always copied key by key, as JSON would not see their keys.
  const extract = (v: unknown): unknown => {
    if (typeof v === 'number') return Number.isFinite(v) ? v : { $number: String(v) };
    if (typeof v !== 'object' || v === null) return v;
    if (ArrayBuffer.isView(v)) return blobOf(v);
    if (Array.isArray(v)) {
      let out: unknown[] | null = null;
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        const y = extract(x);
        if (y !== x && out === null) out = v.slice(0, i);
        if (out !== null) out.push(y);
      }
      return out ?? v;
    }
    const o = v as Record<string, unknown>;
    let out: Record<string, unknown> | null = typeof o.toJSON === 'function' ? {} : null;
    const keys = Object.keys(o);
    for (let i = 0; i < keys.length; i++) {
      const x = o[keys[i]];
      const y = x === undefined ? x : extract(x);
      if (y !== x && out === null) {
        out = {};
        for (let j = 0; j < i; j++) if (o[keys[j]] !== undefined) out[keys[j]] = o[keys[j]];
      }
      if (out !== null && y !== undefined) out[keys[i]] = y;
    }
    return out ?? v;
  };
  const json = JSON.stringify(extract(value)) ?? 'null';
  const jsonBytes = new TextEncoder().encode(json);
  const headLength = pad8(8 + jsonBytes.length);
  const head = new Uint8Array(headLength);
  head.set(MAGIC, 0);
  new DataView(head.buffer).setUint32(4, jsonBytes.length, true);
  head.set(jsonBytes, 8);
  const parts: Uint8Array[] = [head];
  let byteLength = headLength;
  for (const b of blobs) {
    if (b.byteLength > 0) parts.push(b);
    const padding = pad8(b.byteLength) - b.byteLength;
    if (padding > 0) parts.push(ZEROS.subarray(0, padding));
    byteLength += b.byteLength + padding;
  }
  return { parts, byteLength };
}

/** The parts of a frame in one buffer. */
export function joinFrame({ parts, byteLength }: FrameParts): Uint8Array {
  const out = new Uint8Array(byteLength);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

export function encodeFrame(value: unknown): Uint8Array {
  return joinFrame(encodeFrameParts(value));
}

export function decodeFrame(bytes: Uint8Array): unknown {
  return decodeParts(bytes, null);
}

/** A frame of a repeating stream, given the stream's memory of its previous frame; answers what this one leaves for the next. */
export function decodeRepeatedFrame(bytes: Uint8Array, previous: FrameMemory): { value: unknown; memory: Uint8Array[] } {
  const memory: Uint8Array[] = [];
  const value = decodeParts(bytes, { previous, memory });
  return { value, memory };
}

function decodeParts(bytes: Uint8Array, repeat: { previous: FrameMemory; memory: Uint8Array[] } | null): unknown {
  if (bytes.byteLength < 8 || MAGIC.some((m, i) => bytes[i] !== m)) throw new WireError('not an OMZ1 frame (bad magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const jsonLength = view.getUint32(4, true);
  if (8 + jsonLength > bytes.byteLength) throw new WireError(`frame JSON length ${jsonLength} runs past the ${bytes.byteLength}-byte frame`);
  const json = new TextDecoder().decode(bytes.subarray(8, 8 + jsonLength));
  // A plain JSON.parse, then one in-place pass over the result: a reviver function costs ~6x the
  // parse itself (it runs for every value of a plan view's groups), and the parsed objects are
  // already fresh, own-keyed objects ('__proto__' included) that nobody else holds.
  const root: { value: unknown } = { value: JSON.parse(json) };
  const descriptors: ({ kind: TypedKind; length: number } | undefined)[] = [];
  const slots: { holder: Record<string, unknown> | unknown[]; key: string | number; blob: number; at?: number }[] = [];
  /** Arrays that repeat one of the previous frame's: where they go, and their index in this frame's memory. */
  const repeats: { holder: Record<string, unknown> | unknown[]; key: string | number; kind: TypedKind; again: number; at: number; length: number }[] = [];
  const positive = (x: unknown): x is number => Number.isInteger(x) && (x as number) >= 0;
  /** The value to keep at holder[key]: a $number revived, a $typed descriptor noted (filled in below). */
  const visitChild = (holder: Record<string, unknown> | unknown[], key: string | number, v: unknown): void => {
    if (typeof v !== 'object' || v === null) return;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) visitChild(v, i, v[i]);
      return;
    }
    const o = v as Record<string, unknown>;
    if (Object.hasOwn(o, '$typed')) {
      const d = o as { $typed: unknown; blob?: unknown; again?: unknown; at?: unknown; length: unknown };
      if (typeof d.$typed !== 'string' || !Object.hasOwn(CTORS, d.$typed) || !positive(d.length)) throw new WireError('malformed typed-array descriptor in frame');
      if (repeat ? !positive(d.at) : d.at !== undefined) throw new WireError(repeat ? 'an array of a repeating frame has no memory index' : 'an array refers to a stream memory this frame does not have');
      if (d.again !== undefined) {
        if (!repeat || !positive(d.again) || d.blob !== undefined) throw new WireError('malformed repeated-array descriptor in frame');
        repeats.push({ holder, key, kind: d.$typed as TypedKind, again: d.again, at: d.at as number, length: d.length });
        return;
      }
      if (!positive(d.blob)) throw new WireError('malformed typed-array descriptor in frame');
      descriptors[d.blob] = { kind: d.$typed as TypedKind, length: d.length };
      slots.push({ holder, key, blob: d.blob, at: d.at as number | undefined });
      return;
    }
    if (Object.hasOwn(o, '$number')) {
      setOwn(holder, key, Number(o.$number));
      return;
    }
    for (const k in o) visitChild(o, k, o[k]);
  };
  visitChild(root, 'value', root.value);
  // Aligned views need an 8-aligned base; copy once if the caller's buffer is not aligned.
  const base = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  let at = pad8(8 + jsonLength);
  const arrays: AnyTyped[] = [];
  for (let i = 0; i < descriptors.length; i++) {
    const d = descriptors[i];
    if (!d) throw new WireError(`frame is missing blob ${i}`);
    const ctor = CTORS[d.kind];
    const byteLength = d.length * ctor.BYTES_PER_ELEMENT;
    if (at + byteLength > base.byteLength) throw new WireError(`blob ${i} runs past the end of the frame`);
    arrays.push(new ctor(base.buffer, base.byteOffset + at, d.length));
    at = pad8(at + byteLength);
  }
  // n arrays, each at its own index below n: the memory has no gaps (and a hostile index no room to grow).
  const count = slots.length + repeats.length;
  for (const { holder, key, blob, at } of slots) {
    setOwn(holder, key, arrays[blob]);
    if (repeat && at !== undefined) remember(repeat.memory, at, count, new Uint8Array(arrays[blob].buffer, arrays[blob].byteOffset, arrays[blob].byteLength));
  }
  // Only a repeating frame has repeated arrays (checked as they were read).
  for (const r of repeats) {
    if (!repeat) break;
    const earlier = repeat.previous[r.again];
    const ctor = CTORS[r.kind];
    if (!earlier) throw new WireError(`frame repeats array ${r.again} of a previous frame that had no such array`);
    if (earlier.byteLength !== r.length * ctor.BYTES_PER_ELEMENT || earlier.byteOffset % ctor.BYTES_PER_ELEMENT !== 0) {
      throw new WireError(`frame repeats array ${r.again} of the previous frame as ${r.length} ${r.kind}, which its ${earlier.byteLength} bytes are not`);
    }
    setOwn(r.holder, r.key, new ctor(earlier.buffer, earlier.byteOffset, r.length));
    remember(repeat.memory, r.at, count, earlier);
  }
  return root.value;
}

/** Array `at` of a frame of `count` arrays, kept for the next frame. */
function remember(memory: Uint8Array[], at: number, count: number, bytes: Uint8Array): void {
  if (at >= count) throw new WireError(`memory index ${at} of a frame with ${count} arrays`);
  if (memory[at] !== undefined) throw new WireError(`two arrays of one frame claim memory index ${at}`);
  memory[at] = bytes;
}

/** holder[key] = value as an own data property: a '__proto__' key stays a key the contract can refuse, never the prototype. */
function setOwn(holder: Record<string, unknown> | unknown[], key: string | number, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(holder, key, { value, enumerable: true, writable: true, configurable: true });
  else (holder as Record<string | number, unknown>)[key] = value;
}
