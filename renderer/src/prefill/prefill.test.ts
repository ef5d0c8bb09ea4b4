import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../core/config/schema.js';
import type { PrefillResultView, PrefillRow } from '../../../core/protocol/prefill-contract.js';
import { prefillSettings } from './actions.js';
import { prefillLatencyChart, speedupText } from './chart.js';
import type { PrefillEntry } from './store.js';

const row = (label: string, medianMs: number, extra: Partial<PrefillRow> = {}): PrefillRow => ({
  label, isFull: label === 'full', tokens: 100, audioVideoTokens: 90, medianMs, p95Ms: medianMs * 1.2, minMs: medianMs * 0.9, maxMs: medianMs * 1.2, samplesMs: [medianMs],
  peakMemoryBytes: 1, memoryIncreaseBytes: 1, memoryBaselineBytes: 0, peakCounter: 'VmHWM', deviceBytes: null, kvCacheBytes: 1,
  retentionSequence: null, retentionAudioVideo: null, speedupMedian: null, speedupP95: null, flopsSpeedup: null, flopsSpeedupAudioVideo: null, memoryRatio: null,
  klDivergence: null, top1Agreement: null, top5Overlap: null, hiddenCosine: null, ...extra,
});
const entry = (id: number, rows: PrefillRow[]): PrefillEntry => ({ id, finishedAt: '', result: { rows } as unknown as PrefillResultView });

describe('inference panel', () => {
  it('measures the live setting, or the Compare sides when asked', () => {
    const live = { ...DEFAULT_CONFIG, rho_video: 0.7 };
    const pinned = { ...DEFAULT_CONFIG, rho_video: 0.5 };
    expect(prefillSettings({ config: live, compareMode: 'off', pinnedConfig: null }, true)).toEqual([{ label: 'current', config: live }]);
    expect(prefillSettings({ config: live, compareMode: 'pinned', pinnedConfig: pinned }, true)).toEqual([{ label: 'A (pinned)', config: pinned }, { label: 'B (live)', config: live }]);
    expect(prefillSettings({ config: live, compareMode: 'pinned', pinnedConfig: pinned }, false)).toEqual([{ label: 'current', config: live }]);
    expect(prefillSettings({ config: live, compareMode: 'baselines', pinnedConfig: null }, true).map((s) => [s.label, s.config.method, s.config.rho_video])).toEqual([
      ['OmniZip', 'omnizip', 0.7],
      ['uniform', 'uniform', 0.7],
      ['random', 'random', 0.7],
    ]);
  });

  it('charts one bar per measured sequence of every kept run, labelled with measured and predicted speed-up', () => {
    const spec = prefillLatencyChart([
      entry(1, [row('full', 1000), row('current', 250, { speedupMedian: 4, flopsSpeedup: 3.6 })]),
      entry(2, [row('full', 900), row('current', 300, { speedupMedian: 3, flopsSpeedup: 3.1 })]),
    ]);
    const bars = spec.data[0] as { x: string[]; y: number[]; error_y: { array: number[]; arrayminus: number[] }; marker: { color: string[] } };
    expect(bars.x).toEqual(['#1 full', '#1 current', '#2 full', '#2 current']);
    expect(bars.y).toEqual([1000, 250, 900, 300]);
    expect(bars.error_y.array[0]).toBeCloseTo(200, 9);
    expect(bars.error_y.arrayminus[1]).toBeCloseTo(25, 9);
    expect(new Set(bars.marker.color).size).toBe(2);
    const annotations = spec.layout.annotations as { x: string; y: number; text: string }[];
    expect(annotations.map((a) => [a.x, a.text])).toEqual([
      ['#1 current', '4.00× (FLOPs 3.60×)'],
      ['#2 current', '3.00× (FLOPs 3.10×)'],
    ]);
    expect(annotations[0].y).toBeCloseTo(300, 9); // above the p95 whisker
    expect(speedupText(null, 2)).toBe('');
  });
});
