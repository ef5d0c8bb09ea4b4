import { describe, expect, it } from 'vitest';
import { compareMany, disagreementBins } from './compare-many.js';
import type { PlanView } from '../protocol/contract.js';

function plan(method: string, audio: number[], video: number[]): PlanView {
  const a = Uint8Array.from(audio);
  const v = Uint8Array.from(video);
  const sum = (m: Uint8Array) => m.reduce((x, y) => x + y, 0);
  return {
    method,
    config: { method },
    counts: { audio: { total: a.length, kept: sum(a) }, video: { total: v.length, kept: sum(v) }, sequence: { total: a.length + v.length, kept: sum(a) + sum(v) } },
    audioFate: a,
    videoKeep: v,
    planMs: 1,
    discard: { audio: { target: 0.5, realised: 0.5 }, video: { target: 0.5, realised: 1 - sum(v) / v.length }, sequence: { target: 0.5, realised: 0.5 } },
    tiesDecided: 0,
    budget: { flopsSaved: method === 'fastv' ? 0.2 : 0.5, flopsModel: 'Qwen2.5-Omni-7B' },
  } as unknown as PlanView;
}

describe('comparing many methods', () => {
  const plans = [
    { label: 'OmniZip', plan: plan('omnizip', [1, 1, 0, 0], [1, 0, 1, 0]) },
    { label: 'uniform', plan: plan('uniform', [1, 1, 0, 0], [0, 1, 1, 0]) },
    { label: 'random', plan: plan('random', [0, 1, 1, 0], [0, 1, 0, 1]) },
  ];

  it('counts per-token agreement, tokens only one method keeps, and agreement with the first', () => {
    const m = compareMany(plans);
    expect(Array.from(m.audioKeptBy)).toEqual([2, 3, 1, 0]);
    expect(Array.from(m.videoKeptBy)).toEqual([1, 2, 2, 1]);
    expect(m.rows.map((r) => r.onlyThis)).toEqual([1, 0, 2]);
    expect(m.rows[0].agreementWithFirst).toBe(1);
    expect(m.rows[1].agreementWithFirst).toBeCloseTo(3 / 5, 12);
    expect(m.sameCounts).toBe(true);
    expect(m.rows.map((r) => r.flopsSaved)).toEqual([0.5, 0.5, 0.5]);
  });

  it('bins disagreement over time: per method against the majority, and where not all agree', () => {
    const m = compareMany(plans);
    // audio token i at i seconds, video token i at i seconds; bins of 2 s.
    const bins = disagreementBins(plans, m, (_mod, i) => i, 4, 2);
    expect(bins.binStarts).toEqual([0, 2]);
    // bin 0: audio 0 (2 keep), audio 1 (3), video 0 (1), video 1 (2): split on 3 of 4.
    expect(bins.split[0]).toBeCloseTo(3 / 4, 12);
    // OmniZip against the majority in bin 0: video 0 (kept, majority drops) and video 1 (dropped, majority keeps).
    expect(bins.perPlan[0][0]).toBeCloseTo(2 / 4, 12);
  });

  it('refuses plans of different clips', () => {
    expect(() => compareMany([plans[0], { label: 'x', plan: plan('x', [1], [1]) }])).toThrow(/different clips/);
  });
});
