import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/validate.js';
import { nonDominated, paretoFront, summarizeConfigs } from './pareto.js';
import type { TrialRecord } from './store.js';

const bruteForce = (v: number[][]) =>
  v
    .map((p, i) => ({ p, i }))
    .filter(({ p, i }) => !v.some((q, j) => j !== i && q.every((x, k) => x <= p[k]) && (q.some((x, k) => x < p[k]) || j < i)))
    .map(({ i }) => i);

function record(trial: number, clip: string, rhoVideo: number, metrics: Record<string, number>): TrialRecord {
  const config = resolveConfig({ rho_video: rhoVideo });
  return {
    trial,
    key: `${clip}-${rhoVideo}`,
    clip: { path: `/c/${clip}`, content_hash: clip },
    method: 'omnizip',
    config,
    counts: { audio: { total: 1, kept: 1 }, video: { total: 1, kept: 1 }, sequence: { total: 1, kept: 1 } },
    metrics,
    wall_ms: 1,
    host: 'h',
  };
}

describe('pareto', () => {
  it('nonDominated agrees with brute force (ties: the first of equal points is kept)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 3, maxLength: 3 }), { maxLength: 60 }), (pts) => {
        expect(nonDominated(pts)).toEqual(bruteForce(pts));
      }),
    );
  });

  it('aggregates over clips by mean and by worst case in each metric\'s direction', () => {
    // kept_fraction: minimise; video_coverage: maximise.
    const recs = [
      record(0, 'a', 0.5, { kept_fraction: 0.6, video_coverage: 0.9 }),
      record(1, 'b', 0.5, { kept_fraction: 0.8, video_coverage: 0.7 }),
      record(2, 'a', 0.7, { kept_fraction: 0.4, video_coverage: 0.8 }),
      record(3, 'b', 0.7, { kept_fraction: 0.5, video_coverage: 0.75 }),
      record(4, 'a', 0.6, { kept_fraction: 0.5, video_coverage: 0.6 }),
      record(5, 'b', 0.6, { kept_fraction: 0.9, video_coverage: 0.6 }),
      record(6, 'a', 0.8, { kept_fraction: 0.1, video_coverage: 0.1 }),
    ];
    const configs = summarizeConfigs(recs, 2, ['kept_fraction', 'video_coverage']);
    const at = (rv: number) => configs.find((c) => c.config.rho_video === rv)!;
    expect(at(0.5).mean.kept_fraction).toBeCloseTo(0.7);
    expect(at(0.5).worst).toEqual({ kept_fraction: 0.8, video_coverage: 0.7 });
    expect(at(0.8).complete).toBe(false);

    const mean = paretoFront(configs, ['kept_fraction', 'video_coverage'], 'mean');
    // 0.7 (0.45, 0.775) and 0.5 (0.7, 0.8) are non-dominated; 0.6 is dominated; 0.8 is on one clip only.
    expect(mean.front.map((i) => configs[i].config.rho_video)).toEqual([0.7, 0.5]);
    expect(mean.incomplete).toBe(1);
    const worst = paretoFront(configs, ['kept_fraction', 'video_coverage'], 'worst');
    // Worst case: 0.5 -> (0.8, 0.7), 0.7 -> (0.5, 0.75): 0.7 dominates 0.5.
    expect(worst.front.map((i) => configs[i].config.rho_video)).toEqual([0.7]);
    expect(worst.configs[worst.front[0]].perClip.map((c) => c.trial).sort()).toEqual([2, 3]);
  });

  it('handles 20k configs quickly', () => {
    const pts = Array.from({ length: 20000 }, (_, i) => [Math.sin(i) + 2, Math.cos(i * 1.3) + 2]);
    const t = performance.now();
    const front = nonDominated(pts);
    expect(performance.now() - t).toBeLessThan(2000);
    expect(front.length).toBeGreaterThan(0);
  });
});
