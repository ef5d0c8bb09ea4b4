import { describe, expect, it } from 'vitest';
import { decodeFrame, decodeRepeatedFrame, encodeFrame, encodeFrameParts, encodeRepeatedFrameParts, joinFrame, MIN_REPEATED_ARRAY_BYTES, WireError } from './wire.js';

/** A frame written by hand (as a hostile or buggy peer could): the JSON, then `blob` at the first 8-aligned offset. */
function frameWith(json: string, blob: number[] = []): Uint8Array {
  const bytes = new TextEncoder().encode(json);
  const at = (8 + bytes.length + 7) & ~7;
  const out = new Uint8Array(at + Math.max(64, blob.length));
  out.set([0x4f, 0x4d, 0x5a, 0x31]);
  new DataView(out.buffer).setUint32(4, bytes.length, true);
  out.set(bytes, 8);
  out.set(blob, at);
  return out;
}

describe('wire frames', () => {
  it('round-trips typed arrays as binary, with NaN and infinities intact', () => {
    const value = {
      a: new Uint8Array([1, 2, 3]),
      nested: { f: new Float32Array([0.5, NaN, -Infinity]), i: new Int32Array([-1, 7]) },
      list: [new Int8Array([-1, 0, 1]), 'text', null, 4.25],
      n: Infinity,
    };
    const bytes = encodeFrame(value);
    const back = decodeFrame(bytes) as typeof value;
    expect(back.a).toBeInstanceOf(Uint8Array);
    expect([...back.a]).toEqual([1, 2, 3]);
    expect(back.nested.f).toBeInstanceOf(Float32Array);
    expect(back.nested.f[0]).toBe(0.5);
    expect(Number.isNaN(back.nested.f[1])).toBe(true);
    expect(back.nested.f[2]).toBe(-Infinity);
    expect([...back.nested.i]).toEqual([-1, 7]);
    expect([...(back.list[0] as Int8Array)]).toEqual([-1, 0, 1]);
    expect(back.list.slice(1)).toEqual(['text', null, 4.25]);
    expect(back.n).toBe(Infinity);
  });

  it('sends Node Buffers as bytes, not as their toJSON number lists', () => {
    const back = decodeFrame(encodeFrame({ rgb: Buffer.from([9, 8, 7]) })) as { rgb: Uint8Array };
    expect(back.rgb).toBeInstanceOf(Uint8Array);
    expect([...back.rgb]).toEqual([9, 8, 7]);
  });

  it('keeps binary payloads out of the JSON (a 1 MB mask costs ~1 MB, not ~2 MB of digits)', () => {
    const bytes = encodeFrame({ mask: new Uint8Array(1 << 20).fill(1) });
    expect(bytes.byteLength).toBeLessThan((1 << 20) + 256);
  });

  it('decodes from an unaligned view (as Node hands request bodies over)', () => {
    const frame = encodeFrame({ f: new Float32Array([1, 2, 3]) });
    const shifted = new Uint8Array(frame.byteLength + 3);
    shifted.set(frame, 3);
    const back = decodeFrame(shifted.subarray(3)) as { f: Float32Array };
    expect([...back.f]).toEqual([1, 2, 3]);
  });

  it('rejects garbage, truncated frames and blobs past the end', () => {
    expect(() => decodeFrame(new TextEncoder().encode('{"a":1}'))).toThrow(WireError);
    const frame = encodeFrame({ f: new Float32Array(64) });
    expect(() => decodeFrame(frame.subarray(0, frame.byteLength - 16))).toThrow(/runs past the end/);
    const header = encodeFrame({ x: 1 });
    new DataView(header.buffer).setUint32(4, 1e6, true);
    expect(() => decodeFrame(header)).toThrow(/JSON length/);
  });

  it('revives typed arrays and non-finite numbers anywhere: the root, arrays of objects, keys named like Object.prototype members', () => {
    expect([...(decodeFrame(encodeFrame(new Uint16Array([3, 65535]))) as Uint16Array)]).toEqual([3, 65535]);
    expect(decodeFrame(encodeFrame(-Infinity))).toBe(-Infinity);
    const back = decodeFrame(encodeFrame({ groups: [{ keep: new Uint8Array([1]), score: NaN }, { keep: new Uint8Array([0, 1]), score: 2 }], toString: new Float64Array([1.5]) })) as {
      groups: { keep: Uint8Array; score: number }[];
      toString: Float64Array;
    };
    expect(back.groups.map((g) => [...g.keep])).toEqual([[1], [0, 1]]);
    expect(Number.isNaN(back.groups[0].score)).toBe(true);
    expect(back.toString).toBeInstanceOf(Float64Array);
  });

  it('keeps a __proto__ key an own key when it holds a typed array or a $number', () => {
    const head = frameWith('{"a":{"__proto__":{"$number":"NaN"}},"b":{"__proto__":{"$typed":"u8","blob":0,"length":2}}}', [5, 6]);
    const back = decodeFrame(head) as { a: Record<string, unknown>; b: Record<string, unknown> };
    expect(Object.getPrototypeOf(back.a)).toBe(Object.prototype);
    expect(Object.hasOwn(back.a, '__proto__') && Number.isNaN(back.a['__proto__'] as number)).toBe(true);
    expect(Object.getPrototypeOf(back.b)).toBe(Object.prototype);
    expect([...(back.b['__proto__'] as Uint8Array)]).toEqual([5, 6]);
  });

  it('refuses typed-array descriptors with an unknown kind (including inherited names), a negative blob or a missing blob', () => {
    expect(() => decodeFrame(frameWith('{"x":{"$typed":"toString","blob":0,"length":1}}'))).toThrow(/malformed typed-array descriptor/);
    expect(() => decodeFrame(frameWith('{"x":{"$typed":"u8","blob":-1,"length":1}}'))).toThrow(/malformed typed-array descriptor/);
    expect(() => decodeFrame(frameWith('{"x":{"$typed":"u8","blob":1,"length":1}}'))).toThrow(/missing blob 0/);
  });

  it('encodes in parts that view the typed arrays uncopied and join to the one-buffer frame', () => {
    const scores = new Float32Array([0.25, NaN]);
    const value = { plain: { groups: [{ range: [1, 2], mode: 'spatial' }] }, scores, odd: new Uint8Array([1, 2, 3]), n: NaN };
    const { parts, byteLength } = encodeFrameParts(value);
    expect(parts.some((p) => p.buffer === scores.buffer)).toBe(true);
    expect(parts.reduce((a, p) => a + p.byteLength, 0)).toBe(byteLength);
    const joined = joinFrame({ parts, byteLength });
    expect(joined).toEqual(encodeFrame(value));
    const back = decodeFrame(joined) as typeof value;
    expect(back.plain).toEqual(value.plain);
    expect([...back.odd]).toEqual([1, 2, 3]);
    expect(Number.isNaN(back.n) && Number.isNaN(back.scores[1])).toBe(true);
  });

  it('leaves the values it encodes untouched and drops undefined keys, as JSON does', () => {
    const value = { keep: [1, { x: undefined, y: 2 }], arr: new Int32Array([5]), list: [Infinity, 1], when: new Date(0) };
    const back = decodeFrame(encodeFrame(value)) as Record<string, unknown>;
    expect(back.keep).toEqual([1, { y: 2 }]);
    expect(back.list).toEqual([Infinity, 1]);
    expect(back.when).toEqual({});
    expect(value.arr).toBeInstanceOf(Int32Array);
    expect(value.list[0]).toBe(Infinity);
  });

  it('repeats arrays of the previous frame of a stream by reference, and each end remembers the same bytes', () => {
    const big = new Float32Array(MIN_REPEATED_ARRAY_BYTES).map((_, i) => i);
    const mask = new Uint8Array(MIN_REPEATED_ARRAY_BYTES).fill(1);
    const tiny = new Uint8Array([5]);
    const one = encodeRepeatedFrameParts({ big, mask, tiny }, []);
    const got1 = decodeRepeatedFrame(joinFrame(one), []);
    // The second frame: `big` unchanged (moved to another key), `mask` changed, `tiny` too small to reference.
    mask[0] = 0;
    const two = encodeRepeatedFrameParts({ moved: { big: big.slice() }, mask, tiny }, one.memory);
    expect(two.byteLength).toBeLessThan(one.byteLength - big.byteLength + 64);
    const got2 = decodeRepeatedFrame(joinFrame(two), got1.memory);
    const v2 = got2.value as { moved: { big: Float32Array }; mask: Uint8Array; tiny: Uint8Array };
    expect(v2.moved.big).toEqual(big);
    expect(v2.mask[0]).toBe(0);
    expect([...v2.tiny]).toEqual([5]);
    // The sender kept a copy of what it sent, not a view of memory that has changed since.
    expect(one.memory[1][0]).toBe(1);
    expect(got2.memory.map((m) => m.byteLength)).toEqual(two.memory.map((m) => m.byteLength));
    // Without the stream's memory a repeating frame is refused, never misread.
    expect(() => decodeFrame(joinFrame(two))).toThrow(WireError);
    expect(() => decodeRepeatedFrame(joinFrame(two), [])).toThrow(/no such array/);
  });

  it('refuses repeated-array descriptors a hostile or buggy peer could write', () => {
    const earlier = [new Uint8Array(8)];
    const bad = [
      ['{"$typed":"u8","again":0,"at":0,"length":8}', null, /stream memory/],
      ['{"$typed":"u8","again":0,"at":1000000000,"length":8}', earlier, /memory index 1000000000 of a frame with 1 arrays/],
      ['[{"$typed":"u8","again":0,"at":0,"length":8},{"$typed":"u8","again":0,"at":0,"length":8}]', earlier, /two arrays of one frame claim memory index 0/],
      ['{"$typed":"f64","again":0,"at":0,"length":2}', earlier, /which its 8 bytes are not/],
      ['{"$typed":"u8","again":0,"blob":0,"at":0,"length":8}', earlier, /malformed repeated-array/],
      ['{"$typed":"u8","blob":0,"length":8}', earlier, /no memory index/],
    ] as const;
    for (const [json, memory, message] of bad) {
      const frame = frameWith(json);
      expect(() => (memory ? decodeRepeatedFrame(frame, memory) : decodeFrame(frame)), json).toThrow(message);
    }
  });
});
