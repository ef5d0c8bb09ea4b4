/**
 * What a report holds, built the same way by the studio (from what it shows) and the CLI (from a
 * bundle and a config): the clip, the config and its flags/env lines, target vs realised budgets,
 * every figure as a plotly figure, the group table, the comparison and the prefill results. DOM-free
 * and Node-free: the renderer bundles it, the CLI runs it.
 */
import type { ClipSummary, PlanView } from '../core/protocol/contract.js';
import type { DeltaRow, PlanComparison } from '../core/studio/compare.js';
import type { PrefillRow } from '../core/protocol/prefill-contract.js';
import type { ClipData } from '../renderer/src/data-cache.js';
import { frameLayout, frameTraces } from '../renderer/src/frames/traces.js';
import { groupFrame, groupLabels, groupLayout, groupStaticTraces, groupTraces } from '../renderer/src/groups/traces.js';
import { timelineLayout, timelinePlanTraces, timelineStaticTraces } from '../renderer/src/timeline/traces.js';
import type { Layout, PlotData } from '../renderer/src/plot/plotly.js';

export interface ReportFigure {
  id: string;
  title: string;
  data: PlotData[];
  layout: Layout;
}

export interface ReportTable {
  headers: string[];
  rows: string[][];
}

export interface ReportDocument {
  title: string;
  generatedAt: string;
  generator: string;
  clip: { name: string; facts: [string, string][] };
  configYaml: string;
  flagsEnv: string;
  budget: ReportTable;
  figures: ReportFigure[];
  groups: ReportTable;
  comparison: { labelA: string; labelB: string; table: ReportTable } | null;
  prefill: { table: ReportTable; notes: string[] } | null;
  notes: string[];
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const fix = (v: number | null | undefined, d = 3) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '—');

export function clipFacts(clip: ClipSummary): [string, string][] {
  return [
    ['file', clip.path ?? clip.name],
    ['duration', `${clip.durationS.toFixed(2)} s`],
    ['audio tokens', String(clip.numAudio)],
    ['video tokens', `${clip.numVideo} (${clip.temporalPatches} patches of ${clip.gridRows}x${clip.gridCols})`],
    ['sequence length', String(clip.sequenceLength)],
    ['hidden size D', String(clip.hiddenSize)],
    ['analysis', `${clip.engine.engine} on ${clip.engine.provider} (${clip.engine.device})`],
  ];
}

/** Target (from the config) against realised (from the plan) retention and FLOPs. */
export function budgetTable(plan: PlanView): ReportTable {
  const c = plan.config as Record<string, unknown>;
  const b = plan.budget;
  const rhoA = Number(c.rho_audio);
  const rhoV = Number(c.rho_video);
  return {
    headers: ['', 'target', 'realised'],
    rows: [
      ['audio kept', Number.isFinite(rhoA) ? `${pct(1 - rhoA)} (rho_audio ${rhoA})` : '—', `${b.audioKept} / ${b.audioTotal} (${pct(b.audioTotal ? b.audioKept / b.audioTotal : 0)})`],
      ['video kept', Number.isFinite(rhoV) ? `${pct(1 - rhoV)} (rho_video ${rhoV})` : '—', `${b.videoKept} / ${b.videoTotal} (${pct(b.videoTotal ? b.videoKept / b.videoTotal : 0)})`],
      ['audio + video retained', '—', `${b.kept} / ${b.total} (${pct(b.retained)})`],
      ['sequence kept', '—', `${plan.counts.sequence.kept} / ${plan.counts.sequence.total}`],
      ['FLOPs saved', '—', `${pct(b.flopsSaved)} (${b.flopsModel})`],
    ],
  };
}

export function groupTable(plan: PlanView): ReportTable {
  return {
    headers: ['group', 'audio tokens', 'video tokens', 'audio retention', 'ratio initial', 'ratio final', 'video kept', 'pinned', 'frame modes'],
    rows: plan.groups.map((g, i) => [
      `g${i}`,
      g.audio_range ? `${g.audio_range[0]}–${g.audio_range[1]}` : '—',
      g.video_range ? `${g.video_range[0]}–${g.video_range[1]}` : '—',
      fix(g.audio_retention),
      fix(g.ratio_initial),
      fix(g.ratio_final),
      String(g.video_kept),
      g.pinned ?? '',
      g.frame_modes.join(' '),
    ]),
  };
}

