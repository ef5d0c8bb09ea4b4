/**
 * Figure of many methods at once: per time bin, how often each method decides against the
 * majority of the compared methods, and (top row) the share of tokens the methods do not all
 * agree on. DOM-free; the Compare view hands it to PlotlyChart.
 */
import type { LabelledPlan, ManyComparison } from '../../../core/studio/compare-many.js';
import { disagreementBins } from '../../../core/studio/compare-many.js';
import type { ClipSummary } from '../../../core/protocol/contract.js';
import type { Layout, PlotData } from '../plot/plotly.js';
import { audioTime, patchStart } from '../plan-time.js';

/** Seconds per bin: about 60 bins over the clip, at least one second. */
export function binSeconds(durationS: number): number {
  return Math.max(1, Math.ceil(durationS / 60));
}

export function agreementHeatmap(clip: ClipSummary, plans: readonly LabelledPlan[], many: ManyComparison): { data: PlotData[]; layout: Partial<Layout> } {
  const tpf = clip.gridRows * clip.gridCols;
  const tokenTime = (modality: 'audio' | 'video', i: number) => (modality === 'audio' ? audioTime(clip, i) : tpf > 0 ? patchStart(clip, Math.floor(i / tpf)) + clip.secondsPerPatch / 2 : 0);
  const binS = binSeconds(clip.durationS);
  const bins = disagreementBins(plans, many, tokenTime, clip.durationS, binS);
  const rows = ['not all agree', ...plans.map((p) => `${p.label} vs majority`)];
  const z = [bins.split, ...bins.perPlan].map((r) => r.map((v) => Math.round(1000 * v) / 10));
  const data: PlotData[] = [
    {
      type: 'heatmap',
      x: bins.binStarts.map((t) => t + binS / 2),
      y: rows,
      z,
      zmin: 0,
      zmax: 100,
      colorscale: [
        [0, '#f7f7f7'],
        [1, '#b2182b'],
      ],
      colorbar: { title: { text: '% of the bin\'s tokens' }, ticksuffix: '%' },
      hovertemplate: '%{y}<br>%{x:.1f} s: %{z:.1f}% of tokens<extra></extra>',
    } as unknown as PlotData,
  ];
  const layout: Partial<Layout> = {
    margin: { l: 170, r: 20, t: 10, b: 40 },
    xaxis: { title: { text: `time (s), ${binS}-s bins` }, range: [0, clip.durationS] },
    yaxis: { autorange: 'reversed', automargin: true },
  };
  return { data, layout };
}
