import { describe, expect, it } from 'vitest';
import { AUDIO_ANCHOR, AUDIO_DOMINANT, AUDIO_DROPPED, AUDIO_MERGED } from '../../../core/planner/types.js';
import type { ClipSummary, PlanView } from '../../../core/protocol/contract.js';
import { frameTraces, patchGrid, patchModes } from './frames.js';
import { budgetLines, groupFrame, groupLayout, groupSeries, groupStaticTraces } from './groups.js';
import { groupAt, patchAt } from './time.js';
import { correlationLabels, timelinePlanTraces, timelineStaticTraces } from './timeline.js';

const clip: ClipSummary = {
  clipId: 'c1', name: 'x', path: null, model: null, numAudio: 6, numVideo: 16, hiddenSize: 4, sequenceLength: 24,
  tokensPerFrame: 4, temporalPatches: 4, gridRows: 2, gridCols: 2, audioTokensPerSecond: 3, secondsPerPatch: 0.5, durationS: 2,
  hasWaveform: false, images: null, engine: { engine: 't', provider: 'js', device: 'test', wallMs: 1 }, notes: [],
};

function plan(): PlanView {
  return {
    planKey: 'k', clipId: 'c1', config: { rho_video: 0.6, ratio_min: 0.35, ratio_max: 0.75 },
    counts: { audio: { total: 6, kept: 3 }, video: { total: 16, kept: 7 }, sequence: { total: 24, kept: 12 } },
    groups: [
      { audio_range: [0, 3], video_range: [0, 8], guided: true, audio_retention: 2 / 3, ratio_initial: 0.48, ratio_final: 0.5, frame_keep_counts: [2, 2], frame_modes: ['spatial', 'temporal'], pinned: null, video_kept: 4, kept_whole: false },
      { audio_range: [3, 6], video_range: [8, 16], guided: true, audio_retention: 1 / 3, ratio_initial: 0.62, ratio_final: 0.62, frame_keep_counts: [2, 1], frame_modes: ['spatial', 'temporal'], pinned: 'max', video_kept: 3, kept_whole: false },
    ],
    normalization: { ran: true, scaling: 1.1, after_scaling: [0.528, 0.62] },
    notes: [], planMs: 0.1, dominantCount: 2, anchors: [1],
    audioFate: new Uint8Array([AUDIO_DOMINANT, AUDIO_ANCHOR, AUDIO_MERGED, AUDIO_DOMINANT, AUDIO_DROPPED, AUDIO_MERGED]),
    audioMergedInto: new Int32Array([-1, -1, 1, -1, -1, 1]),
    videoKeep: new Uint8Array([1, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 0, 1, 0, 0, 0]),
    budget: { audioKept: 3, audioTotal: 6, videoKept: 7, videoTotal: 16, kept: 10, total: 22, retained: 10 / 22, flopsSaved: 0.5, flopsModel: 'm' },
    audioScoreSource: 'attention',
  };
}

const data = {
  audioScores: new Float32Array([5, 1, 0.5, 4, 0.1, 0.2]),
  waveformMin: new Float32Array(0),
  waveformMax: new Float32Array(0),
  waveformSeconds: 0,
  curves: { attention: new Float32Array([5, 1, 0.5, 4, 0.1, 0.2]), tokenEnergy: new Float32Array([2, 2, 1, 4, 1, 1]), waveformRms: null, correlations: [{ a: 'attention', b: 'token_energy', r: 0.7 }] },
};

describe('timeline figure', () => {
  it('puts every audio token in exactly one fate trace and links merged tokens to their anchor', () => {
    const traces = timelinePlanTraces(clip, data, plan(), null);
    const byName = (p: string) => traces.find((t) => String(t.name).startsWith(p)) as { x: number[]; y: number[]; customdata: number[] };
    expect(byName('kept: dominant').x.length).toBe(2);
    expect(byName('kept: anchor').x.length).toBe(1);
    expect(byName('merged').customdata).toEqual([1, 1]);
    expect(byName('dropped').x.length).toBe(1);
    const links = byName('merge → anchor');
    // token 2 -> anchor 1, token 5 -> anchor 1, separated by null; on the ranked (attention) curve ÷ its max
    expect(links.y.map((v) => (v === null ? null : Number((v as number).toFixed(6))))).toEqual([0.1, 0.2, null, 0.04, 0.2, null]);
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
    const dominant = traces.find((t) => String(t.name).startsWith('kept: dominant')) as { y: number[] };
    expect(dominant.y).toEqual([0.5, 1]); // tokens 0 and 3 on token energy ÷ max
  });

  it('labels the correlations of each curve pair', () => {
    expect(correlationLabels(data).map((c) => c.text)).toEqual(['r(attention, token energy) = 0.70']);
    const constant = { ...data, curves: { ...data.curves, correlations: [{ a: 'token_energy', b: 'waveform_rms', r: Number.NaN }] } };
    expect(correlationLabels(constant)[0].text).toBe('r(token energy, waveform RMS) = n/a (constant series)');
  });

  it('adds compare markers for tokens kept by only one side', () => {
    const traces = timelinePlanTraces(clip, data, plan(), { audioDiff: new Int8Array([0, -1, 0, 1, 1, 0]), labelA: 'A', labelB: 'B' });
    expect((traces.find((t) => String(t.name).startsWith('only in A')) as { x: number[] }).x.length).toBe(1);
    expect((traces.find((t) => String(t.name).startsWith('only in B')) as { x: number[] }).x.length).toBe(2);
  });
});

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
    expect(groupFrame(a)).toEqual({ clipId: 'c1', labels: ['g0', 'g1'], videoMax: 8, ratioMin: 0.35, ratioMax: 0.75 });
    const layout = groupLayout(groupFrame(a), -1, 0) as { xaxis: { categoryarray: string[]; range: number[] }; yaxis2: { range: number[] } };
    expect(layout.xaxis.categoryarray).toEqual(['g0', 'g1']);
    expect(layout.xaxis.range).toEqual([-0.5, 1.5]);
    expect(layout.yaxis2.range[1]).toBeCloseTo(8.4);
    const [target, realised] = budgetLines(b);
    expect(target.y).toEqual([0.7, 0.7]);
    expect(realised.y).toEqual([1 - 5 / 16, 1 - 5 / 16]);
    expect(groupStaticTraces(['g0', 'g1'])[0].x).toEqual(['g0', 'g1']);
  });
});

describe('frames figure and time links', () => {
  it('lays the patch out as its token grid, marks diffs, and names the frame mode', () => {
    expect(patchGrid(clip, plan().videoKeep, 1, null)).toEqual([[1, 1], [0, 0]]);
    expect(patchGrid(clip, plan().videoKeep, 1, new Int8Array([0, 0, 0, 0, -1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]))).toEqual([[2, 1], [3, 0]]);
    expect(patchModes(clip, plan(), 1)).toEqual({ modes: ['temporal'], kept: 2, total: 4 });
    expect(patchModes(clip, plan(), 2)).toEqual({ modes: ['spatial'], kept: 2, total: 4 });
    expect(frameTraces(clip, plan(), 0, null, false)[0].type).toBe('heatmap');
  });

  it('maps a time to its patch and group', () => {
    expect(patchAt(clip, 0.74)).toBe(1);
    expect(patchAt(clip, 99)).toBe(3);
    expect(groupAt(clip, plan().groups, 0.5)).toBe(0);
    expect(groupAt(clip, plan().groups, 1.5)).toBe(1);
    expect(groupAt(clip, plan().groups, 5)).toBe(-1);
  });
});
