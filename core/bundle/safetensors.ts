/**
 * Generic safetensors parsing and serialisation (https://github.com/huggingface/safetensors):
 * 8-byte little-endian header length N, N bytes of JSON header, then the raw tensor data.
 * Parsing never copies tensor data: each tensor is a Uint8Array view into the input bytes, and
 * typed views are handed out when the host and the alignment allow.
 */
import { BundleError } from './errors.js';
import { HOST_IS_LITTLE_ENDIAN, swapBytesInPlace } from '../util/endian.js';
import { widenBf16Bits, widenHalfBits } from '../util/float16.js';
import { findDuplicateKey } from '../util/json-duplicates.js';

/** Element size in bytes of every dtype the format defines that this reader accepts. */
export const SAFETENSORS_DTYPE_SIZES = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
} as const;

export type SafetensorsDType = keyof typeof SAFETENSORS_DTYPE_SIZES;

export function isSafetensorsDType(value: unknown): value is SafetensorsDType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(SAFETENSORS_DTYPE_SIZES, value);
}

/** Largest header the reference implementation accepts; larger ones are corrupt or hostile. */
const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = '__metadata__';
/** No real tensor dimension comes near 2^31; larger ones are corrupt and overflow typed arrays downstream. */
export const MAX_TENSOR_DIMENSION = 2 ** 31 - 1;

/**
 * Checks a file's first 8 bytes (the header length) against its size before the rest is read,
 * so a hostile length is refused without allocating or reading anything more.
 */
export function checkSafetensorsPrefix(head: Uint8Array, fileSize: number, fileName: string, label = 'safetensors file'): void {
  const headerError = (reason: string) => new BundleError(fileName, 'header', reason, label);
  if (head.length < 8 || fileSize < 8) throw headerError(`file is ${fileSize} bytes long, too short to hold the 8-byte header length (truncated file?)`);
  const headerLength = new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(MAX_HEADER_BYTES)) throw headerError(`header length ${headerLength} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  if (headerLength > BigInt(fileSize - 8)) throw headerError(`header length ${headerLength} runs past the end of the ${fileSize}-byte file (truncated or not a safetensors file)`);
}

export interface SafetensorsTensor {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  /** The tensor's raw little-endian bytes: a view into the parsed file, not a copy. */
  bytes: Uint8Array;
  /** Number of elements (product of the shape). */
  elementCount: number;
}

export interface SafetensorsFile {
  /** Tensors in header order. */
  tensors: Map<string, SafetensorsTensor>;
  /** The `__metadata__` string map (empty when absent). */
  metadata: Record<string, string>;
  /** Byte offset of the data section within the parsed bytes (8 + header length). */
  dataOffset: number;
}

export interface ParseSafetensorsOptions {
  /** How the file is called in error messages; 'bundle' for feature bundles. */
  label?: string;
}

/** Parses and validates a safetensors file held in memory. Throws BundleError on any breach. */
export function parseSafetensors(
  bytes: Uint8Array,
  fileName: string,
  options: ParseSafetensorsOptions = {},
): SafetensorsFile {
  const label = options.label ?? 'safetensors file';
  const headerError = (reason: string) => new BundleError(fileName, 'header', reason, label);
  const tensorError = (name: string, reason: string) => new BundleError(fileName, { tensor: name }, reason, label);

  if (bytes.length < 8) {
    throw headerError(`file is ${bytes.length} bytes long, too short to hold the 8-byte header length (truncated file?)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength64 = view.getBigUint64(0, true);
  if (headerLength64 > BigInt(bytes.length - 8)) {
    throw headerError(`header length ${headerLength64} runs past the end of the ${bytes.length}-byte file (truncated or not a safetensors file)`);
  }
  const headerLength = Number(headerLength64);
  if (headerLength > MAX_HEADER_BYTES) {
    throw headerError(`header length ${headerLength} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  }
  if (headerLength < 2) throw headerError(`header length ${headerLength} is too short for a JSON object`);

  const header = decodeHeader(bytes.subarray(8, 8 + headerLength), headerError, tensorError);
  const dataOffset = 8 + headerLength;
  const dataLength = bytes.length - dataOffset;

  const metadata = readMetadata(header[METADATA_KEY], headerError);
  const tensors = new Map<string, SafetensorsTensor>();
  const ranges: { name: string; begin: number; end: number }[] = [];

  for (const [name, entry] of Object.entries(header)) {
    if (name === METADATA_KEY) continue;
    if (!isPlainObject(entry)) throw tensorError(name, 'header entry is not an object with dtype, shape and data_offsets');
    const { dtype, shape, data_offsets: offsets } = entry;
    if (!isSafetensorsDType(dtype)) {
      throw tensorError(name, `unsupported dtype ${JSON.stringify(dtype)} (expected one of ${Object.keys(SAFETENSORS_DTYPE_SIZES).join(', ')})`);
    }
    if (!Array.isArray(shape) || !shape.every(isNonNegativeSafeInteger)) {
      throw tensorError(name, `shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
    }
    if (shape.some((dim: number) => dim > MAX_TENSOR_DIMENSION)) {
      throw tensorError(name, `shape ${JSON.stringify(shape)} has a dimension above ${MAX_TENSOR_DIMENSION} (corrupt header)`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeSafeInteger)) {
      throw tensorError(name, `data_offsets ${JSON.stringify(offsets)} is not a pair of non-negative integers`);
    }
    const [begin, end] = offsets as [number, number];
    if (end < begin) throw tensorError(name, `data_offsets [${begin}, ${end}] end before they begin`);
    if (end > dataLength) {
      throw tensorError(name, `data_offsets [${begin}, ${end}] lie outside the ${dataLength}-byte data section (truncated file?)`);
    }
    const elementCount = shapeProduct(shape as number[]);
    const expectedBytes = elementCount * SAFETENSORS_DTYPE_SIZES[dtype];
    if (!Number.isSafeInteger(expectedBytes) || expectedBytes !== end - begin) {
      throw tensorError(name, `holds ${end - begin} bytes but ${dtype} ${JSON.stringify(shape)} needs ${expectedBytes}`);
    }
    tensors.set(name, {
      name,
      dtype,
      shape: [...(shape as number[])],
      bytes: bytes.subarray(dataOffset + begin, dataOffset + end),
      elementCount,
    });
    if (end > begin) ranges.push({ name, begin, end });
  }

  ranges.sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < ranges.length; i++) {
    const previous = ranges[i - 1];
    const current = ranges[i];
    if (current.begin < previous.end) {
      throw tensorError(current.name, `byte range [${current.begin}, ${current.end}) overlaps tensor '${previous.name}' [${previous.begin}, ${previous.end})`);
    }
  }
  // The format packs tensors back to back from the start of the data section to the end of the
  // file: a gap or trailing bytes mean a writer bug or bytes smuggled past every check.
  let covered = 0;
  for (const range of ranges) {
    if (range.begin > covered) throw tensorError(range.name, `data_offsets [${range.begin}, ${range.end}) leave a hole of ${range.begin - covered} bytes before this tensor (tensors must be packed)`);
    covered = range.end;
  }
  if (covered < dataLength) {
    throw headerError(`${dataLength - covered} bytes after the last tensor's data (the data section is ${dataLength} bytes, tensors cover ${covered})`);
  }
  return { tensors, metadata, dataOffset };
}

