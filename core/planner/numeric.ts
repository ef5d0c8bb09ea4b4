/**
 * Numeric rules the official Python code follows and JavaScript does not by default.
 */

export { argsort, mulberry32, roundHalfEven } from '../util/numeric.js';

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
