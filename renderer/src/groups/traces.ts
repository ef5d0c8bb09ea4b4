/**
 * Plotly figure of the per-group ratios: audio retention, the video discard ratio at each step of
 * budget normalisation (initial r0, scaled before clamping, clamped, final), the budget target and
 * the tokens kept; pinned min/max groups are labelled, since pinning is where the official
 * heuristic's quirks show.
 */
import type { ClipSummary, PlanView } from '../../../core/protocol/contract.js';
import type { Layout, PlotData } from '../plot/plotly.js';
import { groupSpan } from '../plan-time.js';

export interface GroupSeries {
  labels: string[];
  /** Time span of each group, for hover text. */
  spans: string[];
  retention: (number | null)[];
  initial: (number | null)[];
  scaled: (number | null)[];
  clamped: (number | null)[];
  final: (number | null)[];
  videoKept: number[];
  pinned: ('min' | 'max' | null)[];
}

/** The ratio series; `scaled` and `clamped` equal the initial ratio where normalisation did not touch a group. */
export function groupSeries(clip: ClipSummary, plan: PlanView): GroupSeries {
  const norm = plan.normalization as { ran?: boolean; scaling?: number; after_scaling?: number[] };
  const ran = norm.ran === true && typeof norm.scaling === 'number';
  let guidedIndex = 0;
  const out: GroupSeries = { labels: [], spans: [], retention: [], initial: [], scaled: [], clamped: [], final: [], videoKept: [], pinned: [] };
  plan.groups.forEach((g, i) => {
    const span = groupSpan(clip, g);
    out.labels.push(`g${i}${g.guided ? '' : '*'}`);
    out.spans.push(span ? `${span[0].toFixed(1)}–${span[1].toFixed(1)} s${g.guided ? '' : ' (unguided tail)'}` : '');
    out.retention.push(g.audio_retention);
    out.initial.push(g.ratio_initial);
    let scaled = g.ratio_initial;
    let clamped = g.ratio_initial;
    if (g.guided && g.ratio_initial !== null) {
      if (ran && g.pinned === null) {
        scaled = g.ratio_initial * (norm.scaling as number);
        clamped = norm.after_scaling?.[guidedIndex] ?? scaled;
      }
      guidedIndex++;
    }
    out.scaled.push(scaled);
    out.clamped.push(clamped);
    out.final.push(g.ratio_final);
    out.videoKept.push(g.video_kept);
    out.pinned.push(g.pinned);
  });
  return out;
}

export function groupTraces(clip: ClipSummary, plan: PlanView, compareFinal: (number | null)[] | null, compareLabel: string): PlotData[] {
  const s = groupSeries(clip, plan);
  const x = s.labels;
  const line = (y: (number | null)[], name: string, color: string, dash: string, symbol: string): PlotData => ({
    type: 'scatter', mode: 'lines+markers', x, y, name, line: { color, dash, width: 1.5 }, marker: { symbol, size: 8, color }, customdata: s.spans,
    hovertemplate: `%{x} · %{customdata}<br>${name}: %{y:.3f}<extra></extra>`,
  });
  const traces: PlotData[] = [
    // Explicit width/offset: the canvas overlay and an exported figure place the bars alike.
    { type: 'bar', x, y: s.retention, name: 'audio retention S', marker: { color: 'rgba(91,125,177,0.45)' }, width: 0.4, offset: -0.4, hovertemplate: '%{x}<br>audio retention %{y:.3f}<extra></extra>' },
    { type: 'bar', x, y: s.videoKept, name: 'video tokens kept', yaxis: 'y2', marker: { color: 'rgba(42,157,58,0.35)' }, width: 0.4, offset: 0, hovertemplate: '%{x}<br>%{y} video tokens kept<extra></extra>' },
    line(s.initial, 'r0 (from audio, clamped)', '#7f7f7f', 'dot', 'circle-open'),
    line(s.scaled, 'scaled, before clamping', '#e07b00', 'dash', 'x'),
    line(s.clamped, 'after clamping', '#d62728', 'dashdot', 'square-open'),
    line(s.final, 'final (after budget normalisation)', '#111', 'solid', 'circle'),
  ];
  if (compareFinal) traces.push(line(compareFinal, `final · ${compareLabel}`, '#1f77b4', 'solid', 'diamond'));
  const px: string[] = [];
  const py: number[] = [];
  const pt: string[] = [];
  s.pinned.forEach((p, i) => {
    if (p && s.final[i] !== null) {
      px.push(x[i]);
      py.push(s.final[i] as number);
      pt.push(`pinned ${p}`);
    }
  });
  traces.push(...budgetLines(plan));
  traces.push({ type: 'scatter', mode: 'text+markers', x: px, y: py, text: pt, textposition: 'top center', name: 'pinned (not rescaled)', marker: { symbol: 'star', size: 13, color: '#bcbd22', line: { width: 1, color: '#555' } }, hoverinfo: 'text' });
  return traces;
}

