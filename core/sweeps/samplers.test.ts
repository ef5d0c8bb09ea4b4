import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { trialKey } from './canonical.js';
import { gridPoints, randomPoints, sobolSample } from './samplers.js';
import { sobolPoints } from './sobol.js';
import { DEFAULT_CONFIG } from '../config/schema.js';
import { resolveConfig } from '../config/validate.js';

function scipySobol(n: number, d: number): number[][] | null {
  try {
    const out = execFileSync('python3', ['-c', `from scipy.stats import qmc; import json; print(json.dumps(qmc.Sobol(d=${d}, scramble=False).random(${n}).tolist()))`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return JSON.parse(out) as number[][];
  } catch {
    return null;
  }
}

describe('samplers', () => {
  it('grid: every combination, in spec order', () => {
    const pts = gridPoints([
      { key: 'rho_video', kind: 'values', values: [0.5, 0.6] },
      { key: 'g', kind: 'values', values: [0, 3, 15] },
    ]);
    expect(pts).toHaveLength(6);
    expect(pts[0]).toEqual({ rho_video: 0.5, g: 0 });
    expect(pts[5]).toEqual({ rho_video: 0.6, g: 15 });
  });

  it('grid: a range contributes its steps, ends included (log-spaced for log ranges, integers once)', () => {
    const pts = gridPoints([
      { key: 'contextual_ratio', kind: 'range', low: 0, high: 0.1, log: false, integer: false, steps: 3 },
      { key: 'dpc_k', kind: 'range', low: 1, high: 100, log: true, integer: false, steps: 3 },
      { key: 'g', kind: 'range', low: 0, high: 1, log: false, integer: true, steps: 5 },
    ]);
    expect([...new Set(pts.map((p) => p.contextual_ratio))]).toEqual([0, 0.05, 0.1]);
    expect([...new Set(pts.map((p) => p.dpc_k))]).toEqual([1, 10, 100]);
    expect([...new Set(pts.map((p) => p.g))]).toEqual([0, 1]);
    expect(pts).toHaveLength(3 * 3 * 2);
  });

  it('sobol: the known first points of the unscrambled sequence', () => {
    const p = sobolPoints(8, 3);
    expect(p.map((x) => x[0])).toEqual([0, 0.5, 0.75, 0.25, 0.375, 0.875, 0.625, 0.125]);
    expect(p.map((x) => x[1])).toEqual([0, 0.5, 0.25, 0.75, 0.375, 0.875, 0.125, 0.625]);
    expect(p[63 % 8]).toEqual(p[7]);
    expect(sobolPoints(64, 10)[63]).toEqual([0.015625, 0.796875, 0.359375, 0.453125, 0.859375, 0.140625, 0.578125, 0.140625, 0.828125, 0.578125]);
  });

  it('sobol: matches scipy.stats.qmc.Sobol(scramble=False) in all 16 dimensions', (ctx) => {
    const ref = scipySobol(256, 16);
    if (!ref) {
      ctx.skip('python3 with scipy is not available to cross-check against');
      return;
    }
    expect(sobolPoints(256, 16)).toEqual(ref);
  });

  it('sobol: stratifies each dimension (every 1/n-interval hit once in the first n = 2^k points)', () => {
    const p = sobolPoints(32, 16);
    for (let d = 0; d < 16; d++) expect(new Set(p.map((x) => Math.floor(x[d] * 32))).size).toBe(32);
  });

  it('random: reproducible from the seed, within bounds, log ranges positive, integers whole', () => {
    const space = [
      { key: 'contextual_ratio', kind: 'range' as const, low: 0.001, high: 0.1, log: true, integer: false, steps: 3 },
      { key: 'g', kind: 'range' as const, low: 0, high: 15, log: false, integer: true, steps: 3 },
      { key: 'budget', kind: 'values' as const, values: ['official', 'exact'] },
    ];
    const a = randomPoints(space, 200, 7);
    expect(randomPoints(space, 200, 7)).toEqual(a);
    expect(randomPoints(space, 200, 8)).not.toEqual(a);
    for (const p of a) {
      expect(p.contextual_ratio as number).toBeGreaterThanOrEqual(0.001);
      expect(p.contextual_ratio as number).toBeLessThanOrEqual(0.1);
      expect(Number.isInteger(p.g)).toBe(true);
      expect(['official', 'exact']).toContain(p.budget);
    }
    const gs = new Set(a.map((p) => p.g));
    expect(gs.has(0) && gs.has(15)).toBe(true);
    // Log-uniform: about half the draws below the geometric mean 0.01.
    const below = a.filter((p) => (p.contextual_ratio as number) < 0.01).length;
    expect(below).toBeGreaterThan(70);
    expect(below).toBeLessThan(130);
  });

  it('sobol over a space maps categories and ranges', () => {
    const pts = sobolSample([{ key: 'rho_video', kind: 'range', low: 0.4, high: 0.8, log: false, integer: false, steps: 3 }, { key: 'g', kind: 'values', values: [0, 3] }], 4);
    expect(pts.map((p) => p.rho_video)).toEqual([0.4, 0.6, 0.7, 0.5]);
    expect(pts.map((p) => p.g)).toEqual([0, 3, 0, 3]);
  });

  it('trial keys: same clip + config + metric set (any order) give the same key; anything else differs', () => {
    const c = resolveConfig({ rho_video: 0.5 });
    const k = trialKey('h', c, ['a', 'b']);
    expect(trialKey('h', resolveConfig({ rho_video: 0.5 }, { ...DEFAULT_CONFIG }), ['b', 'a'])).toBe(k);
    expect(trialKey('h2', c, ['a', 'b'])).not.toBe(k);
    expect(trialKey('h', resolveConfig({ rho_video: 0.51 }), ['a', 'b'])).not.toBe(k);
    expect(trialKey('h', c, ['a'])).not.toBe(k);
  });
});
