/**
 * Numeric rules the official Python code follows and JavaScript does not by default.
 */

export { mulberry32, roundHalfEven } from '../util/numeric.js';

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
