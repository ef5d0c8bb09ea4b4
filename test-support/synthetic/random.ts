/**
 * The generator's randomness: integer hashes give every stream and row its own seed, mulberry32
 * (core/util/numeric) drives layout decisions, xorshift32 writes noise straight into Float32Arrays.
 */
import { mulberry32 } from '../../core/util/numeric.js';
import { EMBED_SCALE, NOISE_UNIT } from './options.js';

export function mix32(value: number): number {
  let x = value | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) | 0;
}

/** Order-sensitive hash of integers, used to give every stream and every row its own seed. */
export function hashInts(...parts: number[]): number {
  let h = 0x811c9dc5 | 0;
  for (const part of parts) h = mix32(h ^ Math.imul(part | 0, 0x9e3779b1));
  return h;
}

/** Layout decisions: the core's mulberry32 stream with the draws the generator needs. */
export class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }
  int(count: number): number {
    return Math.floor(this.next() * count);
  }
  chance(probability: number): boolean {
    return this.next() < probability;
  }
}

/** A random direction with i.i.d. uniform entries of standard deviation EMBED_SCALE. */
export function randomDirection(seed: number, size: number): Float32Array {
  const out = new Float32Array(size);
  addNoise(out, 0, size, seed, EMBED_SCALE);
  return out;
}

/** Adds `amplitude` x unit-variance uniform noise (xorshift32 from `seed`) to out[offset ..). */
export function addNoise(out: Float32Array, offset: number, size: number, seed: number, amplitude: number): void {
  let x = seed | 0 || 0x2545f491;
  const scale = amplitude * NOISE_UNIT;
  for (let j = 0; j < size; j++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[offset + j] += scale * x;
  }
}

export function addScaled(out: Float32Array, offset: number, direction: Float32Array, amplitude: number): void {
  for (let j = 0; j < direction.length; j++) out[offset + j] += amplitude * direction[j];
}

/**
 * out[offset + j] = a1*v1[j] + a2*v2[j] + a3*v3[j] + noise A + noise B, in one pass: fusing the
 * terms (rather than adding them one pass each) halves the time to build the reference clip.
 */
export function writeRow(
  out: Float32Array,
  offset: number,
  v1: Float32Array,
  a1: number,
  v2: Float32Array,
  a2: number,
  v3: Float32Array,
  a3: number,
  seedA: number,
  amplitudeA: number,
  seedB: number,
  amplitudeB: number,
): void {
  let x = seedA | 0 || 0x2545f491;
  let y = seedB | 0 || 0x2545f491;
  const scaleA = amplitudeA * NOISE_UNIT;
  const scaleB = amplitudeB * NOISE_UNIT;
  for (let j = 0; j < v1.length; j++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    y ^= y << 13;
    y ^= y >>> 17;
    y ^= y << 5;
    out[offset + j] = a1 * v1[j] + a2 * v2[j] + a3 * v3[j] + scaleA * x + scaleB * y;
  }
}
