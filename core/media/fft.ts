/**
 * A mixed-radix complex FFT for any size whose prime factors are small (Whisper's n_fft = 400 =
 * 2^4 * 5^2 is not a power of two). Recursive decimation in time with one twiddle table; scratch
 * buffers are allocated once per plan so a long STFT allocates nothing per frame.
 */
export class FftPlan {
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly factors: number[];
  private readonly scratchRe: Float64Array;
  private readonly scratchIm: Float64Array;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`FFT size must be a positive integer, got ${size}`);
    this.cos = new Float64Array(size);
    this.sin = new Float64Array(size);
    for (let j = 0; j < size; j++) {
      const angle = (-2 * Math.PI * j) / size;
      this.cos[j] = Math.cos(angle);
      this.sin[j] = Math.sin(angle);
    }
    this.factors = [];
    let rest = size;
    for (let p = 2; rest > 1; p++) {
      while (rest % p === 0) {
        this.factors.push(p);
        rest /= p;
      }
      if (p * p > rest && rest > 1) {
        this.factors.push(rest);
        rest = 1;
      }
    }
    this.scratchRe = new Float64Array(Math.max(...this.factors, 1));
    this.scratchIm = new Float64Array(this.scratchRe.length);
  }

  /** out = DFT(in): out[k] = sum_n in[n] exp(-2 pi i k n / N). Input and output must not alias. */
  transform(inRe: Float64Array, inIm: Float64Array, outRe: Float64Array, outIm: Float64Array): void {
    this.recurse(inRe, inIm, 0, 1, this.size, 0, outRe, outIm, 0);
  }

  private recurse(
    inRe: Float64Array, inIm: Float64Array, inOffset: number, stride: number, n: number, depth: number,
    outRe: Float64Array, outIm: Float64Array, outOffset: number,
  ): void {
    if (n === 1) {
      outRe[outOffset] = inRe[inOffset];
      outIm[outOffset] = inIm[inOffset];
      return;
    }
    const p = this.factors[depth];
    const m = n / p;
    // Sub-transforms of the p interleaved subsequences land in consecutive blocks of length m
    // (length-1 transforms are plain copies: no call per sample).
    for (let q = 0; q < p; q++) {
      if (m === 1) {
        outRe[outOffset + q] = inRe[inOffset + q * stride];
        outIm[outOffset + q] = inIm[inOffset + q * stride];
      } else {
        this.recurse(inRe, inIm, inOffset + q * stride, stride * p, m, depth + 1, outRe, outIm, outOffset + q * m);
      }
    }
    const twiddleStep = this.size / n;
    const sRe = this.scratchRe;
    const sIm = this.scratchIm;
    for (let k = 0; k < m; k++) {
      for (let q = 0; q < p; q++) {
        sRe[q] = outRe[outOffset + q * m + k];
        sIm[q] = outIm[outOffset + q * m + k];
      }
      for (let s = 0; s < p; s++) {
        const index = k + s * m;
        let accRe = 0;
        let accIm = 0;
        for (let q = 0; q < p; q++) {
          const t = ((q * index) % n) * twiddleStep; // exp(-2 pi i q index / n), from the size-N table
          const c = this.cos[t];
          const d = this.sin[t];
          accRe += sRe[q] * c - sIm[q] * d;
          accIm += sRe[q] * d + sIm[q] * c;
        }
        outRe[outOffset + index] = accRe;
        outIm[outOffset + index] = accIm;
      }
    }
  }
}
