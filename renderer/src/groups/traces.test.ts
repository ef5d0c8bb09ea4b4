import { describe, expect, it } from 'vitest';
import { clip, plan } from '../plan-fixture.js';
import { budgetLines, groupFrame, groupLayout, groupSeries, groupStaticTraces, steadyFrame } from './traces.js';

describe('group ratio series', () => {
  it('shows each step of normalisation, leaving pinned groups unscaled', () => {
    const s = groupSeries(clip, plan());
    expect(s.initial).toEqual([0.48, 0.62]);
    expect(s.scaled[0]).toBeCloseTo(0.528);
    expect(s.scaled[1]).toBe(0.62); // pinned max: not rescaled
    expect(s.clamped).toEqual([0.528, 0.62]);
    expect(s.final).toEqual([0.5, 0.62]);
    expect(s.pinned).toEqual([null, 'max']);
    expect(s.videoKept).toEqual([4, 3]);
  });
});

describe('group chart frame', () => {
  it('keeps the axes fixed while only the ratios move, and draws budget target and realised discard as lines', () => {
    const a = plan();
    const b = { ...plan(), config: { ...a.config, rho_video: 0.7 }, counts: { ...a.counts, video: { total: 16, kept: 5 } } };
    expect(groupFrame(a)).toEqual(groupFrame(b));
    expect(groupFrame(a)).toEqual({ clipId: 'c1', labels: ['g0', 'g1'], videoMax: 8, ratioMin: 0.35, ratioMax: 0.75, axisLow: 0, axisHigh: 1 });
    const layout = groupLayout(groupFrame(a), -1, 0) as { xaxis: { categoryarray: string[]; range: number[] }; yaxis2: { range: number[] } };
    expect(layout.xaxis.categoryarray).toEqual(['g0', 'g1']);
    expect(layout.xaxis.range).toEqual([-0.5, 1.5]);
    expect(layout.yaxis2.range[1]).toBeCloseTo(8.4);
    const [target, realised] = budgetLines(b);
    expect(target.y).toEqual([0.7, 0.7]);
    expect(realised.y).toEqual([1 - 5 / 16, 1 - 5 / 16]);
    expect(groupStaticTraces(['g0', 'g1'])[0].x).toEqual(['g0', 'g1']);
  });

  it('widens the ratio axis to every scaled value instead of clipping it, and says so', () => {
    const a = plan();
    const scaled = { ...a, normalization: { ran: true, scaling: 2.5, after_scaling: [1.2, -0.1] } };
    const frame = groupFrame(scaled);
    expect(frame.axisHigh).toBeCloseTo(0.62 * 2.5, 12);
    expect(frame.axisLow).toBe(-0.1);
    const layout = groupLayout(frame, -1, -1) as { yaxis: { range: number[]; title: { text: string } } };
    expect(layout.yaxis.range[0]).toBeLessThan(-0.1);
    expect(layout.yaxis.range[1]).toBeGreaterThan(0.62 * 2.5);
    expect(layout.yaxis.title.text).toMatch(/outside 0–1 are clamped/);
  });

  it('keeps the axes steady while scaled ratios move within a quarter step, and still spans every value', () => {
    const a = plan();
    const frameAt = (scaling: number) => steadyFrame(groupFrame({ ...a, normalization: { ran: true, scaling, after_scaling: [1, 0.5] } }));
    expect(frameAt(2.5)).toEqual(frameAt(2.55)); // 1.55 and 1.581: both under 1.75
    expect(frameAt(2.5).axisHigh).toBe(1.75);
    expect(frameAt(3).axisHigh).toBe(2); // 1.86
    expect(steadyFrame(groupFrame(a))).toEqual(groupFrame(a)); // within [0, 1]: unchanged
    const low = steadyFrame(groupFrame({ ...a, normalization: { ran: true, scaling: 1, after_scaling: [-0.1] } }));
    expect(low.axisLow).toBe(-0.25);
    // Same clip and grouping: the axis keeps the widest span shown; another clip starts afresh.
    expect(steadyFrame(groupFrame(a), frameAt(3))).toEqual({ ...groupFrame(a), axisHigh: 2 });
    expect(steadyFrame(groupFrame(a), { ...frameAt(3), clipId: 'other' })).toEqual(groupFrame(a));
    expect(steadyFrame(groupFrame({ ...a, config: { ...a.config, ratio_min: 0.2 } }), frameAt(3)).axisHigh).toBe(1);
  });
});
