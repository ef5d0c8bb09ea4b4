import { describe, expect, it } from 'vitest';
import { argsort, roundHalfEven } from './numeric.js';
import { audioKeepCounts } from './audio.js';
import { initialRatio } from './groups.js';
import { normalizeBudget } from './budget.js';

describe('Python numeric rules', () => {
  it('rounds half to even like Python round()', () => {
    expect([0.5, 1.5, 2.5, 62.5, 63.5, -1.5, 2.4999, 2.5001].map(roundHalfEven)).toEqual([0, 2, 2, 62, 64, -2, 2, 3]);
  });

  it('derives audio keep counts with banker\'s rounding (Na = 125 keeps 62 dominant, 6 anchors)', () => {
    expect(audioKeepCounts(125, { rho_audio: 0.5, contextual_ratio: 0.05 })).toEqual({ dominant: 62, contextual: 6 });
  });

  it('sorts ties by the lower index in both directions', () => {
    expect(Array.from(argsort([1, 3, 3, 2], true))).toEqual([1, 2, 3, 0]);
    expect(Array.from(argsort([1, 3, 1, 2], false))).toEqual([0, 2, 3, 1]);
  });

  it('maps audio retention to the initial ratio 0.75 - 0.40 S', () => {
    expect(initialRatio(0, { ratio_min: 0.35, ratio_max: 0.75 })).toBe(0.75);
    expect(initialRatio(1, { ratio_min: 0.35, ratio_max: 0.75 })).toBeCloseTo(0.35, 15);
    expect(initialRatio(Math.fround(0.2), { ratio_min: 0.35, ratio_max: 0.75 })).toBe(0.6699999988079071);
  });
});

describe('official budget normalisation', () => {
  it('reproduces the documented ordering inversion (algorithm doc §6 item 13)', () => {
    const initial = [0.43, 0.45, 0.47, 0.41, 0.49];
    const weights = initial.map(() => 288);
    const target = 0.6 * 288 * 5;
    const { ratios, pinned } = normalizeBudget({ initial, weights, target, ratioMin: 0.35, ratioMax: 0.75 });
    expect(ratios.map((r) => Number(r.toFixed(2)))).toEqual([0.67, 0.7, 0.73, 0.41, 0.49]);
    expect(pinned).toEqual([null, null, null, 'min', 'max']);
  });

  it('counts the same group twice when every initial ratio is equal', () => {
    const { trace, ratios } = normalizeBudget({ initial: [0.35, 0.35, 0.35, 0.35], weights: [64, 64, 64, 64], target: 0, ratioMin: 0.35, ratioMax: 0.75 });
    expect(trace.min_idx).toBe(0);
    expect(trace.max_idx).toBe(0);
    expect(trace.scaling).toBeCloseTo((0 - 2 * 0.35 * 64) / (3 * 0.35 * 64), 12);
    expect(ratios).toEqual([0.35, 0.35, 0.35, 0.35]);
  });
});