/**
 * What plotly itself draws: one invisible full-height bar per group, so hovering or clicking
 * anywhere in a group's column reports that group (the ratios are painted on the canvas overlay).
 */
export function groupStaticTraces(labels: string[]): PlotData[] {
  return [
    { type: 'bar', x: labels, y: labels.map(() => 1.05), width: 0.9, offset: -0.45, marker: { color: 'rgba(0,0,0,0)' }, hoverinfo: 'none', showlegend: false, name: 'group hover target' },
    // Plotly lays out an overlaying axis only for a trace on it: this empty one keeps the
    // video-kept axis (painted bars) on the right.
    { type: 'scatter', mode: 'markers', x: [], y: [], yaxis: 'y2', hoverinfo: 'skip', showlegend: false, name: 'video kept axis' },
  ];
}

/** Group labels ("g3", "g7*" for an unguided tail): they change only with the grouping. */
export function groupLabels(plan: PlanView): string[] {
  return plan.groups.map((g, i) => `g${i}${g.guided ? '' : '*'}`);
}

/** Upper end of the video-kept axis: the largest group, so the axis does not move with the ratios. */
export function groupVideoMax(plan: PlanView): number {
  let max = 1;
  for (const g of plan.groups) if (g.video_range) max = Math.max(max, g.video_range[1] - g.video_range[0]);
  return max;
}

/** What the group chart's axes depend on: fixed while only the ratios move, so plotly need not redraw. */
export interface GroupFrame {
  clipId: string;
  labels: string[];
  videoMax: number;
  ratioMin: number;
  ratioMax: number;
  /** The ratio axis spans every plotted value: [0, 1] widened to any scaled ratio outside it. */
  axisLow: number;
  axisHigh: number;
}

/** Lowest and highest value the ratio axis must show (scaled ratios can leave [0, 1] before clamping). */
export function ratioAxisSpan(plan: PlanView): [number, number] {
  const norm = plan.normalization as { ran?: boolean; scaling?: number; after_scaling?: number[] };
  const values: number[] = [0, 1];
  for (const g of plan.groups) for (const v of [g.ratio_initial, g.ratio_final, g.audio_retention]) if (typeof v === 'number' && Number.isFinite(v)) values.push(v);
  if (norm.ran && typeof norm.scaling === 'number') for (const g of plan.groups) if (g.ratio_initial !== null) values.push(g.ratio_initial * norm.scaling);
  for (const v of norm.after_scaling ?? []) if (Number.isFinite(v)) values.push(v);
  return [Math.min(...values), Math.max(...values)];
}

export function groupFrame(plan: PlanView): GroupFrame {
  const cfg = plan.config as { ratio_min: number; ratio_max: number };
  const [axisLow, axisHigh] = ratioAxisSpan(plan);
  return { clipId: plan.clipId, labels: groupLabels(plan), videoMax: groupVideoMax(plan), ratioMin: cfg.ratio_min, ratioMax: cfg.ratio_max, axisLow, axisHigh };
}

/**
 * The ratio axis widens past [0, 1] in quarter steps and, for the same clip and grouping, never
 * narrows again: scaled ratios move with every rho_video step on a long clip, and an axis that
 * followed them made plotly redraw the chart (~80-130 ms with 150 groups, under load) on most
 * slider moves instead of only repainting the canvas.
 */
export function steadyFrame(frame: GroupFrame, previous: GroupFrame | null = null): GroupFrame {
  let axisLow = Math.floor(frame.axisLow * 4) / 4;
  let axisHigh = Math.ceil(frame.axisHigh * 4) / 4;
  const sameAxes =
    previous !== null &&
    previous.clipId === frame.clipId &&
    previous.videoMax === frame.videoMax &&
    previous.ratioMin === frame.ratioMin &&
    previous.ratioMax === frame.ratioMax &&
    previous.labels.join(',') === frame.labels.join(',');
  if (sameAxes) {
    axisLow = Math.min(axisLow, previous.axisLow);
    axisHigh = Math.max(axisHigh, previous.axisHigh);
  }
  return { ...frame, axisLow, axisHigh };
}

