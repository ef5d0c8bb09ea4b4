import { describe, expect, it } from 'vitest';
import { compareNextToken, cosineSimilarity, klDivergenceFromLogits, logSoftmax, topK } from './fidelity.js';
import { compareFlops, decodeFlops, paperFlops, prefillFlops } from './flops.js';
import { kvCacheBytes } from './kv-cache.js';
import { latencyStats, median, percentileNearestRank } from './stats.js';

describe('fidelity metrics', () => {
  it('computes KL(full || compressed) in nats against a hand-worked pair', () => {
    // p = (1/2, 1/2), q = (1/4, 3/4): KL = 1/2 ln 2 + 1/2 ln(2/3) = 1/2 ln(4/3)
    expect(klDivergenceFromLogits([0, 0], [0, Math.log(3)])).toBeCloseTo(0.5 * Math.log(4 / 3), 12);
    // and the other direction differs: KL(q || p) = 1/4 ln(1/2) + 3/4 ln(3/2)
    expect(klDivergenceFromLogits([0, Math.log(3)], [0, 0])).toBeCloseTo(0.25 * Math.log(0.5) + 0.75 * Math.log(1.5), 12);
  });

  it('gives zero KL for identical or shifted logits and survives huge logits', () => {
    expect(klDivergenceFromLogits([1, 2, 3], [1, 2, 3])).toBe(0);
    expect(klDivergenceFromLogits([1, 2, 3], [101, 102, 103])).toBeLessThan(1e-12);
    const big = logSoftmax([1000, 0]);
    expect(big[0]).toBeCloseTo(0, 12);
    expect(big[1]).toBeCloseTo(-1000, 9);
  });

  it('rejects vocabularies of different size', () => {
    expect(() => klDivergenceFromLogits([1, 2], [1, 2, 3])).toThrow(/equal vocabularies, got 2 and 3/);
  });

  it('ranks top-k largest first with ties to the lower index', () => {
    expect(topK([1, 3, 3, 2], 2)).toEqual([1, 2]);
    expect(topK([5, 4, 3, 2, 1, 9], 3)).toEqual([5, 0, 1]);
    expect(topK([2, 1], 5)).toEqual([0, 1]);
  });

  it('scores top-1, top-5 overlap and hidden-state cosine', () => {
    const full = [10, 9, 8, 7, 6, 0, 0, 0];
    // compressed: token 0 still first, tokens 3 and 4 pushed out by 5 and 6
    const compressed = [10, 9, 8, 0, 0, 7, 6, 0];
    const m = compareNextToken({ logits: full, hidden: [1, 0] }, { logits: compressed, hidden: [1, 1] });
    expect(m.top1Agreement).toBe(1);
    expect(m.top5Overlap).toBeCloseTo(3 / 5, 12);
    expect(m.top1InTop5).toBe(1);
    expect(m.hiddenCosine).toBeCloseTo(Math.SQRT1_2, 12);
    expect(m.fullTop5).toEqual([0, 1, 2, 3, 4]);
    expect(m.compressedTop5).toEqual([0, 1, 2, 5, 6]);
    const flipped = compareNextToken({ logits: [1, 2], hidden: null }, { logits: [2, 1], hidden: null });
    expect(flipped.top1Agreement).toBe(0);
    expect(flipped.hiddenCosine).toBeNull();
    expect(cosineSimilarity([1, 2], [-1, -2])).toBeCloseTo(-1, 12);
  });
});

describe('FLOPs (paper Appendix C)', () => {
  it('matches the formula worked by hand', () => {
    const unit = { layers: 1, hiddenSize: 1, intermediateSize: 1 };
    // prefill: 4nd² + 2n²d + 2ndm = 4 + 2 + 2
    expect(prefillFlops(unit, 1)).toBe(8);
    // one decode step: (4d² + 2dm) + 2(dn + d(R+1)/2) = 6 + 2(1 + 1) = 10
    expect(decodeFlops(unit, 1, 1)).toBe(10);
    expect(paperFlops(unit, 1, 1)).toBe(18);
    // T = 2, n = 3, d = 2, m = 5, R = 2:
    // prefill 2·(4·3·4 + 2·9·2 + 2·3·2·5) = 2·(48 + 36 + 60) = 288
    // decode 2·2·((16 + 20) + 2(6 + 3)) = 4·54 = 216
    expect(paperFlops({ layers: 2, hiddenSize: 2, intermediateSize: 5 }, 3, 2)).toBe(504);
  });

  it('reports a/v-only and whole-sequence ratios separately', () => {
    const dims = { layers: 28, hiddenSize: 3584, intermediateSize: 18944 };
    const c = compareFlops(dims, { audioVideoFull: 9180, audioVideoCompressed: 3213, sequenceFull: 9192, sequenceCompressed: 3225 });
    expect(c.decodeSteps).toBe(100);
    expect(c.audioVideoOnly.tokensCompressed).toBe(3213);
    expect(c.wholeSequence.tokensCompressed).toBe(3225);
    expect(c.audioVideoOnly.ratio).toBeCloseTo(paperFlops(dims, 3213) / paperFlops(dims, 9180), 12);
    expect(c.audioVideoOnly.speedup).toBeCloseTo(1 / c.audioVideoOnly.ratio, 12);
    // Quadratic attention makes the FLOPs ratio fall below the token ratio.
    expect(c.audioVideoOnly.prefillRatio).toBeLessThan(0.35);
    expect(c.wholeSequence.ratio).toBeGreaterThan(c.audioVideoOnly.ratio);
  });
});

describe('KV cache size', () => {
  it('is layers x 2 x kv_heads x tokens x head_dim x bytes', () => {
    expect(kvCacheBytes({ layers: 28, kvHeads: 4, headDim: 128, dtype: 'bfloat16' }, 1000)).toBe(28 * 2 * 4 * 1000 * 128 * 2);
    expect(kvCacheBytes({ layers: 4, kvHeads: 2, headDim: 64, dtype: 'float32' }, 10)).toBe(4 * 2 * 2 * 10 * 64 * 4);
  });
});

describe('latency statistics', () => {
  it('takes the median and a nearest-rank p95', () => {
    const s = latencyStats([5, 1, 3, 2, 4]);
    expect(s.medianMs).toBe(3);
    expect(s.p95Ms).toBe(5);
    expect(s.minMs).toBe(1);
    expect(s.meanMs).toBe(3);
    expect(s.samplesMs).toEqual([5, 1, 3, 2, 4]);
    expect(median([1, 2, 3, 4])).toBe(2.5);
    const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentileNearestRank(twenty, 95)).toBe(19);
    expect(() => latencyStats([])).toThrow(/at least one/);
  });
});