function decodeHeader(
  headerBytes: Uint8Array,
  headerError: (reason: string) => BundleError,
  tensorError: (name: string, reason: string) => BundleError,
): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    throw headerError('header is not valid UTF-8 (not a safetensors file?)');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (err) {
    throw headerError(`header is not valid JSON (${(err as Error).message})`);
  }
  if (!isPlainObject(header)) throw headerError('header JSON is not an object');
  const duplicate = findDuplicateKey(text);
  if (duplicate) {
    if (duplicate.path === '' && duplicate.key !== METADATA_KEY) throw tensorError(duplicate.key, 'is declared twice in the header');
    throw headerError(`key '${duplicate.key}' appears twice in ${duplicate.path === '' ? 'the header' : `'${duplicate.path}'`}`);
  }
  return header;
}

function readMetadata(raw: unknown, headerError: (reason: string) => BundleError): Record<string, string> {
  if (raw === undefined) return {};
  if (!isPlainObject(raw)) throw headerError(`${METADATA_KEY} is not an object of strings`);
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'string') throw headerError(`${METADATA_KEY} entry '${key}' is not a string`);
    metadata[key] = value;
  }
  return metadata;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonNegativeSafeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function shapeProduct(shape: readonly number[]): number {
  let product = 1;
  for (const dim of shape) product *= dim;
  return product;
}

/**
 * The tensor's elements as a typed array of `elementSize`-byte words: a zero-copy view when the
 * host is little-endian and the data is aligned, otherwise an aligned (and byte-swapped) copy.
 */
function alignedLittleEndianBuffer(tensor: SafetensorsTensor, elementSize: number): { buffer: ArrayBufferLike; byteOffset: number } {
  const { bytes } = tensor;
  if (HOST_IS_LITTLE_ENDIAN && bytes.byteOffset % elementSize === 0) {
    return { buffer: bytes.buffer, byteOffset: bytes.byteOffset };
  }
  const copy = bytes.slice();
  if (!HOST_IS_LITTLE_ENDIAN) swapBytesInPlace(copy, elementSize);
  return { buffer: copy.buffer, byteOffset: 0 };
}

/** An F32 tensor's data as a Float32Array; a view into the file bytes when 4-byte aligned. */
export function float32View(tensor: SafetensorsTensor): Float32Array {
  expectDType(tensor, 'F32');
  const { buffer, byteOffset } = alignedLittleEndianBuffer(tensor, 4);
  return new Float32Array(buffer, byteOffset, tensor.elementCount);
}

