/**
 * Safetensors bytes taken apart and put together without any checking, so tests and the fuzzer can
 * build the broken files the reader must refuse (wrong offsets, trailing bytes, duplicate keys...).
 * Layout: an 8-byte little-endian header length, the header's JSON text, then the data section.
 */

/** One tensor's entry in a safetensors header. */
export type RawHeaderEntry = { dtype: string; shape: number[]; data_offsets: [number, number] };
export type RawHeaderEntries = Record<string, RawHeaderEntry>;

/** A file's header text (its trailing padding trimmed) and its data section (a view, not a copy). */
export function splitSafetensors(bytes: Uint8Array): { headerText: string; data: Uint8Array } {
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { headerText: new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)).trimEnd(), data: bytes.subarray(8 + headerLength) };
}

/** A file from a header text, taken as it is, and a data section. */
export function joinSafetensors(headerText: string, data: Uint8Array): Uint8Array {
  const header = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + header.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(header.length), true);
  out.set(header, 8);
  out.set(data, 8 + header.length);
  return out;
}

/** The file with its parsed header edited in place by `edit` and, when given, its data section replaced by `editData`'s. */
export function rewriteSafetensorsHeader(bytes: Uint8Array, edit: (header: RawHeaderEntries) => void, editData?: (data: Uint8Array) => Uint8Array): Uint8Array {
  const { headerText, data } = splitSafetensors(bytes);
  const header = JSON.parse(headerText) as RawHeaderEntries;
  edit(header);
  return joinSafetensors(JSON.stringify(header), editData ? editData(data) : data);
}
