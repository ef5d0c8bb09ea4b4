/**
 * Figure of the timeline: waveform, the audio curves (attention importance, token energy, waveform
 * RMS, each normalised to its max), each audio token's fate, video kept per patch.
 */
import { AUDIO_ANCHOR, AUDIO_DOMINANT, AUDIO_DROPPED, AUDIO_MERGED } from '../../../core/planner/types.js';
import type { ClipSummary, PlanView } from '../../../core/protocol/contract.js';
import type { ClipData } from '../data-cache.js';
import type { Layout, PlotData } from '../plot/plotly.js';
import { audioTime, groupSpan, patchStart } from '../plan-time.js';

export const FATE_STYLE = {
  [AUDIO_DOMINANT]: { name: 'kept: dominant', color: '#2a9d3a', symbol: 'circle', size: 6 },
  [AUDIO_ANCHOR]: { name: 'kept: anchor', color: '#e07b00', symbol: 'diamond', size: 9 },
  [AUDIO_MERGED]: { name: 'merged into anchor', color: '#7b3fb5', symbol: 'triangle-down', size: 6 },
  [AUDIO_DROPPED]: { name: 'dropped', color: '#9aa0a6', symbol: 'x', size: 5 },
} as const;

/**
 * Per-token traces are painted on the chart's canvas overlay (plot/overlay.ts), not by plotly; as
 * plain scatter they export as vector marks in SVG.
 */
const MARKER_TRACE = 'scatter';

export interface TimelineCompare {
  /** Per audio token: -1 kept only in A, +1 kept only in B. */
  audioDiff: Int8Array;
  labelA: string;
  labelB: string;
}

export type AudioCurveKey = 'attention' | 'token_energy' | 'waveform_rms' | 'speech_activity';

export const CURVE_STYLE: Record<AudioCurveKey, { name: string; short: string; color: string }> = {
  attention: { name: 'audio importance (attention)', short: 'attention', color: '#333' },
  token_energy: { name: 'token energy (L2 norm)', short: 'token energy', color: '#17a2b8' },
  waveform_rms: { name: 'waveform RMS', short: 'waveform RMS', color: '#c9a400' },
  speech_activity: { name: 'speech probability (Silero VAD)', short: 'speech (VAD)', color: '#8e44ad' },
};

const normalisedMemo = new WeakMap<object, Partial<Record<AudioCurveKey, Float64Array | null>>>();

/** One audio curve divided by its own maximum, so curves of different units share one axis. */
export function normalisedCurve(data: ClipData | undefined, key: AudioCurveKey): Float64Array | null {
  if (!data) return null;
  let memo = normalisedMemo.get(data);
  if (!memo) {
    memo = {};
    normalisedMemo.set(data, memo);
  }
  const cached = memo[key];
  if (cached !== undefined) return cached;
  const raw =
    key === 'attention' ? data.curves.attention : key === 'token_energy' ? data.curves.tokenEnergy : key === 'waveform_rms' ? data.curves.waveformRms : data.curves.speechActivity;
  let out: Float64Array | null = null;
  if (key === 'speech_activity' && raw && raw.length > 0) {
    // Already a probability: drawn as is (0-1), so "0.9" reads as "90% sure it is speech".
    out = Float64Array.from(raw);
  } else if (raw && raw.length > 0) {
    let max = 0;
    for (let i = 0; i < raw.length; i++) if (raw[i] > max) max = raw[i];
    out = new Float64Array(raw.length);
    for (let i = 0; i < raw.length; i++) out[i] = max > 0 ? raw[i] / max : 0;
  }
  memo[key] = out;
  return out;
}

/** Pearson r of each curve pair, labelled for display ("r(attention, token energy) = 0.42"). */
export function correlationLabels(data: ClipData | undefined): { key: string; text: string; r: number }[] {
  if (!data) return [];
  const short = (k: string) => (k in CURVE_STYLE ? CURVE_STYLE[k as AudioCurveKey].short : k);
  return data.curves.correlations.map(({ a, b, r }) => ({
    key: `${a}-${b}`,
    r,
    text: `r(${short(a)}, ${short(b)}) = ${Number.isFinite(r) ? r.toFixed(2) : 'n/a (constant series)'}`,
  }));
}

