/**
 * The studio's report: one self-contained HTML file with what the studio shows right now (the
 * live figures with their canvas marks and compare overlays, the comparison, the prefill runs of
 * this clip), built with the same document and template as `omnizip-studio report`.
 */
import { budgetTable, clipFacts, comparisonTable, groupTable, prefillTable, type ReportDocument } from '../../../report/document.js';
import { reportHtml } from '../../../report/html.js';
import { buildExportText, saveBytes } from '../actions.js';
import { exportableFigure } from './figure.js';
import { dataCache } from '../data-cache.js';
import { comparisonFor } from '../hooks.js';
import { mountedCharts } from '../plot/chart-registry.js';
import { usePrefill } from '../prefill/store.js';
import { useStudio } from '../store/index.js';

const TITLES: Record<string, string> = { timeline: 'Timeline: audio curves and each audio token’s fate', groups: 'Group ratios', frames: 'Frames: kept tokens of the selected patch' };
const ORDER = ['timeline', 'groups', 'frames'];

/** Builds the report document from the studio's current state; null without a clip and a plan. */
export async function studioReport(): Promise<ReportDocument | null> {
  const state = useStudio.getState();
  const version = state.info?.version ?? '';
  const clip = state.clip;
  const plan = dataCache.getPlan(state.planKey);
  if (!clip || !plan) return null;
  const figures = mountedCharts()
    .filter((c) => c.figure)
    .sort((a, b) => ORDER.indexOf(a.id) - ORDER.indexOf(b.id))
    .map((c) => {
      const live = (c.figure as NonNullable<typeof c.figure>)();
      // The report names the clip and config once, at the top: figures keep only their own title.
      const figure = exportableFigure(live, c.title, clip.name, {});
      return { id: c.id, title: TITLES[c.id] ?? c.title, data: figure.data, layout: { ...figure.layout, title: undefined } };
    });
  const cmp = comparisonFor(state);
  const runs = usePrefill.getState().results.filter((e) => e.result.clipId === clip.clipId);
  const prefill = runs.length
    ? {
        table: prefillTable(runs.flatMap((e) => e.result.rows.map((r) => ({ ...r, label: `#${e.id} ${r.label}` })))),
        notes: [...new Set(runs.flatMap((e) => [...(e.result.model.caveat ? [e.result.model.caveat] : []), ...e.result.rows.flatMap((r) => (r.timingNote ? [r.timingNote] : []))]))],
      }
    : null;
  return {
    title: `OmniZip report: ${clip.name}`,
    generatedAt: new Date().toISOString(),
    generator: `OmniZip Studio ${version}`,
    clip: { name: clip.name, facts: clipFacts(clip) },
    configYaml: await buildExportText('config-yaml'),
    flagsEnv: await buildExportText('flags'),
    budget: budgetTable(plan),
    figures,
    groups: groupTable(plan),
    comparison: cmp ? { labelA: cmp.labelA, labelB: cmp.labelB, table: comparisonTable(cmp.labelA, cmp.labelB, cmp.result) } : null,
    prefill,
    notes: [...clip.notes, ...plan.notes],
  };
}

export async function exportReport(): Promise<void> {
  try {
    const doc = await studioReport();
    const clip = useStudio.getState().clip;
    if (!doc || !clip) return;
    // Loaded on demand: plotly's source (1.5 MB) is only needed inside the report file.
    const { default: plotly } = await import('plotly.js-cartesian-dist-min/plotly-cartesian.min.js?raw');
    const stem = clip.name.replace(/\.[A-Za-z0-9]+$/, '').replace(/[^A-Za-z0-9._-]+/g, '_');
    await saveBytes(`${stem}.report.html`, 'text/html', new TextEncoder().encode(reportHtml(doc, plotly)));
  } catch (err) {
    useStudio.getState().pushError(`report export failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}
