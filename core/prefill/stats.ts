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
