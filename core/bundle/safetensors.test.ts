import { describe, expect, it } from 'vitest';
import { joinSafetensors } from '../../test-support/raw-safetensors.js';
import { thrownBundleError } from '../../test-support/bundle-errors.js';
import { BundleError } from './errors.js';
import { float32View, parseSafetensors, serializeSafetensors, toFloat32 } from './safetensors.js';

/** A safetensors file from a hand-written header (no validation: for building broken files). */
function rawFile(header: unknown, data: Uint8Array, headerText = JSON.stringify(header)): Uint8Array {
  return joinSafetensors(headerText, data);
}

function parseError(bytes: Uint8Array): BundleError {
  return thrownBundleError(() => parseSafetensors(bytes, 'x.safetensors'), 'parseSafetensors');
}

describe('serializeSafetensors / parseSafetensors', () => {
  it('round-trips tensors of several dtypes and the metadata map', () => {
    const f32 = new Float32Array([1.5, -2, 3.25, 0]);
    const i64 = new BigInt64Array([1n, -2n, 2n ** 40n]);
    const u8 = new Uint8Array([0, 1, 2, 255, 7]);
    const bytes = serializeSafetensors(
      [
        { name: 'u8', dtype: 'U8', shape: [5], data: u8 },
        { name: 'f32', dtype: 'F32', shape: [2, 2], data: f32 },
        { name: 'i64', dtype: 'I64', shape: [3], data: i64 },
        { name: 'empty', dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
      ],
      { hello: 'world', omnizip: '{"a":1}' },
    );
    const file = parseSafetensors(bytes, 't.safetensors');
    expect(file.metadata).toEqual({ hello: 'world', omnizip: '{"a":1}' });
    expect([...file.tensors.keys()].sort()).toEqual(['empty', 'f32', 'i64', 'u8']);
    expect(Array.from(float32View(file.tensors.get('f32')!))).toEqual([1.5, -2, 3.25, 0]);
    expect(file.tensors.get('f32')!.shape).toEqual([2, 2]);
    const i64Bytes = file.tensors.get('i64')!.bytes;
    expect(Array.from(new BigInt64Array(i64Bytes.slice().buffer))).toEqual([1n, -2n, 2n ** 40n]);
    expect(Array.from(file.tensors.get('u8')!.bytes)).toEqual([0, 1, 2, 255, 7]);
    expect(file.tensors.get('empty')!.elementCount).toBe(0);
  });

  it('aligns the data section to 8 bytes and every tensor to its element size, without holes', () => {
    const bytes = serializeSafetensors([
      { name: 'a', dtype: 'U8', shape: [3], data: new Uint8Array(3) },
      { name: 'b', dtype: 'F16', shape: [3], data: new Uint16Array(3) },
      { name: 'c', dtype: 'F32', shape: [5], data: new Float32Array(5) },
      { name: 'd', dtype: 'F64', shape: [1], data: new Float64Array(1) },
    ]);
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<string, { data_offsets: [number, number]; dtype: string }>;
    const sizes: Record<string, number> = { U8: 1, F16: 2, F32: 4, F64: 8 };
    const ranges = Object.values(header).map((entry) => entry.data_offsets).sort((x, y) => x[0] - y[0]);
    for (const entry of Object.values(header)) expect(entry.data_offsets[0] % sizes[entry.dtype]).toBe(0);
    // Contiguous: the reference implementation rejects gaps between tensors.
    expect(ranges[0][0]).toBe(0);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i][0]).toBe(ranges[i - 1][1]);
    expect(ranges[ranges.length - 1][1]).toBe(bytes.length - 8 - headerLength);
  });

  it('hands out F32 data as a zero-copy view when aligned and copies when not', () => {
    const bytes = serializeSafetensors([{ name: 'x', dtype: 'F32', shape: [3], data: new Float32Array([1, 2, 3]) }]);
    const aligned = float32View(parseSafetensors(bytes, 'a').tensors.get('x')!);
    expect(aligned.buffer).toBe(bytes.buffer);

    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const misaligned = float32View(parseSafetensors(shifted.subarray(1), 'b').tensors.get('x')!);
    expect(misaligned.buffer).not.toBe(shifted.buffer);
    expect(Array.from(misaligned)).toEqual([1, 2, 3]);
  });

  it('widens F16, BF16 and F64 tensors to float32', () => {
    const bytes = serializeSafetensors([
      { name: 'h', dtype: 'F16', shape: [2], data: new Uint16Array([0x3c00, 0xc100]) },
      { name: 'b', dtype: 'BF16', shape: [2], data: new Uint16Array([0x3f80, 0x4040]) },
      { name: 'd', dtype: 'F64', shape: [1], data: new Float64Array([0.5]) },
    ]);
    const file = parseSafetensors(bytes, 'w');
    expect(Array.from(toFloat32(file.tensors.get('h')!))).toEqual([1, -2.5]);
    expect(Array.from(toFloat32(file.tensors.get('b')!))).toEqual([1, 3]);
    expect(Array.from(toFloat32(file.tensors.get('d')!))).toEqual([0.5]);
  });

  it('accepts a header padded with trailing spaces', () => {
    const header = { x: { dtype: 'U8', shape: [2], data_offsets: [0, 2] } };
    const file = parseSafetensors(rawFile(header, new Uint8Array([4, 5]), JSON.stringify(header) + '     '), 'p');
    expect(Array.from(file.tensors.get('x')!.bytes)).toEqual([4, 5]);
  });

  it('refuses a byte count that does not match dtype x shape when serialising', () => {
    expect(() => serializeSafetensors([{ name: 'x', dtype: 'F32', shape: [3], data: new Float32Array(2) }])).toThrow(/tensor 'x'/);
  });
});

