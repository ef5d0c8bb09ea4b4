/**
 * Seeded pseudo-random numbers for the demo encoders' fixed weights: the same seed gives the same
 * model bytes on every machine, so the demo bundle is reproducible without shipping weights.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1) (mulberry32). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = Math.max(this.next(), 1e-12);
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** rows x cols matrix of N(0, scale^2) values, row-major. */
  gaussianMatrix(rows: number, cols: number, scale: number): Float32Array {
    const out = new Float32Array(rows * cols);
    for (let i = 0; i < out.length; i++) out[i] = this.normal() * scale;
    return out;
  }
}
