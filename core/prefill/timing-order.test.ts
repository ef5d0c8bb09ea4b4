import { describe, expect, it } from 'vitest';
import { makeSyntheticBundle } from '../../test-support/synthetic/index.js';
import { DEFAULT_CONFIG } from '../config/schema.js';
import { prefillInputFromBundle } from './clip.js';
import { DEFAULT_DEMO_DECODER, type DemoDecoderConfig } from './demo-decoder.js';
import { runPrefillBenchmark, TIMING_ORDER_SEED } from './runner.js';
import { latencyStats, relativeSpread, speedupReliability, timingOrder, UNRELIABLE_SPREAD } from './stats.js';

// Issue 14, defect 2: sequences were timed one after the other in ascending length, so whichever
// ran first (OmniZip's, on the demo) paid the warm-up of the allocator and the clock, and two
// settings of identical length came out 2.07x and 3.48x.

const tiny: DemoDecoderConfig = { ...DEFAULT_DEMO_DECODER, hiddenSize: 32, numLayers: 1, numAttentionHeads: 4, numKeyValueHeads: 2, intermediateSize: 64, vocabSize: 128, maxSequenceLength: 512, queryBlock: 48 };
const bundle = makeSyntheticBundle({ seconds: 3, hiddenSize: 32, tokensPerFrame: 16, seed: 11 });

describe('prefill timing order', () => {
  it('warms every sequence up, then interleaves timed runs in a fixed-seed shuffled order per round', async () => {
    const input = await prefillInputFromBundle(bundle, [
      { label: 'a', config: { ...DEFAULT_CONFIG, rho_video: 0.7 } },
      { label: 'b', config: { ...DEFAULT_CONFIG, rho_video: 0.5 } },
    ]);
    const stages: string[] = [];
    const runs = 4;
    const report = await runPrefillBenchmark(input, {
      model: { kind: 'demo', config: tiny },
      provider: 'cpu',
      runs,
      warmupRuns: 1,
      onProgress: (p) => {
        if (/: (warm-up|run) /.test(p.stage)) stages.push(p.stage);
      },
    });
    const labels = ['full', 'a', 'b'];
    expect(report.runs.map((r) => r.label)).toEqual(labels);
    // Every sequence is warmed up on its own shape before any timed run.
    const warmups = stages.filter((s) => s.includes('warm-up'));
    expect(warmups.map((s) => s.split(':')[0]).sort()).toEqual([...labels].sort());
    expect(stages.findIndex((s) => s.includes(': run '))).toBe(warmups.length);
    // Timed runs: each round runs every sequence once, in that round's fixed-seed order.
    const timed = stages.filter((s) => s.includes(': run ')).map((s) => s.split(':')[0]);
    const expected = timingOrder(labels.length, runs, TIMING_ORDER_SEED).flat().map((i) => labels[i]);
    expect(timed).toEqual(expected);
    for (let r = 0; r < runs; r++) expect([...timed.slice(r * 3, r * 3 + 3)].sort()).toEqual([...labels].sort());
    // Not the old scheme (all runs of one sequence back to back, smallest first).
    expect(timed).not.toEqual(labels.flatMap((l) => Array(runs).fill(l)));
    expect(report.settings.timingOrderSeed).toBe(TIMING_ORDER_SEED);
    for (const run of report.runs) {
      expect(run.latency.runs).toBe(runs);
      expect(run.warmupMs).toHaveLength(1);
    }
    for (const c of report.comparisons) expect(typeof c.timing.reliable).toBe('boolean');
  }, 120_000);

  it('gives every round a permutation, the same for the same seed, and no fixed first place', () => {
    const a = timingOrder(3, 12, 7);
    expect(a).toEqual(timingOrder(3, 12, 7));
    for (const round of a) expect([...round].sort()).toEqual([0, 1, 2]);
    expect(new Set(a.map((r) => r[0])).size).toBeGreaterThan(1);
  });

  it('flags a speed-up whose runs are too few or too spread, and passes a tight one', () => {
    const tight = latencyStats([100, 101, 102, 100, 103]);
    const loose = latencyStats([100, 180, 102, 95, 150]);
    expect(relativeSpread(tight)).toBeLessThan(UNRELIABLE_SPREAD);
    expect(speedupReliability(tight, latencyStats([50, 51, 50]), 'omnizip')).toEqual({ reliable: true, note: null });
    const spread = speedupReliability(tight, loose, 'omnizip');
    expect(spread.reliable).toBe(false);
    expect(spread.note).toMatch(/^timings too spread for a reliable 'omnizip' speed-up \(\(p95 − min\) \/ median: 'omnizip' 8\d%, limit 25%\)/);
    const few = speedupReliability(latencyStats([100]), latencyStats([50]), 'random');
    expect(few).toEqual({ reliable: false, note: "only 1 timed run: the 'random' speed-up has no spread to judge it by; use at least 3 runs" });
  });
});