/**
 * Traces that depend only on the clip (waveform envelope, the audio curves): built once and
 * drawn by plotly; `rankedBy` (what the audio top-k ranked by) is drawn heavier and says so.
 */
export function timelineStaticTraces(clip: ClipSummary, data: ClipData | undefined, rankedBy: AudioCurveKey = 'attention'): PlotData[] {
  const traces: PlotData[] = [];
  if (data && data.waveformMin.length > 0) {
    const bins = data.waveformMin.length;
    const x = Array.from({ length: bins }, (_, b) => ((b + 0.5) * data.waveformSeconds) / bins);
    traces.push({ type: 'scatter', mode: 'lines', x, y: Array.from(data.waveformMin), yaxis: 'y2', line: { width: 0.5, color: '#5b7db1' }, name: 'waveform', showlegend: false, hoverinfo: 'skip' });
    traces.push({ type: 'scatter', mode: 'lines', x, y: Array.from(data.waveformMax), yaxis: 'y2', fill: 'tonexty', fillcolor: 'rgba(91,125,177,0.45)', line: { width: 0.5, color: '#5b7db1' }, name: 'waveform', hoverinfo: 'skip' });
  }
  if (data && clip.numAudio > 0) {
    const t = Array.from({ length: clip.numAudio }, (_, i) => audioTime(clip, i));
    // The ranked curve goes last so it is drawn on top of the other two.
    const order = (['attention', 'token_energy', 'waveform_rms', 'speech_activity'] as const).filter((k) => k !== rankedBy).concat([rankedBy]);
    for (const key of order) {
      const y = normalisedCurve(data, key);
      if (!y) continue;
      const style = CURVE_STYLE[key];
      const ranked = key === rankedBy;
      traces.push({
        type: 'scatter',
        mode: 'lines',
        x: t,
        y: Array.from(y),
        name: ranked ? `${style.name} ◀ top-k ranks by this` : style.name,
        meta: { curve: key, ranked },
        line: { color: style.color, width: ranked ? 1.6 : 1, dash: ranked ? 'solid' : 'dot' },
        opacity: ranked ? 1 : 0.8,
        hovertemplate: key === 'speech_activity' ? `t=%{x:.2f}s · speech probability %{y:.2f}<extra></extra>` : `t=%{x:.2f}s · ${style.short} %{y:.3f} of max<extra></extra>`,
      });
    }
  }
  if (clip.temporalPatches > 0 && clip.tokensPerFrame > 0) {
    // Invisible full-height bars on the video row: they make plotly lay out that subplot (the
    // kept fractions are painted over it) and report the patch under the pointer.
    const x = Array.from({ length: clip.temporalPatches }, (_, p) => patchStart(clip, p) + clip.secondsPerPatch / 2);
    traces.push({ type: 'bar', x, y: x.map(() => 1), yaxis: 'y3', width: clip.secondsPerPatch, offset: -clip.secondsPerPatch / 2, marker: { color: 'rgba(0,0,0,0)' }, hoverinfo: 'none', showlegend: false, name: 'patch hover target' });
  }
  return traces;
}

/** Traces that change with the plan: token fates, merge links, video kept per patch, compare diffs (audio first). */
export function timelinePlanTraces(clip: ClipSummary, data: ClipData | undefined, plan: PlanView, compare: TimelineCompare | null): PlotData[] {
  return [...timelineAudioTraces(clip, data, plan, compare), ...timelineVideoTraces(clip, plan)];
}

