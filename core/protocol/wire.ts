/**
 * Binary framing for the web transport, so masks, scores and frames travel as raw bytes instead of
 * giant JSON number lists. A frame is:
 *
 *   magic "OMZ1" | u32 LE json byte length | JSON | padding to 8 | blob 0 | pad | blob 1 | ...
 *
 * Inside the JSON every typed array is replaced by {"$typed": "<kind>", "blob": i, "length": n}.
 * Blobs start on 8-byte boundaries so the decoder can view them without copying.
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

export function encodeFrame(value: unknown): Uint8Array {
  const blobs: Uint8Array[] = [];
  // Typed arrays are swapped out before JSON.stringify: a replacer would see Node Buffers only
  // after their toJSON() turned them into {type, data: [...]}.
  const extract = (v: unknown): unknown => {
    if (ArrayBuffer.isView(v)) {
      if (v instanceof DataView) throw new WireError('cannot send a DataView over the wire');
      const kind = kindOf(v);
      blobs.push(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      return { $typed: kind, blob: blobs.length - 1, length: (v as AnyTyped).length };
    }
    if (typeof v === 'number' && !Number.isFinite(v)) return { $number: String(v) }; // JSON has no NaN/Infinity
    if (Array.isArray(v)) return v.map(extract);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = extract(x);
      return out;
    }
    return v;
  };
  const json = JSON.stringify(extract(value));
  const jsonBytes = new TextEncoder().encode(json);
  let total = pad8(8 + jsonBytes.length);
  const offsets = blobs.map((b) => {
    const at = total;
    total = pad8(total + b.byteLength);
    return at;
  });
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, jsonBytes.length, true);
  out.set(jsonBytes, 8);
  blobs.forEach((b, i) => out.set(b, offsets[i]));
  return out;
}

export function decodeFrame(bytes: Uint8Array): unknown {
  if (bytes.byteLength < 8 || MAGIC.some((m, i) => bytes[i] !== m)) throw new WireError('not an OMZ1 frame (bad magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const jsonLength = view.getUint32(4, true);
  if (8 + jsonLength > bytes.byteLength) throw new WireError(`frame JSON length ${jsonLength} runs past the ${bytes.byteLength}-byte frame`);
  const json = new TextDecoder().decode(bytes.subarray(8, 8 + jsonLength));
  // Blobs are laid out in order; recompute their offsets the way the encoder did.
  const descriptors: { kind: TypedKind; length: number }[] = [];
  const parsed = JSON.parse(json, (_key, v: unknown) => {
    if (v && typeof v === 'object' && '$typed' in v) {
      const d = v as { $typed: TypedKind; blob: number; length: number };
      if (!(d.$typed in CTORS) || !Number.isInteger(d.blob) || !Number.isInteger(d.length) || d.length < 0) {
        throw new WireError('malformed typed-array descriptor in frame');
      }
      descriptors[d.blob] = { kind: d.$typed, length: d.length };
      return { __blob: d.blob };
    }
    if (v && typeof v === 'object' && '$number' in v) return Number((v as { $number: string }).$number);
    return v;
  });
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
  const revive = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(revive);
    if (v && typeof v === 'object') {
      if ('__blob' in v && Object.keys(v).length === 1) return arrays[(v as { __blob: number }).__blob];
      // defineProperty, not `out[k] =`: a '__proto__' key must stay an own key the contract can
      // refuse, not become the object's prototype.
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) Object.defineProperty(out, k, { value: revive(x), enumerable: true, writable: true, configurable: true });
      return out;
    }
    return v;
  };
  return revive(parsed);
}