function deltaCell(v: number | null, format: DeltaRow['format']): string {
  if (v === null || !Number.isFinite(v)) return '—';
  return format === 'count' ? String(v) : format === 'percent' ? pct(v) : v.toFixed(3);
}

/** The Compare view's delta table: each measure for A, B and B − A. */
export function comparisonTable(labelA: string, labelB: string, result: PlanComparison): ReportTable {
  return {
    headers: ['', labelA, labelB, 'B − A'],
    rows: [
      ...[...result.rows, ...result.groupRows].map((r) => [r.label, deltaCell(r.a, r.format), deltaCell(r.b, r.format), deltaCell(r.delta, r.format)]),
      ['audio tokens kept only here', String(result.audio.onlyA), String(result.audio.onlyB), ''],
      ['video tokens kept only here', String(result.video.onlyA), String(result.video.onlyB), ''],
    ],
  };
}

export function prefillTable(rows: PrefillRow[]): ReportTable {
  return {
    headers: ['setting', 'tokens', 'retained a+v', 'median ms', 'p95 ms', 'speed-up', 'FLOPs speed-up', 'run memory MB', 'KV cache MB', 'KL', 'top-1'],
    rows: rows.map((r) => [
      r.label,
      String(r.tokens),
      r.isFull ? '100%' : r.retentionAudioVideo === null ? '—' : pct(r.retentionAudioVideo),
      fix(r.medianMs, 1),
      fix(r.p95Ms, 1),
      r.isFull ? '1.00×' : `${fix(r.speedupMedian, 2)}×${r.timingNote ? ' (unreliable)' : ''}`,
      r.isFull ? '1.00×' : `${fix(r.flopsSpeedup, 2)}×`,
      fix(r.memoryIncreaseBytes / 2 ** 20, 1),
      fix(r.kvCacheBytes / 2 ** 20, 1),
      fix(r.klDivergence, 4),
      r.top1Agreement === null ? '—' : r.top1Agreement === 1 ? 'same' : 'differs',
    ]),
  };
}

const BASE_LAYOUT: Layout = { margin: { l: 56, r: 16, t: 40, b: 40 }, font: { size: 11 }, paper_bgcolor: '#fff', plot_bgcolor: '#fbfbfd', showlegend: true };

/** The studio's three figures for one plan, as the CLI draws them (the studio hands its live ones). */
export function planFigures(clip: ClipSummary, data: ClipData | undefined, plan: PlanView, framePatch = 0): ReportFigure[] {
  const figures: ReportFigure[] = [];
  const timeline = timelineLayout(clip, plan, null, -1);
  figures.push({
    id: 'timeline',
    title: 'Timeline: audio curves and each audio token’s fate',
    data: [...timelineStaticTraces(clip, data, plan.audioScoreSource), ...timelinePlanTraces(clip, data, plan, null)],
    layout: { ...BASE_LAYOUT, ...timeline, height: 460 },
  });
  const frame = groupFrame(plan);
  const labels = groupLabels(plan);
  figures.push({
    id: 'groups',
    title: 'Group ratios',
    data: [...groupStaticTraces(labels), ...groupTraces(clip, plan, null, '')],
    layout: { ...BASE_LAYOUT, ...groupLayout(frame, -1, 0), height: 380 },
  });
  if (clip.temporalPatches > 0) {
    const patch = Math.min(Math.max(0, framePatch), clip.temporalPatches - 1);
    figures.push({
      id: 'frames',
      title: `Frames: kept tokens of patch ${patch + 1} / ${clip.temporalPatches}`,
      data: frameTraces(clip, plan, patch, null, false),
      layout: { ...BASE_LAYOUT, ...frameLayout(clip, patch, '', null), height: 360 },
    });
  }
  return figures;
}