/** The audio part of the per-plan traces: merge links, token fates, compare diffs, exact ties. */
export function timelineAudioTraces(clip: ClipSummary, data: ClipData | undefined, plan: PlanView, compare: TimelineCompare | null): PlotData[] {
  const traces: PlotData[] = [];
  // Fates sit on the curve the top-k actually ranked by, so the selection reads off that curve.
  const scores = normalisedCurve(data, plan.audioScoreSource) ?? undefined;
  const n = clip.numAudio;
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = audioTime(clip, i);

  if (scores && n > 0) {
    // Typed arrays throughout (a 5-minute clip has 7,500 tokens per plan): built without growing or
    // boxing, and read by the overlay's rasteriser as plain numbers; plotly takes them as they are.
    const fates = plan.audioFate;
    const perFate = new Int32Array(256);
    let links = 0;
    for (let i = 0; i < n; i++) {
      perFate[fates[i]]++;
      if (fates[i] === AUDIO_MERGED && plan.audioMergedInto[i] >= 0) links++;
    }
    // Merge links: each merged token to its anchor, one trace, a NaN gap after each (a gap to the
    // overlay and to plotly alike).
    const lx = new Float64Array(3 * links);
    const ly = new Float64Array(3 * links);
    for (let i = 0, k = 0; i < n; i++) {
      const a = plan.audioMergedInto[i];
      if (fates[i] === AUDIO_MERGED && a >= 0) {
        lx[k] = t[i];
        ly[k] = scores[i];
        lx[k + 1] = t[a];
        ly[k + 1] = scores[a];
        lx[k + 2] = Number.NaN;
        ly[k + 2] = Number.NaN;
        k += 3;
      }
    }
    traces.push({ type: MARKER_TRACE, mode: 'lines', x: lx, y: ly, name: 'merge → anchor', line: { color: 'rgba(123,63,181,0.45)', width: 1 }, hoverinfo: 'skip', connectgaps: false });
    for (const fate of [AUDIO_DOMINANT, AUDIO_ANCHOR, AUDIO_MERGED, AUDIO_DROPPED] as const) {
      const xs = new Float64Array(perFate[fate]);
      const ys = new Float64Array(perFate[fate]);
      const ids = new Int32Array(perFate[fate]);
      for (let i = 0, k = 0; i < n; i++) {
        if (fates[i] === fate) {
          xs[k] = t[i];
          ys[k] = scores[i];
          ids[k++] = fate === AUDIO_MERGED ? plan.audioMergedInto[i] : i;
        }
      }
      const style = FATE_STYLE[fate];
      traces.push({
        type: MARKER_TRACE,
        mode: 'markers',
        x: xs,
        y: ys,
        customdata: ids,
        name: `${style.name} (${xs.length})`,
        legendgroup: style.name,
        meta: { fate },
        marker: { color: style.color, symbol: style.symbol, size: style.size, line: { width: fate === AUDIO_DROPPED ? 1 : 0, color: style.color } },
        hovertemplate: fate === AUDIO_MERGED ? `t=%{x:.2f}s · ${style.name} #%{customdata}<extra></extra>` : `t=%{x:.2f}s · ${style.name}<extra></extra>`,
      });
    }
    if (compare) {
      for (const [sign, label, color, symbol] of [[-1, `only in ${compare.labelA}`, '#d62728', 'triangle-down'], [1, `only in ${compare.labelB}`, '#1f77b4', 'triangle-up']] as const) {
        const xs: number[] = [];
        const ys: number[] = [];
        for (let i = 0; i < n; i++) if (compare.audioDiff[i] === sign) {
          xs.push(t[i]);
          ys.push(scores[i]);
        }
        traces.push({ type: MARKER_TRACE, mode: 'markers', x: xs, y: ys, name: `${label} (${xs.length})`, legendgroup: `diff ${sign}`, marker: { color, symbol, size: 12, line: { width: 2, color } }, hoverinfo: 'skip' });
      }
    }
    if (plan.audioTies) {
      // Tokens whose keep/drop an exact tie at the top-k cut decided (the lower index won).
      const xs: number[] = [];
      const ys: number[] = [];
      for (let i = 0; i < n; i++) if (plan.audioTies[i] === 1) {
        xs.push(t[i]);
        ys.push(scores[i]);
      }
      if (xs.length > 0) traces.push({ type: MARKER_TRACE, mode: 'markers', x: xs, y: ys, name: `decided by an exact tie (${xs.length})`, legendgroup: 'ties', marker: { color: 'rgba(0,0,0,0)', symbol: 'circle-open', size: 12, line: { width: 1.5, color: '#111' } }, hoverinfo: 'skip' });
    }
  }

  return traces;
}

