import { mulberry32 } from '../util/numeric.js';

/** Latency statistics over repeated timed runs (the warm-up run is never part of `samples`). */
export interface LatencyStats {
  runs: number;
  /** Every timed run, ms, in execution order. */
  samplesMs: number[];
  medianMs: number;
  /** 95th percentile, nearest-rank: the smallest sample >= 95% of the samples. */
  p95Ms: number;
  minMs: number;
  maxMs: number;
  meanMs: number;
}

/** Nearest-rank percentile (no interpolation, so the value is always an observed run). */
export function percentileNearestRank(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of an empty sample');
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

/** Median with the usual even-count average of the two middle samples. */
export function median(sorted: readonly number[]): number {
  if (sorted.length === 0) throw new RangeError('median of an empty sample');
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function latencyStats(samplesMs: readonly number[]): LatencyStats {
  if (samplesMs.length === 0) throw new RangeError('latency statistics need at least one timed run');
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const sum = sorted.reduce((s, x) => s + x, 0);
  return {
    runs: sorted.length,
    samplesMs: [...samplesMs],
    medianMs: median(sorted),
    p95Ms: percentileNearestRank(sorted, 95),
    minMs: sorted[0],
    maxMs: sorted[sorted.length - 1],
    meanMs: sum / sorted.length,
  };
}

/** Above this relative spread of either side's timed runs, a measured speed-up is flagged. */
export const UNRELIABLE_SPREAD = 0.25;
/** Fewer timed runs than this give no spread worth trusting. */
export const MIN_RELIABLE_RUNS = 3;

/** Relative spread of the timed runs: (p95 − min) / median. */
export function relativeSpread(s: LatencyStats): number {
  return s.medianMs > 0 ? (s.p95Ms - s.minMs) / s.medianMs : Number.POSITIVE_INFINITY;
}

/**
 * Whether a speed-up of `compressed` over `full` can be read at face value: each side needs
 * MIN_RELIABLE_RUNS timed runs and a spread under UNRELIABLE_SPREAD. The note says why not.
 */
export function speedupReliability(full: LatencyStats, compressed: LatencyStats, compressedLabel: string): { reliable: boolean; note: string | null } {
  const runs = Math.min(full.runs, compressed.runs);
  if (runs < MIN_RELIABLE_RUNS) {
    return { reliable: false, note: `only ${runs} timed run${runs === 1 ? '' : 's'}: the '${compressedLabel}' speed-up has no spread to judge it by; use at least ${MIN_RELIABLE_RUNS} runs` };
  }
  const spreads: [string, number][] = [['full', relativeSpread(full)], [compressedLabel, relativeSpread(compressed)]];
  const wide = spreads.filter(([, s]) => s > UNRELIABLE_SPREAD);
  if (wide.length === 0) return { reliable: true, note: null };
  const text = wide.map(([label, s]) => `'${label}' ${(s * 100).toFixed(0)}%`).join(', ');
  return {
    reliable: false,
    note: `timings too spread for a reliable '${compressedLabel}' speed-up ((p95 − min) / median: ${text}, limit ${(UNRELIABLE_SPREAD * 100).toFixed(0)}%); rerun with more runs on a quieter machine`,
  };
}

/**
 * The order sequences are timed in, one permutation per round: a fixed-seed shuffle, so no
 * sequence always runs first or right after the longest one (the order a clock-speed ramp, a
 * growing allocator arena or a noisy neighbour would otherwise bias), and reruns repeat it.
 */
export function timingOrder(sequences: number, rounds: number, seed: number): number[][] {
  const random = mulberry32(seed);
  const out: number[][] = [];
  for (let r = 0; r < rounds; r++) {
    const order = Array.from({ length: sequences }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    out.push(order);
  }
  return out;
}
