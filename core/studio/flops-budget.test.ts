import { describe, expect, it } from 'vitest';
import { budgetOf, geometryFor, paperFlops, QWEN25_OMNI_3B, QWEN25_OMNI_7B } from './flops-budget.js';

describe('budget readout', () => {
  it('evaluates the paper formula term by term', () => {
    const g = { name: 't', layers: 2, hidden: 4, ffn: 8 };
    // T(4nd^2 + 2n^2 d + 2ndm) + T R ((4d^2 + 2dm) + 2(dn + d(R+1)/2)) with n=3, R=1
    const expected = 2 * (4 * 3 * 16 + 2 * 9 * 4 + 2 * 3 * 4 * 8) + 2 * 1 * (4 * 16 + 2 * 4 * 8 + 2 * (4 * 3 + (4 * 2) / 2));
    expect(paperFlops(3, g, 1)).toBe(expected);
  });

  it('saves nothing at full retention and more as fewer tokens are kept', () => {
    const full = budgetOf({ audio: { total: 1500, kept: 1500 }, video: { total: 7680, kept: 7680 }, sequence: { total: 9200, kept: 9200 } }, QWEN25_OMNI_7B);
    expect(full.flopsSaved).toBe(0);
    expect(full.retained).toBe(1);
    const paper45 = budgetOf({ audio: { total: 1500, kept: 1125 }, video: { total: 7680, kept: 3072 }, sequence: { total: 9200, kept: 4217 } }, QWEN25_OMNI_7B);
    expect(paper45.retained).toBeCloseTo(4197 / 9180, 6);
    // Attention is quadratic, so FLOPs fall a little faster than the token count (paper: 45% tokens -> 39% FLOPs).
    expect(1 - paper45.flopsSaved).toBeLessThan(paper45.retained);
    expect(1 - paper45.flopsSaved).toBeGreaterThan(0.35);
  });

  it('picks the model geometry from the bundle metadata, else the hidden size', () => {
    expect(geometryFor('Qwen2.5-Omni-3B', 3584)).toBe(QWEN25_OMNI_3B);
    expect(geometryFor(null, 2048)).toBe(QWEN25_OMNI_3B);
    expect(geometryFor('synthetic', 256)).toBe(QWEN25_OMNI_7B);
  });
});
