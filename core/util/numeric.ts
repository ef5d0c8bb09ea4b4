/** Small numeric helpers shared across the core (Python's rounding, seeded randomness, stable argsort). */

/** Python's round() on a float: ties go to the even integer (round(62.5) = 62, round(63.5) = 64). */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** mulberry32: a tiny seeded PRNG with uniforms in [0, 1); the same seed gives the same stream everywhere. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
