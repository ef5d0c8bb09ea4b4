import { describe, expect, it } from 'vitest';
import {
  bf16BitsToFloat32Array,
  float32ArrayToBf16Bits,
  float32ArrayToHalfBits,
  floatToBf16Bits,
  floatToHalfBits,
  halfBitsToFloat,
  halfBitsToFloat32Array,
  isBf16BitsNonFinite,
  isHalfBitsNonFinite,
  bf16BitsFinite,
  halfBitsFinite,
  widenBf16Bits,
  widenHalfBits,
} from './float16.js';

describe('F16 decoding', () => {
  it('decodes normals, subnormals, zeros, infinities and NaN', () => {
    expect(halfBitsToFloat(0x3c00)).toBe(1);
    expect(halfBitsToFloat(0xc000)).toBe(-2);
    expect(halfBitsToFloat(0x7bff)).toBe(65504);
    expect(halfBitsToFloat(0x0400)).toBe(2 ** -14); // smallest normal
    expect(halfBitsToFloat(0x0001)).toBe(2 ** -24); // smallest subnormal
    expect(halfBitsToFloat(0x03ff)).toBe(1023 * 2 ** -24); // largest subnormal
    expect(Object.is(halfBitsToFloat(0x8000), -0)).toBe(true);
    expect(halfBitsToFloat(0x7c00)).toBe(Infinity);
    expect(halfBitsToFloat(0xfc00)).toBe(-Infinity);
    expect(halfBitsToFloat(0x7e00)).toBeNaN();
    expect(halfBitsToFloat(0x7c01)).toBeNaN();
  });

  it('bulk widening agrees with the scalar decoder on every bit pattern', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const widened = halfBitsToFloat32Array(all);
    const mismatches: number[] = [];
    for (let bits = 0; bits < 65536; bits++) {
      if (!Object.is(widened[bits], halfBitsToFloat(bits))) mismatches.push(bits);
    }
    expect(mismatches).toEqual([]);
  });

  it('says whether every widened value is finite, for each single bit pattern and for runs of them', () => {
    const wrong: number[] = [];
    for (let bits = 0; bits < 65536; bits++) {
      // The pattern alone, and hidden after finite values (a subnormal, a zero, a normal).
      for (const run of [[bits], [0x0001, 0x8000, 0x3c00, bits]]) {
        if (widenHalfBits(new Uint16Array(run)).finite !== !isHalfBitsNonFinite(bits)) wrong.push(bits);
      }
    }
    expect(wrong).toEqual([]);
    expect(widenHalfBits(new Uint16Array(0)).finite).toBe(true);
  });

  it('checks finiteness on the bits alone, as widening would find it, for F16 and BF16', () => {
    const wrong: string[] = [];
    for (let bits = 0; bits < 65536; bits++) {
      // Low and high half of a 32-bit word, an odd tail, and a view that is not 4-byte aligned.
      for (const run of [new Uint16Array([0x0001, 0x3c00, bits, 0x8000]), new Uint16Array([0x3c00, bits]), new Uint16Array([0x0001, 0x3c00, bits]), new Uint16Array([0, bits, 1, 2]).subarray(1)]) {
        if (halfBitsFinite(run) !== widenHalfBits(run).finite) wrong.push(`F16 ${bits}`);
        if (bf16BitsFinite(run) !== widenBf16Bits(run).finite) wrong.push(`BF16 ${bits}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('F16 encoding', () => {
  it('round-trips every finite half value exactly', () => {
    const mismatches: number[] = [];
    for (let bits = 0; bits < 65536; bits++) {
      if (!isHalfBitsNonFinite(bits) && floatToHalfBits(halfBitsToFloat(bits)) !== bits) mismatches.push(bits);
    }
    expect(mismatches).toEqual([]);
  });

  it('rounds to nearest, ties to even', () => {
    // 1 + 2^-11 is exactly halfway between 1 and the next half (1 + 2^-10): ties to even (1).
    expect(floatToHalfBits(1 + 2 ** -11)).toBe(0x3c00);
    // 1 + 3 * 2^-11 is halfway between 1 + 2^-10 (odd) and 1 + 2^-9 (even): goes up.
    expect(floatToHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(floatToHalfBits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01);
  });

  it('handles subnormals, underflow, overflow and specials', () => {
    expect(floatToHalfBits(2 ** -24)).toBe(0x0001);
    expect(floatToHalfBits(2 ** -25)).toBe(0x0000); // tie between 0 and min subnormal: even
    expect(floatToHalfBits(1.5 * 2 ** -25)).toBe(0x0001);
    expect(floatToHalfBits(-(2 ** -30))).toBe(0x8000);
    expect(floatToHalfBits(3 * 2 ** -24)).toBe(0x0003);
    expect(floatToHalfBits(2 ** -14 - 2 ** -26)).toBe(0x0400); // rounds up into the smallest normal
    expect(floatToHalfBits(65504)).toBe(0x7bff);
    expect(floatToHalfBits(65519)).toBe(0x7bff);
    expect(floatToHalfBits(65520)).toBe(0x7c00); // rounds to infinity
    expect(floatToHalfBits(1e6)).toBe(0x7c00);
    expect(floatToHalfBits(-Infinity)).toBe(0xfc00);
    expect(isHalfBitsNonFinite(floatToHalfBits(NaN))).toBe(true);
    expect(halfBitsToFloat(floatToHalfBits(NaN))).toBeNaN();
  });

  it('bulk encoding matches the scalar encoder', () => {
    const values = new Float32Array([0, -0, 1, -1.5, 0.1, 1e-6, 3e-8, 70000, -Infinity, NaN, 12345.678]);
    const bits = float32ArrayToHalfBits(values);
    values.forEach((v, i) => expect(bits[i]).toBe(floatToHalfBits(v)));
  });
});

describe('BF16', () => {
  it('widens by shifting into the top half of a float32', () => {
    const widened = bf16BitsToFloat32Array(new Uint16Array([0x3f80, 0xc040, 0x7f80, 0xff80, 0x7fc0, 0x0001]));
    expect(widened[0]).toBe(1);
    expect(widened[1]).toBe(-3);
    expect(widened[2]).toBe(Infinity);
    expect(widened[3]).toBe(-Infinity);
    expect(widened[4]).toBeNaN();
    expect(widened[5]).toBe(2 ** -133); // float32 subnormal
  });

  it('says whether every widened value is finite', () => {
    const wrong: number[] = [];
    for (let bits = 0; bits < 65536; bits++) {
      for (const run of [[bits], [0x0001, 0x3f80, bits, 0x8000]]) {
        const { values, finite } = widenBf16Bits(new Uint16Array(run));
        if (finite !== !isBf16BitsNonFinite(bits) || finite !== values.every(Number.isFinite)) wrong.push(bits);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('rounds to nearest even and keeps NaN a NaN', () => {
    expect(floatToBf16Bits(1)).toBe(0x3f80);
    expect(floatToBf16Bits(1 + 2 ** -8)).toBe(0x3f80); // tie, even stays
    expect(floatToBf16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82); // tie, odd rounds up
    expect(floatToBf16Bits(1 + 2 ** -8 + 2 ** -15)).toBe(0x3f81);
    expect(isBf16BitsNonFinite(floatToBf16Bits(3.4e38))).toBe(true); // overflow to infinity
    expect(isBf16BitsNonFinite(floatToBf16Bits(NaN))).toBe(true);
    expect(bf16BitsToFloat32Array(new Uint16Array([floatToBf16Bits(NaN)]))[0]).toBeNaN();
    const values = new Float32Array([0.1, -2.5, 1234.5]);
    const roundTrip = bf16BitsToFloat32Array(float32ArrayToBf16Bits(values));
    values.forEach((v, i) => expect(Math.abs(roundTrip[i] - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -8));
  });
});
