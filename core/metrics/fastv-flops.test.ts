import { describe, expect, it } from 'vitest';
import { prunedAfterLayer } from '../methods/fastv.js';
import { compareFlops, paperFlops, prefillFlops } from '../prefill/flops.js';
import { budgetOf } from '../studio/flops-budget.js';
import { metricById } from './registry.js';
import type { PlanMetricContext } from './registry.js';

/**
 * FastV prunes inside the decoder: its first K layers run over the full sequence, the remaining
 * T − K over the kept tokens. Hand-worked figures, T = 2, d = 1, m = 1 (per layer prefill is
 * 4nd² + 2n²d + 2ndm = 6n + 2n²; one decode step is (4d² + 2dm) + 2(dn + d(R+1)/2) = 8 + 2n at R = 1):
 *   full n = 4: prefill 2·(24 + 32) = 112
 *   kept n = 2 before the decoder: prefill 2·(12 + 8) = 40
 *   FastV K = 1, 4 → 2: layer 1 at n = 4 (56) + layer 2 at n = 2 (20) = 76
 *   decode R = 1: layer 1 8 + 2·4 = 16, layer 2 8 + 2·2 = 12: 28, so 76 + 28 = 104
 */
const dims = { layers: 2, hiddenSize: 1, intermediateSize: 1 };

describe('FastV FLOPs: first K layers over the full sequence', () => {
  it('matches the hand-worked split', () => {
    expect(prefillFlops(dims, 4)).toBe(112);
    expect(prefillFlops(dims, 2)).toBe(40);
    expect(prefillFlops(dims, 2, { layer: 1, fullTokens: 4 })).toBe(76);
    expect(paperFlops(dims, 2, 1, { layer: 1, fullTokens: 4 })).toBe(104);
  });

  it('K = 0 is pruning before the decoder; K ≥ T prunes nothing (clamped to the depth)', () => {
    expect(prefillFlops(dims, 2, { layer: 0, fullTokens: 4 })).toBe(40);
    expect(prefillFlops(dims, 2, { layer: 2, fullTokens: 4 })).toBe(112);
    expect(prefillFlops(dims, 2, { layer: 5, fullTokens: 4 })).toBe(112);
  });

  it('the Inference panel figures: prefill speed-up 112 / 76 for FastV, 112 / 40 for pruning before', () => {
    const counts = { audioVideoFull: 4, audioVideoCompressed: 2, sequenceFull: 4, sequenceCompressed: 2 };
    expect(compareFlops(dims, counts, 1).wholeSequence.prefillSpeedup).toBeCloseTo(112 / 40, 12);
    const fastv = compareFlops(dims, counts, 1, 1);
    expect(fastv.wholeSequence.prefillSpeedup).toBeCloseTo(112 / 76, 12);
    expect(fastv.audioVideoOnly.prefillRatio).toBeCloseTo(76 / 112, 12);
  });

  it('the studio budget (Compare table, parameter panel) counts FastV plans as FastV runs', () => {
    const g = { name: 'toy', layers: 2, hidden: 1, ffn: 1 };
    const counts = { audio: { total: 2, kept: 1 }, video: { total: 2, kept: 1 }, sequence: { total: 4, kept: 2 } };
    const full = paperFlops(dims, 4);
    expect(budgetOf(counts, g).flopsSaved).toBeCloseTo(1 - paperFlops(dims, 2) / full, 12);
    expect(budgetOf(counts, g, 1).flopsSaved).toBeCloseTo(1 - paperFlops(dims, 2, 100, { layer: 1, fullTokens: 4 }) / full, 12);
    expect(prunedAfterLayer({ method: 'fastv', config: { fastv_layer: 5 } })).toBe(5);
    expect(prunedAfterLayer({ method: 'dycoke', config: { fastv_layer: 5 } })).toBeNull();
  });

  it('the sweeps metrics flops_ratio and prefill_flops_ratio', () => {
    const plan = { method: 'fastv', config: { fastv_layer: 1 }, counts: { sequence: { total: 4, kept: 2 } } };
    const ctx = { plan, flops: dims } as unknown as PlanMetricContext;
    const compute = (id: string, c: PlanMetricContext) => (metricById(id)?.compute as (x: PlanMetricContext) => number)(c);
    expect(compute('prefill_flops_ratio', ctx)).toBeCloseTo(76 / 112, 12);
    expect(compute('flops_ratio', ctx)).toBeCloseTo(paperFlops(dims, 2, 100, { layer: 1, fullTokens: 4 }) / paperFlops(dims, 4), 12);
    const omnizip = { ...ctx, plan: { ...plan, method: 'omnizip' } } as unknown as PlanMetricContext;
    expect(compute('prefill_flops_ratio', omnizip)).toBeCloseTo(40 / 112, 12);
  });
});
