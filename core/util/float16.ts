/**
 * IEEE half precision (F16) and bfloat16 (BF16) <-> float32 conversion on raw bit patterns.
 * Bundles dumped from a bf16/fp16 model keep the model's dtype; the studio computes in float32.
 * Conversions round to nearest, ties to even, like PyTorch's `.to(torch.float16 / bfloat16)`.
 */

export const HALF_EXPONENT_MASK = 0x7c00;
export const BF16_EXPONENT_MASK = 0x7f80;
/**
 * The lowest exponent bit of each format: (exponent bits) + this reaches 0x8000 only for an
 * exponent of all ones (infinity or NaN), so OR-ing such sums over many values and testing 0x8000
 * says whether any was non-finite, without a branch per value.
 */
const HALF_EXPONENT_ONE = 0x400;
const BF16_EXPONENT_ONE = 0x80;

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/** Exact float value of one F16 bit pattern (subnormals, infinities and NaN included). */
export function halfBitsToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

let halfTable: Uint32Array | null = null;

/** The float32 bit pattern of every F16 bit pattern (256 KiB, built once): bulk widening is one lookup per value. */
function halfToFloatBitsTable(): Uint32Array {
  if (halfTable !== null) return halfTable;
  const table = new Uint32Array(65536);
  // Normal values: the exponent rebiased by 127 - 15 = 112, the mantissa moved up 13 bits.
  for (let h = 0; h < 65536; h++) table[h] = ((h & 0x8000) << 16) | (((h & 0x7fff) << 13) + 0x38000000);
  // Zeros and subnormals (exponent 0), infinities and NaN (exponent 31): as the scalar decoder gives them.
  const values = new Float32Array(table.buffer);
  for (const high of [0x0000, 0x7c00, 0x8000, 0xfc00]) for (let m = 0; m < 0x400; m++) values[high | m] = halfBitsToFloat(high | m);
  halfTable = table;
  return table;
}

/**
 * Widens F16 bit patterns to float32 (exact: every half value is representable) and says whether
 * every value was finite, so a bundle's half embeddings are widened and checked in one pass
 * (a table lookup per value; measured 1.5x faster than a lookup and a separate scan of the result,
 * and than widening by arithmetic with branches for the special exponents).
 */
export function widenHalfBits(src: Uint16Array, out: Float32Array = new Float32Array(src.length)): { values: Float32Array; finite: boolean } {
  const table = halfToFloatBitsTable();
  const outBits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  let exponents = 0;
  for (let i = 0; i < src.length; i++) {
    const h = src[i];
    outBits[i] = table[h];
    exponents |= (h & HALF_EXPONENT_MASK) + HALF_EXPONENT_ONE;
  }
  return { values: out, finite: (exponents & 0x8000) === 0 };
}

/** Whether every F16 bit pattern is finite (no exponent of all ones), without widening. */
export function halfBitsFinite(src: Uint16Array): boolean {
  return exponentsFinite(src, HALF_EXPONENT_MASK, HALF_EXPONENT_ONE);
}

/** Whether every BF16 bit pattern is finite, without widening. */
export function bf16BitsFinite(src: Uint16Array): boolean {
  return exponentsFinite(src, BF16_EXPONENT_MASK, BF16_EXPONENT_ONE);
}

/**
 * Whether no 16-bit pattern has an exponent of all ones (see HALF_EXPONENT_ONE). Two patterns per
 * 32-bit word where the array is 4-byte aligned (each half's sum stays inside its own 16 bits):
 * half the loop of a cold run, which is what an `inspect` pays.
 */
function exponentsFinite(src: Uint16Array, mask: number, one: number): boolean {
  let exponents = 0;
  let from = 0;
  if (src.byteOffset % 4 === 0) {
    const words = new Uint32Array(src.buffer, src.byteOffset, src.length >> 1);
    const pairMask = mask * 0x10001;
    const pairOne = one * 0x10001;
    let pairs = 0;
    for (let i = 0; i < words.length; i++) pairs |= (words[i] & pairMask) + pairOne;
    exponents = (pairs | (pairs >>> 16)) & 0xffff;
    from = words.length * 2;
  }
  for (let i = from; i < src.length; i++) exponents |= (src[i] & mask) + one;
  return (exponents & 0x8000) === 0;
}