/** What budget normalisation did, in one line (shown above the chart). */
export function normalisationSummary(plan: PlanView): string {
  const norm = plan.normalization as { ran?: boolean; reason?: string; scaling?: number; shift?: number };
  if (!norm.ran) return `budget normalisation skipped: ${norm.reason ?? 'not applicable'}`;
  if (typeof norm.shift === 'number') return `budget normalisation ran (exact): shift ${norm.shift >= 0 ? '+' : ''}${norm.shift.toFixed(3)}`;
  return `budget normalisation ran: scale ×${(norm.scaling ?? 1).toFixed(3)}`;
}

/** The budget target and the realised discard as horizontal lines across the groups (they move with the plan). */
export function budgetLines(plan: PlanView): PlotData[] {
  const cfg = plan.config as { rho_video: number };
  const videoTotal = plan.counts.video.total;
  const realised = videoTotal > 0 ? 1 - plan.counts.video.kept / videoTotal : 0;
  const x = groupLabels(plan);
  // Target labelled at the right end, realised at the left: the two lines often nearly coincide.
  const label = (text: string, at: number) => x.map((_, i) => (i === at ? text : ''));
  return [
    { type: 'scatter', mode: 'lines+text', x, y: x.map(() => cfg.rho_video), text: label(`budget target rho_video ${cfg.rho_video}`, x.length - 1), textposition: 'top left', textfont: { size: 10, color: '#9467bd' }, name: 'budget target rho_video', line: { color: '#9467bd', width: 2, dash: 'dash' }, hoverinfo: 'skip' },
    { type: 'scatter', mode: 'lines+text', x, y: x.map(() => realised), text: label(`realised ${realised.toFixed(3)}`, 0), textposition: 'bottom right', textfont: { size: 10, color: '#8c564b' }, name: 'realised discard', line: { color: '#8c564b', width: 1, dash: 'dot' }, hoverinfo: 'skip' },
  ];
}

/** `inView`: first and last group the timeline is zoomed to (linked range); null shows every group. */
export function groupLayout(frame: GroupFrame, highlighted: number, selected: number, inView: [number, number] | null = null): Layout {
  const n = frame.labels.length;
  const xRange = inView ? [inView[0] - 0.5, inView[1] + 0.5] : [-0.5, n - 0.5];
  const shapes: Record<string, unknown>[] = [
    { type: 'rect', xref: 'paper', yref: 'y', x0: 0, x1: 1, y0: frame.ratioMin, y1: frame.ratioMax, fillcolor: 'rgba(148,103,189,0.06)', line: { width: 0 }, layer: 'below' },
  ];
  for (const [index, color, name] of [[selected, 'rgba(31,119,180,0.12)', 'selection'], [highlighted, 'rgba(255,127,14,0.18)', 'hover']] as const) {
    if (index >= 0 && index < n) shapes.push({ type: 'rect', name, xref: 'x', yref: 'paper', x0: index - 0.5, x1: index + 0.5, y0: 0, y1: 1, fillcolor: color, line: { width: 0 }, layer: 'below' });
  }
  return {
    uirevision: frame.clipId,
    barmode: 'group',
    margin: { l: 56, r: 56, t: 12, b: 36 },
    hovermode: 'closest',
    showlegend: false,
    // Fixed ranges: the canvas overlay shares these axes, and plotly never re-ranges on a replan.
    xaxis: { type: 'category', categoryorder: 'array', categoryarray: frame.labels, range: xRange, tickangle: n > 12 ? -45 : 0 },
    // Ratios and retention are fractions (0 = nothing discarded / retained, 1 = all); the axis widens
    // past [0, 1] only to show a ratio the one-pass scaling pushed outside before clamping.
    yaxis: {
      title: { text: frame.axisLow < 0 || frame.axisHigh > 1 ? 'fraction (discard ratio / audio retention); scaled ratios outside 0–1 are clamped' : 'fraction: discard ratio / audio retention' },
      range: [frame.axisLow - 0.05 * (frame.axisHigh - frame.axisLow), frame.axisHigh + 0.05 * (frame.axisHigh - frame.axisLow)],
      zeroline: true,
    },
    yaxis2: { title: { text: 'video kept' }, overlaying: 'y', side: 'right', range: [0, frame.videoMax * 1.05], showgrid: false },
    shapes,
  };
}