describe('parseSafetensors rejects malformed files', () => {
  const valid = { x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  const data = new Uint8Array(8);

  it('a file too short for the header length', () => {
    const err = parseError(new Uint8Array([1, 2, 3]));
    expect(err.subject).toBe('header');
    expect(err.message).toMatch(/x\.safetensors: header: .*too short/);
  });

  it('a header length beyond the end of the file', () => {
    const bytes = rawFile(valid, data);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(bytes.length), true);
    expect(parseError(bytes).message).toMatch(/header: header length \d+ runs past the end/);
  });

  it('a truncated file (tensor data cut off)', () => {
    const bytes = rawFile(valid, data);
    const err = parseError(bytes.subarray(0, bytes.length - 3));
    expect(err.subject).toBe('x');
    expect(err.message).toMatch(/tensor 'x': data_offsets \[0, 8\] lie outside the 5-byte data section/);
  });

  it('a header that is not JSON', () => {
    expect(parseError(rawFile(null, data, '{"x": garbage!!')).message).toMatch(/header: header is not valid JSON/);
  });

  it('a header that is JSON but not an object', () => {
    expect(parseError(rawFile([1, 2], data)).message).toMatch(/header JSON is not an object/);
  });

  it('a header that is not UTF-8', () => {
    const bytes = rawFile(null, data, '{}');
    bytes[8] = 0xff;
    expect(parseError(bytes).message).toMatch(/not valid UTF-8/);
  });

  it('overlapping byte ranges', () => {
    const header = {
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
    };
    const err = parseError(rawFile(header, new Uint8Array(12)));
    expect(err.message).toMatch(/tensor 'b': byte range \[4, 12\) overlaps tensor 'a'/);
  });

  it('a byte range outside the data section', () => {
    const header = { x: { dtype: 'F32', shape: [2], data_offsets: [8, 16] } };
    expect(parseError(rawFile(header, data)).message).toMatch(/tensor 'x': data_offsets \[8, 16\] lie outside/);
  });

  it('a byte count that does not match dtype x shape', () => {
    const header = { x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } };
    expect(parseError(rawFile(header, data)).message).toMatch(/tensor 'x': holds 8 bytes but F32 \[3\] needs 12/);
  });

  it('an unsupported dtype', () => {
    const header = { x: { dtype: 'F4', shape: [2], data_offsets: [0, 1] } };
    expect(parseError(rawFile(header, data)).message).toMatch(/tensor 'x': unsupported dtype "F4"/);
  });

  it('entries without a valid shape or offsets', () => {
    expect(parseError(rawFile({ x: { dtype: 'U8', shape: [-1], data_offsets: [0, 1] } }, data)).message).toMatch(/tensor 'x': shape \[-1\]/);
    expect(parseError(rawFile({ x: { dtype: 'U8', shape: [1], data_offsets: [1] } }, data)).message).toMatch(/tensor 'x': data_offsets \[1\]/);
    expect(parseError(rawFile({ x: { dtype: 'U8', shape: [1], data_offsets: [2, 1] } }, data)).message).toMatch(/end before they begin/);
    expect(parseError(rawFile({ x: 5 }, data)).message).toMatch(/tensor 'x': header entry is not an object/);
  });

  it('a __metadata__ map with non-string values', () => {
    expect(parseError(rawFile({ __metadata__: { a: 1 } }, data)).message).toMatch(/__metadata__ entry 'a' is not a string/);
  });
});
