/** Plotly figure of one temporal patch: its kept/pruned token grid as a heatmap over the sampled frame. */
import type { ClipSummary, PlanView } from '../../../core/protocol/contract.js';
import type { Layout, PlotData } from '../plot/plotly.js';

/** Mode and keep count of the planner's frame(s) covering one temporal patch. */
/** Video tokens of a patch the plan keeps (a thumbnail's title: no walk over the groups, 300 thumbnails re-render per replan). */
export function patchKept(clip: ClipSummary, plan: PlanView, patch: number): { kept: number; total: number } {
  const start = patch * clip.tokensPerFrame;
  const end = Math.min(start + clip.tokensPerFrame, plan.videoKeep.length);
  let kept = 0;
  for (let i = start; i < end; i++) kept += plan.videoKeep[i];
  return { kept, total: clip.tokensPerFrame };
}

export function patchModes(clip: ClipSummary, plan: PlanView, patch: number): { modes: string[]; kept: number; total: number } {
  const start = patch * clip.tokensPerFrame;
  const end = start + clip.tokensPerFrame;
  let kept = 0;
  for (let i = start; i < end && i < plan.videoKeep.length; i++) kept += plan.videoKeep[i];
  const modes: string[] = [];
  for (const g of plan.groups) {
    if (!g.video_range) continue;
    const [vs, ve] = g.video_range;
    if (end <= vs || start >= ve) continue;
    if (g.ratio_final === null || g.kept_whole || g.frame_modes.length === 0) {
      modes.push('kept whole');
      continue;
    }
    const frameTokens = Math.floor((ve - vs) / g.frame_modes.length);
    for (let k = 0; k < g.frame_modes.length; k++) {
      const fs = vs + k * frameTokens;
      if (fs + frameTokens > start && fs < end) modes.push(g.frame_modes[k]);
    }
  }
  return { modes, kept, total: clip.tokensPerFrame };
}

/**
 * z per grid cell: keep (1) / prune (0); in compare mode 0 both pruned, 1 both kept,
 * 2 only in A, 3 only in B.
 */
export function patchGrid(clip: ClipSummary, keep: Uint8Array, patch: number, diff: Int8Array | null): number[][] {
  const z: number[][] = [];
  const base = patch * clip.tokensPerFrame;
  for (let r = 0; r < clip.gridRows; r++) {
    const row: number[] = [];
    for (let c = 0; c < clip.gridCols; c++) {
      const i = base + r * clip.gridCols + c;
      if (diff) row.push(diff[i] === -1 ? 2 : diff[i] === 1 ? 3 : keep[i] ? 1 : 0);
      else row.push(keep[i] ? 1 : 0);
    }
    z.push(row);
  }
  return z;
}

export function frameTraces(clip: ClipSummary, plan: PlanView, patch: number, diff: Int8Array | null, overImage: boolean): PlotData[] {
  const z = patchGrid(clip, plan.videoKeep, patch, diff);
  // Over a real frame the one-sided tokens are a tint, so the image still shows through them.
  const onlyA = overImage ? 'rgba(214,39,40,0.45)' : 'rgba(214,39,40,0.75)';
  const onlyB = overImage ? 'rgba(31,119,180,0.45)' : 'rgba(31,119,180,0.8)';
  const colorscale = diff
    ? [[0, overImage ? 'rgba(15,15,25,0.7)' : '#d9d9de'], [0.25, overImage ? 'rgba(15,15,25,0.7)' : '#d9d9de'], [0.25, overImage ? 'rgba(42,157,58,0.12)' : '#2a9d3a'], [0.5, overImage ? 'rgba(42,157,58,0.12)' : '#2a9d3a'], [0.5, onlyA], [0.75, onlyA], [0.75, onlyB], [1, onlyB]]
    : [[0, overImage ? 'rgba(15,15,25,0.72)' : '#d9d9de'], [0.5, overImage ? 'rgba(15,15,25,0.72)' : '#d9d9de'], [0.5, overImage ? 'rgba(42,157,58,0.10)' : '#2a9d3a'], [1, overImage ? 'rgba(42,157,58,0.10)' : '#2a9d3a']];
  return [
    {
      type: 'heatmap',
      z,
      zmin: 0,
      zmax: diff ? 3 : 1,
      colorscale,
      showscale: false,
      xgap: 1,
      ygap: 1,
      hovertemplate: diff ? 'row %{y}, col %{x}<extra></extra>' : 'row %{y}, col %{x}: %{z}<extra>1 = kept</extra>',
      name: `patch ${patch + 1}`,
      showlegend: false,
    },
    ...tieTraces(clip, plan, patch),
  ];
}

