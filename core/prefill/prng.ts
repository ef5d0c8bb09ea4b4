/**
 * Seeded pseudo-random numbers for the demo decoder's weights and the stand-in text embeddings:
 * the same seed gives bit-identical weights on every machine, so results are reproducible.
 */

import { mulberry32 } from '../util/numeric.js';

export { mulberry32 };

/** Mixes two integers into one seed so sub-streams (per layer, per tensor) are independent. */
export function deriveSeed(seed: number, stream: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(stream + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}

/** Fills `out` with N(0, std²) samples (Box-Muller on the seeded uniforms). */
export function fillNormal(out: Float32Array, seed: number, std: number): Float32Array {
  const uniform = mulberry32(seed);
  for (let i = 0; i < out.length; i += 2) {
    // 1 - u keeps the logarithm's argument in (0, 1].
    const radius = Math.sqrt(-2 * Math.log(1 - uniform())) * std;
    const angle = 2 * Math.PI * uniform();
    out[i] = radius * Math.cos(angle);
    if (i + 1 < out.length) out[i + 1] = radius * Math.sin(angle);
  }
  return out;
}
