import { describe, expect, it } from 'vitest';
import { TINY_DEMO_DECODER } from '../../test-support/demo-decoder.js';
import { makeSyntheticBundle } from '../../test-support/synthetic/index.js';
import { DEFAULT_CONFIG } from '../config/schema.js';
import { prefillInputFromBundle } from './clip.js';
import { type DemoDecoderConfig } from './demo-decoder.js';
import { runPrefillBenchmark } from './runner.js';

const tiny: DemoDecoderConfig = TINY_DEMO_DECODER;
const bundle = makeSyntheticBundle({ seconds: 4, hiddenSize: 64, tokensPerFrame: 16, seed: 7 });
const fastv = { ...DEFAULT_CONFIG, method: 'fastv' as const, fastv_layer: 1 };

describe('FastV prefill (first K layers on the full sequence, the rest on the kept tokens)', () => {
  it('with nothing pruned, the split run gives the full run\'s next token', async () => {
    const input = await prefillInputFromBundle(bundle, [{ label: 'fastv all', config: { ...fastv, rho_audio: 0, rho_video: 0, ratio_min: 0, ratio_max: 0 } }]);
    expect(input.compressed[0].fastvLayer).toBe(1);
    expect(input.compressed[0].tokens).toBe(input.full.tokens);
    const report = await runPrefillBenchmark(input, { model: { kind: 'demo', config: tiny }, provider: 'cpu', runs: 1, warmupRuns: 0 });
    const c = report.comparisons[0];
    expect(c.fidelity.top1Agreement).toBe(1);
    expect(c.fidelity.top5Overlap).toBe(1);
    expect(c.fidelity.klDivergence).toBeLessThan(1e-6);
    expect(c.fidelity.hiddenCosine).toBeCloseTo(1, 5);
    expect(report.runs[1].kvCache.bytes).toBe(report.runs[0].kvCache.bytes);
    expect(report.notes.join(' ')).toMatch(/layers 1\.\.1 on all \d+ tokens, layers 2\.\.2 on the \d+ kept ones/);
  });

  it('pruned: the KV cache holds every token in the first K layers and the kept ones after', async () => {
    const input = await prefillInputFromBundle(bundle, [{ label: 'fastv', config: { ...fastv, rho_audio: 0.4, rho_video: 0.7 } }]);
    const report = await runPrefillBenchmark(input, { model: { kind: 'demo', config: tiny }, provider: 'cpu', runs: 1, warmupRuns: 0 });
    const [full, split] = report.runs;
    expect(split.tokens).toBeLessThan(full.tokens);
    const perTokenLayer = 2 * 2 * 8 * 4; // K and V x kv heads x head dim x float32
    expect(split.kvCache.bytes).toBe(perTokenLayer * (1 * full.tokens + 1 * split.tokens));
    expect(split.memory.rssIncreaseBytes).toBeGreaterThanOrEqual(0);
  });
});