/** Tokens of this patch whose keep/drop an exact tie at their frame's cut decided (plan.videoTies), ringed. */
export function tieTraces(clip: ClipSummary, plan: PlanView, patch: number): PlotData[] {
  if (!plan.videoTies) return [];
  const x: number[] = [];
  const y: number[] = [];
  const base = patch * clip.tokensPerFrame;
  for (let i = 0; i < clip.tokensPerFrame && base + i < plan.videoTies.length; i++) {
    if (plan.videoTies[base + i] !== 1) continue;
    x.push(i % clip.gridCols);
    y.push(Math.floor(i / clip.gridCols));
  }
  if (x.length === 0) return [];
  return [
    {
      type: 'scatter',
      mode: 'markers',
      x,
      y,
      name: `decided by an exact tie (${x.length})`,
      // Amber reads on the dark dimmed frames and on the plain grey/green grid alike.
      marker: { color: '#ffb000', symbol: 'circle-open', size: 11, line: { width: 2, color: '#ffb000' } },
      hovertemplate: 'row %{y}, col %{x}: kept or dropped by an exact tie at the frame cut<extra></extra>',
      showlegend: true,
    } as PlotData,
  ];
}

/** One swatch of the Frames legend. */
export interface LegendEntry {
  label: string;
  color: string;
}

/**
 * What the colours of the token grid mean. Over a real frame the kept tokens are almost clear and
 * the pruned ones only dimmed, so the legend says so rather than showing the bare grid colours.
 */
export function frameLegend(compare: { labelA: string; labelB: string } | null, overImage: boolean): LegendEntry[] {
  const kept = overImage ? 'rgba(42,157,58,0.35)' : '#2a9d3a';
  const pruned = overImage ? 'rgba(15,15,25,0.72)' : '#d9d9de';
  if (!compare) {
    return [
      { label: overImage ? 'kept (frame shows through)' : 'kept', color: kept },
      { label: overImage ? 'pruned (frame dimmed)' : 'pruned', color: pruned },
    ];
  }
  return [
    { label: overImage ? `kept by both (frame shows through)` : 'kept by both', color: kept },
    { label: overImage ? 'pruned by both (frame dimmed)' : 'pruned by both', color: pruned },
    { label: `kept only by ${compare.labelA}`, color: 'rgba(214,39,40,0.75)' },
    { label: `kept only by ${compare.labelB}`, color: 'rgba(31,119,180,0.8)' },
  ];
}

/** The hover readout of one grid cell: where it is, which video token it is, and its fate. */
export function tokenReadout(clip: ClipSummary, keep: Uint8Array, patch: number, row: number, col: number, diff: Int8Array | null, labels?: { labelA: string; labelB: string }): string | null {
  if (!Number.isInteger(row) || !Number.isInteger(col) || row < 0 || col < 0 || row >= clip.gridRows || col >= clip.gridCols) return null;
  const index = patch * clip.tokensPerFrame + row * clip.gridCols + col;
  if (index >= keep.length) return null;
  let fate = keep[index] ? 'kept' : 'pruned';
  if (diff && labels) {
    if (diff[index] === -1) fate = `kept only by ${labels.labelA}`;
    else if (diff[index] === 1) fate = `kept only by ${labels.labelB}`;
    else fate = keep[index] ? 'kept by both' : 'pruned by both';
  }
  return `row ${row}, col ${col} · video token ${index} · ${fate}`;
}

/**
 * An invisible heatmap over the grid that only exists to receive hover events (the visible grid
 * is painted on the overlay canvas, which plotly cannot hover). Depends on the grid shape only.
 */
export function hoverTargetTrace(clip: ClipSummary): PlotData {
  const z = Array.from({ length: clip.gridRows }, () => new Array<number>(clip.gridCols).fill(0));
  return { type: 'heatmap', z, zmin: 0, zmax: 1, opacity: 0, showscale: false, hoverinfo: 'none', name: 'frame hover target', showlegend: false } as PlotData;
}

export function frameLayout(clip: ClipSummary, patch: number, title: string, imageUrl: string | null): Layout {
  return {
    title: title ? { text: title, font: { size: 12 } } : undefined,
    margin: { l: 56, r: 16, t: title ? 28 : 8, b: 36 },
    xaxis: { range: [-0.5, clip.gridCols - 0.5], showgrid: false, zeroline: false, constrain: 'domain', title: { text: 'token column' } },
    // Both axes shrink their domain (never widen their range) to keep square cells, so the y axis
    // spans exactly the grid rows at any width.
    yaxis: { range: [clip.gridRows - 0.5, -0.5], showgrid: false, zeroline: false, scaleanchor: 'x', constrain: 'domain', title: { text: 'token row' } },
    images: imageUrl
      ? [{ source: imageUrl, xref: 'x', yref: 'y', x: -0.5, y: -0.5, sizex: clip.gridCols, sizey: clip.gridRows, sizing: 'stretch', layer: 'below', xanchor: 'left', yanchor: 'top' }]
      : [],
    meta: { patch },
  };
}
