/**
 * Numeric rules the official Python code follows and JavaScript does not by default.
 */

/** Python's round() on a float: ties go to the even integer (round(62.5) = 62, round(63.5) = 64). */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Python's int() on a float: truncation toward zero. */
export function truncate(x: number): number {
  return Math.trunc(x);
}

/** Clamp as Python's max(lo, min(hi, x)). */
export function clamp(x: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, x));
}

/** torch's float32 mean of a 0/1 mask slice: the exact count divided in float32. */
export function float32MaskMean(mask: Uint8Array, start: number, end: number): number {
  const n = end - start;
  if (n <= 0) return 0;
  let count = 0;
  for (let i = start; i < end; i++) count += mask[i];
  return Math.fround(count / n);
}

/**
 * Indices ordered by value, descending (or ascending), ties broken by the lower index.
 * NaN sorts last in both directions.
 */
export function argsort(values: ArrayLike<number>, descending: boolean, offset = 0, length = values.length - offset): Int32Array {
  const idx = new Int32Array(length);
  for (let i = 0; i < length; i++) idx[i] = i;
  const sign = descending ? -1 : 1;
  idx.sort((a, b) => {
    const va = values[offset + a];
    const vb = values[offset + b];
    const na = Number.isNaN(va);
    const nb = Number.isNaN(vb);
    if (na || nb) return na === nb ? a - b : na ? 1 : -1;
    if (va !== vb) return sign * (va < vb ? -1 : 1);
    return a - b;
  });
  return idx;
}

/** Deterministic PRNG (mulberry32) for the random baseline. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
