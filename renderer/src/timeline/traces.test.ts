import { describe, expect, it } from 'vitest';
import { clip, data, plan } from '../plan-fixture.js';
import { correlationLabels, sameAudioOutcome, timelineAudioTraces, timelinePlanTraces, timelineStaticTraces, timelineVideoTraces } from './traces.js';

describe('timeline figure', () => {
  it('puts every audio token in exactly one fate trace and links merged tokens to their anchor', () => {
    const traces = timelinePlanTraces(clip, data, plan(), null);
    const byName = (p: string) => traces.find((t) => String(t.name).startsWith(p)) as { x: ArrayLike<number>; y: ArrayLike<number>; customdata: ArrayLike<number> };
    expect(byName('kept: dominant').x.length).toBe(2);
    expect(byName('kept: anchor').x.length).toBe(1);
    expect(Array.from(byName('merged').customdata)).toEqual([1, 1]);
    expect(byName('dropped').x.length).toBe(1);
    const links = byName('merge → anchor');
    // token 2 -> anchor 1, token 5 -> anchor 1, each followed by a gap (NaN); on the ranked (attention) curve ÷ its max
    expect(Array.from(links.y, (v) => (Number.isNaN(v) ? null : Number(v.toFixed(6))))).toEqual([0.1, 0.2, null, 0.04, 0.2, null]);
    expect(Array.from(links.x, (v) => Number.isNaN(v))).toEqual([false, false, true, false, false, true]);
    const video = byName('video kept per patch');
    expect(video.y).toEqual([0.5, 0.5, 0.5, 0.25]);
  });

  it('draws each audio curve once from the clip data, normalised to its max, the ranked one last and marked', () => {
    const traces = timelineStaticTraces(clip, data, 'token_energy');
    const curves = traces.filter((t) => (t.meta as { curve?: string } | undefined)?.curve);
    expect(curves.map((t) => (t.meta as { curve: string }).curve)).toEqual(['attention', 'token_energy']); // no waveform in this clip
    expect((curves[0] as { x: number[] }).x[0]).toBeCloseTo(0.5 / 3);
    expect((curves[0] as { y: number[] }).y.map((v) => Number(v.toFixed(6)))).toEqual([1, 0.2, 0.1, 0.8, 0.02, 0.04]);
    expect((curves[1] as { y: number[] }).y).toEqual([0.5, 0.5, 0.25, 1, 0.25, 0.25]);
    expect(String(curves[1].name)).toContain('top-k ranks by this');
    expect(String(curves[0].name)).not.toContain('top-k');
    // The video row gets one invisible hover bar per patch so plotly lays that subplot out.
    expect(traces.find((t) => t.name === 'patch hover target')?.x).toHaveLength(clip.temporalPatches);
  });

  it('puts fate markers on the curve the top-k actually ranked by', () => {
    const traces = timelinePlanTraces(clip, data, { ...plan(), audioScoreSource: 'token_energy' }, null);
    const dominant = traces.find((t) => String(t.name).startsWith('kept: dominant')) as { y: ArrayLike<number> };
    expect(Array.from(dominant.y)).toEqual([0.5, 1]); // tokens 0 and 3 on token energy ÷ max
  });

  it('labels the correlations of each curve pair', () => {
    expect(correlationLabels(data).map((c) => c.text)).toEqual(['r(attention, token energy) = 0.70']);
    const constant = { ...data, curves: { ...data.curves, correlations: [{ a: 'token_energy', b: 'waveform_rms', r: Number.NaN }] } };
    expect(correlationLabels(constant)[0].text).toBe('r(token energy, waveform RMS) = n/a (constant series)');
  });

  it('adds compare markers for tokens kept by only one side', () => {
    const traces = timelinePlanTraces(clip, data, plan(), { audioDiff: new Int8Array([0, -1, 0, 1, 1, 0]), labelA: 'A', labelB: 'B' });
    expect((traces.find((t) => String(t.name).startsWith('only in A')) as { x: ArrayLike<number> }).x.length).toBe(1);
    expect((traces.find((t) => String(t.name).startsWith('only in B')) as { x: number[] }).x.length).toBe(2);
  });

  it('splits the per-plan traces into an audio part and the video part after it', () => {
    const p = plan();
    const all = timelinePlanTraces(clip, data, p, null);
    const audio = timelineAudioTraces(clip, data, p, null);
    const video = timelineVideoTraces(clip, p);
    expect(all.map((t) => t.name)).toEqual([...audio, ...video].map((t) => t.name));
    expect(video.map((t) => t.name)).toEqual(['video kept per patch']);
  });

  it('tells a replan that keeps every audio fate (a video change) from one that does not', () => {
    const p = plan();
    const videoOnly = { ...p, videoKeep: p.videoKeep.map((k) => 1 - k) };
    expect(sameAudioOutcome(p, videoOnly)).toBe(true);
    const fate = Uint8Array.from(p.audioFate);
    fate[0] = fate[0] === 3 ? 0 : 3;
    expect(sameAudioOutcome(p, { ...p, audioFate: fate })).toBe(false);
    expect(sameAudioOutcome(p, { ...p, audioMergedInto: Int32Array.from(p.audioMergedInto, (v) => v + 1) })).toBe(false);
  });
});