/** A U8 tensor's data (always a view). */
export function uint8View(tensor: SafetensorsTensor): Uint8Array {
  expectDType(tensor, 'U8');
  return tensor.bytes;
}

/**
 * Any floating-point tensor widened (or, for F64, narrowed) to float32. F32 stays a zero-copy
 * view where alignment allows; F16 and BF16 are converted exactly.
 */
export function toFloat32(tensor: SafetensorsTensor): Float32Array {
  return widenToFloat32(tensor).values;
}

/**
 * toFloat32, and for F16 and BF16 (read and written in one pass) whether every value is finite;
 * `finite` is null where nothing was learnt (F32 and F64: the values are not all read here).
 */
export function widenToFloat32(tensor: SafetensorsTensor): { values: Float32Array; finite: boolean | null } {
  switch (tensor.dtype) {
    case 'F32':
      return { values: float32View(tensor), finite: null };
    case 'F16':
    case 'BF16': {
      const { buffer, byteOffset } = alignedLittleEndianBuffer(tensor, 2);
      const halfBits = new Uint16Array(buffer, byteOffset, tensor.elementCount);
      return tensor.dtype === 'F16' ? widenHalfBits(halfBits) : widenBf16Bits(halfBits);
    }
    case 'F64': {
      const { buffer, byteOffset } = alignedLittleEndianBuffer(tensor, 8);
      return { values: Float32Array.from(new Float64Array(buffer, byteOffset, tensor.elementCount)), finite: null };
    }
    default:
      throw new TypeError(`tensor '${tensor.name}' has dtype ${tensor.dtype}, not a floating-point dtype`);
  }
}

function expectDType(tensor: SafetensorsTensor, dtype: SafetensorsDType): void {
  if (tensor.dtype !== dtype) throw new TypeError(`tensor '${tensor.name}' has dtype ${tensor.dtype}, not ${dtype}`);
}

/** One tensor to serialise: `data` holds its elements in native typed-array form or raw LE bytes. */
export interface SafetensorsTensorInput {
  name: string;
  dtype: SafetensorsDType;
  shape: readonly number[];
  data: ArrayBufferView;
}

/**
 * Serialises tensors into one safetensors file.
 *
 * Alignment: every tensor starts at a multiple of its element size (and the data section at a
 * multiple of 8), so a reader can map typed arrays onto the file without copying. This is done by
 * padding the header with spaces and storing larger elements first, not by gaps between tensors:
 * the reference implementation rejects data sections with holes. Within one element size the
 * caller's order is kept.
 */
export function serializeSafetensors(
  tensors: readonly SafetensorsTensorInput[],
  metadata: Record<string, string> = {},
): Uint8Array {
  const names = new Set<string>();
  for (const tensor of tensors) {
    if (tensor.name === METADATA_KEY) throw new TypeError(`'${METADATA_KEY}' cannot be a tensor name`);
    if (names.has(tensor.name)) throw new TypeError(`tensor '${tensor.name}' given twice`);
    names.add(tensor.name);
  }
  const ordered = tensors
    .map((tensor, index) => ({ tensor, index, elementSize: SAFETENSORS_DTYPE_SIZES[tensor.dtype] }))
    .sort((a, b) => b.elementSize - a.elementSize || a.index - b.index);

  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header[METADATA_KEY] = metadata;
  const payloads: Uint8Array[] = [];
  let offset = 0;
  for (const { tensor, elementSize } of ordered) {
    const expectedBytes = shapeProduct(tensor.shape) * elementSize;
    if (tensor.data.byteLength !== expectedBytes) {
      throw new TypeError(`tensor '${tensor.name}': ${tensor.data.byteLength} bytes of data for ${tensor.dtype} ${JSON.stringify(tensor.shape)} (needs ${expectedBytes})`);
    }
    header[tensor.name] = { dtype: tensor.dtype, shape: [...tensor.shape], data_offsets: [offset, offset + expectedBytes] };
    payloads.push(littleEndianBytes(tensor.data, elementSize));
    offset += expectedBytes;
  }

  const headerText = JSON.stringify(header);
  const headerBytesRaw = new TextEncoder().encode(headerText);
  const headerLength = Math.ceil((8 + headerBytesRaw.length) / 8) * 8 - 8;
  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(headerBytesRaw, 8);
  out.fill(0x20, 8 + headerBytesRaw.length, 8 + headerLength);
  let position = 8 + headerLength;
  for (const payload of payloads) {
    out.set(payload, position);
    position += payload.length;
  }
  return out;
}

function littleEndianBytes(data: ArrayBufferView, elementSize: number): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  // Raw byte input is taken to be little-endian already; typed arrays are in host order.
  if (HOST_IS_LITTLE_ENDIAN || data instanceof Uint8Array) return bytes;
  const copy = bytes.slice();
  swapBytesInPlace(copy, elementSize);
  return copy;
}