/** Widens F16 bit patterns to float32 (exact: every half value is representable). */
export function halfBitsToFloat32Array(src: Uint16Array, out: Float32Array = new Float32Array(src.length)): Float32Array {
  return widenHalfBits(src, out).values;
}

/** Widens BF16 bit patterns to float32 (exact: bf16 is the top half of a float32) and says whether every value was finite. */
export function widenBf16Bits(src: Uint16Array, out: Float32Array = new Float32Array(src.length)): { values: Float32Array; finite: boolean } {
  const outBits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  let exponents = 0;
  for (let i = 0; i < src.length; i++) {
    const h = src[i];
    outBits[i] = h << 16;
    exponents |= (h & BF16_EXPONENT_MASK) + BF16_EXPONENT_ONE;
  }
  return { values: out, finite: (exponents & 0x8000) === 0 };
}

/** Widens BF16 bit patterns to float32 (exact: bf16 is the top half of a float32). */
export function bf16BitsToFloat32Array(src: Uint16Array, out: Float32Array = new Float32Array(src.length)): Float32Array {
  return widenBf16Bits(src, out).values;
}

/** F16 bit pattern of a float32 bit pattern, rounding to nearest even; overflow gives infinity. */
function float32BitsToHalfBits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    // Result is subnormal (or zero): shift the full significand into the 10-bit field.
    if (halfExponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - halfExponent;
    let half = mantissa >>> shift;
    const remainder = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (remainder > halfway || (remainder === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (halfExponent << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  if (remainder > 0x1000 || (remainder === 0x1000 && (half & 1) === 1)) half++;
  return sign | half;
}

/** `value` rounded to float32, then its bit pattern narrowed by `narrow`. */
function narrowFloat(value: number, narrow: (float32Bits: number) => number): number {
  scratchF32[0] = value;
  return narrow(scratchU32[0]);
}

/** Every element's float32 bit pattern narrowed to 16 bits by `narrow`, written into `out`. */
function narrowFloat32Array(src: Float32Array, out: Uint16Array, narrow: (float32Bits: number) => number): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < src.length; i++) out[i] = narrow(bits[i]);
  return out;
}

/** F16 bit pattern nearest to `value` (as float32 first, like a float32 tensor cast to half). */
export function floatToHalfBits(value: number): number {
  return narrowFloat(value, float32BitsToHalfBits);
}

export function float32ArrayToHalfBits(src: Float32Array, out: Uint16Array = new Uint16Array(src.length)): Uint16Array {
  return narrowFloat32Array(src, out, float32BitsToHalfBits);
}

function float32BitsToBf16Bits(x: number): number {
  // NaN must stay NaN: rounding could carry its payload into the exponent's neighbour.
  if ((x & 0x7fffffff) > 0x7f800000) return ((x >>> 16) & 0xffff) | 0x40;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

export function floatToBf16Bits(value: number): number {
  return narrowFloat(value, float32BitsToBf16Bits);
}

export function float32ArrayToBf16Bits(src: Float32Array, out: Uint16Array = new Uint16Array(src.length)): Uint16Array {
  return narrowFloat32Array(src, out, float32BitsToBf16Bits);
}


/** True when an F16 bit pattern is +-infinity or NaN. */
export function isHalfBitsNonFinite(bits: number): boolean {
  return (bits & HALF_EXPONENT_MASK) === HALF_EXPONENT_MASK;
}

/** True when a BF16 bit pattern is +-infinity or NaN. */
export function isBf16BitsNonFinite(bits: number): boolean {
  return (bits & BF16_EXPONENT_MASK) === BF16_EXPONENT_MASK;
}