/** The video part of the per-plan traces: the fraction of each patch's tokens kept. */
export function timelineVideoTraces(clip: ClipSummary, plan: PlanView): PlotData[] {
  const traces: PlotData[] = [];
  if (clip.temporalPatches > 0 && clip.tokensPerFrame > 0) {
    const x: number[] = [];
    const y: number[] = [];
    for (let p = 0; p < clip.temporalPatches; p++) {
      let kept = 0;
      const base = p * clip.tokensPerFrame;
      for (let i = 0; i < clip.tokensPerFrame; i++) kept += plan.videoKeep[base + i];
      x.push(patchStart(clip, p) + clip.secondsPerPatch / 2);
      y.push(kept / clip.tokensPerFrame);
    }
    traces.push({ type: 'bar', x, y, yaxis: 'y3', width: clip.secondsPerPatch * 0.85, offset: -clip.secondsPerPatch * 0.425, marker: { color: '#2a9d3a' }, name: 'video kept per patch', hovertemplate: 't=%{x:.1f}s · %{y:.0%} video kept<extra></extra>' });
  }
  return traces;
}

/** `viewRange`: the zoomed time range (linked to Groups and Frames); null shows the whole clip. */
export function timelineLayout(clip: ClipSummary, plan: PlanView, hoverTime: number | null, selectedTime: number, viewRange: [number, number] | null = null): Layout {
  const shapes: Record<string, unknown>[] = [];
  plan.groups.forEach((g) => {
    const span = groupSpan(clip, g);
    if (!span) return;
    shapes.push({ type: 'line', xref: 'x', yref: 'paper', x0: span[0], x1: span[0], y0: 0, y1: 1, line: { color: '#b0b4ba', width: 1, dash: 'dot' } });
  });
  shapes.push({ type: 'line', name: 'selection', xref: 'x', yref: 'paper', x0: selectedTime, x1: selectedTime, y0: 0, y1: 1, line: { color: '#1f77b4', width: 2 } });
  if (hoverTime !== null) shapes.push({ type: 'line', name: 'hover', xref: 'x', yref: 'paper', x0: hoverTime, x1: hoverTime, y0: 0, y1: 1, line: { color: '#ff7f0e', width: 1.5 } });
  const hasWave = clip.hasWaveform;
  return {
    uirevision: clip.clipId,
    hovermode: 'closest',
    dragmode: 'zoom',
    showlegend: true,
    legend: { orientation: 'h', y: 1.02, yanchor: 'bottom', x: 0, font: { size: 10 } },
    margin: { l: 56, r: 16, t: 56, b: 36 },
    xaxis: { title: { text: 'time (s)' }, range: viewRange ?? [0, Math.max(clip.durationS, 0.1)], zeroline: false, anchor: 'y3' },
    // Fixed ranges: the canvas overlay shares these axes, and plotly never re-ranges on a replan.
    yaxis: { domain: hasWave ? [0.28, 0.78] : [0.28, 1], range: [0, 1.08], title: { text: 'score ÷ its max' }, zeroline: false, anchor: 'x' },
    yaxis2: { domain: [0.82, 1], title: { text: 'wave' }, showticklabels: false, zeroline: false, visible: hasWave },
    yaxis3: { domain: [0, 0.2], range: [0, 1], title: { text: 'video kept' }, tickformat: '.0%' },
    shapes,
    bargap: 0,
  };
}

/** Whether two plans give the timeline the same audio traces (a video-only change keeps every audio fate). */
export function sameAudioOutcome(a: PlanView, b: PlanView): boolean {
  const same = (x: ArrayLike<number> | null | undefined, y: ArrayLike<number> | null | undefined) => {
    if (x === y) return true;
    if (!x || !y || x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  };
  return a.clipId === b.clipId && a.audioScoreSource === b.audioScoreSource && same(a.audioFate, b.audioFate) && same(a.audioMergedInto, b.audioMergedInto) && same(a.audioTies, b.audioTies);
}
