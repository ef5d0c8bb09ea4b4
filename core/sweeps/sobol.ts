/**
 * Sobol low-discrepancy points, unscrambled, in Gray-code order (Antonov-Saleev), written from the
 * construction in Bratley & Fox (1988) and Joe & Kuo (2008). Dimension 1 is the van der Corput
 * sequence in base 2; dimension j > 1 uses a primitive polynomial of degree s over GF(2) with
 * coefficients a and initial direction numbers m_1..m_s, from Joe & Kuo's new-joe-kuo-6.21201
 * table (its first rows, enough for every numeric config key at once). The points match
 * scipy.stats.qmc.Sobol(scramble=False) point for point.
 */

/** [s, a, m_1..m_s] for dimensions 2..16. */
const JOE_KUO: ReadonlyArray<readonly [number, number, readonly number[]]> = [
  [1, 0, [1]],
  [2, 1, [1, 3]],
  [3, 1, [1, 3, 1]],
  [3, 2, [1, 1, 1]],
  [4, 1, [1, 1, 3, 3]],
  [4, 4, [1, 3, 5, 13]],
  [5, 2, [1, 1, 5, 5, 17]],
  [5, 4, [1, 1, 5, 5, 5]],
  [5, 7, [1, 1, 7, 11, 19]],
  [5, 11, [1, 1, 5, 1, 1]],
  [5, 13, [1, 1, 1, 3, 11]],
  [5, 14, [1, 3, 5, 5, 31]],
  [6, 1, [1, 3, 3, 9, 7, 49]],
  [6, 13, [1, 1, 1, 15, 21, 21]],
  [6, 16, [1, 3, 1, 13, 27, 49]],
];

export const SOBOL_MAX_DIMENSIONS = JOE_KUO.length + 1;
const BITS = 32;

/** Direction numbers v_k = m_k · 2^(32-k) of one dimension, k = 1..32. */
function directionNumbers(dim: number): Uint32Array {
  const v = new Uint32Array(BITS);
  if (dim === 0) {
    for (let k = 0; k < BITS; k++) v[k] = 2 ** (BITS - 1 - k);
    return v;
  }
  const [s, a, m] = JOE_KUO[dim - 1];
  for (let k = 0; k < s; k++) v[k] = (m[k] * 2 ** (BITS - 1 - k)) >>> 0;
  for (let k = s; k < BITS; k++) {
    let value = (v[k - s] ^ (v[k - s] >>> s)) >>> 0;
    for (let i = 1; i < s; i++) {
      // Bit (s - 1 - i) of a is the coefficient of x^i in the polynomial.
      if ((a >>> (s - 1 - i)) & 1) value = (value ^ v[k - i]) >>> 0;
    }
    v[k] = value;
  }
  return v;
}

/** The first `count` points of the `dims`-dimensional Sobol sequence, each coordinate in [0, 1). */
export function sobolPoints(count: number, dims: number): number[][] {
  if (dims < 1 || dims > SOBOL_MAX_DIMENSIONS) throw new RangeError(`Sobol points need 1..${SOBOL_MAX_DIMENSIONS} dimensions (got ${dims})`);
  const directions = Array.from({ length: dims }, (_, d) => directionNumbers(d));
  const x = new Uint32Array(dims);
  const out: number[][] = [];
  for (let i = 0; i < count; i++) {
    out.push(Array.from(x, (xi) => xi / 2 ** BITS));
    // Gray-code update: flip the direction number of the lowest zero bit of i.
    let c = 0;
    let n = i;
    while (n & 1) {
      n >>>= 1;
      c++;
    }
    for (let d = 0; d < dims; d++) x[d] = (x[d] ^ directions[d][c]) >>> 0;
  }
  return out;
}
