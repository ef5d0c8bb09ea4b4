import { useEffect, useState } from 'react';
import type { ExportKind } from '../../../core/protocol/contract.js';
import { buildExportText, exportKind, saveBytes } from '../actions.js';
import { mountedCharts } from '../plot/chart-registry.js';
import { loadPlotly } from '../plot/plotly.js';
import { useStudio } from '../store/index.js';
import type { OmniZipConfig } from '../../../core/config/schema.js';
import { withSettledConfig } from '../hooks.js';
import { exportableFigure } from './figure.js';
import { exportReport } from './report.js';
import { whenReplansIdle } from '../replan-idle.js';

const FILES: [ExportKind, string][] = [
  ['config-yaml', 'Config (YAML)'],
  ['config-json', 'Config (JSON)'],
  ['flags', 'Official flags / env'],
  ['plan-json', 'Plan (JSON)'],
  ['masks', 'Kept-token masks (.safetensors)'],
];

function dataUrlBytes(url: string): Uint8Array {
  const comma = url.indexOf(',');
  const header = url.slice(0, comma);
  const body = url.slice(comma + 1);
  if (header.endsWith(';base64')) {
    const bin = atob(body);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  return new TextEncoder().encode(decodeURIComponent(body));
}

export async function exportChart(id: string, format: 'png' | 'svg'): Promise<void> {
  const chart = mountedCharts().find((c) => c.id === id);
  const clip = useStudio.getState().clip;
  if (!chart || !clip) return;
  try {
    const live = chart.figure?.();
    // The chart's own export title (Frames names its patch) or its name, under the clip and the setting.
    const own = (live?.layout.title as { text?: string } | undefined)?.text;
    const figure = live ? exportableFigure(live, own ?? chart.title, clip.name, useStudio.getState().config as unknown as Record<string, unknown>) : undefined;
    const height = Math.max(400, typeof figure?.layout.height === 'number' ? figure.layout.height : chart.element.clientHeight);
    const Plotly = await loadPlotly();
    const url = await Plotly.toImage(figure ?? chart.element, { format, width: 1200, height, scale: format === 'png' ? 2 : 1 });
    const stem = clip.name.replace(/\.[A-Za-z0-9]+$/, '').replace(/[^A-Za-z0-9._-]+/g, '_');
    await saveBytes(`${stem}.${id}.${format}`, format === 'png' ? 'image/png' : 'image/svg+xml', dataUrlBytes(url));
  } catch (err) {
    useStudio.getState().pushError(`chart export failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export const Export = withSettledConfig(function ExportView({ config }: { config: OmniZipConfig }) {
  const clip = useStudio((s) => s.clip);
  const [flags, setFlags] = useState('');
  useEffect(() => {
    let live = true;
    // Debounced, and sent only once the slider's own replan is drawn: the preview must not compete
    // with the charts while a slider is moving.
    const timer = setTimeout(() => {
      if (!clip) return;
      void whenReplansIdle()
        .then(() => (live ? buildExportText('flags') : ''))
        .then((t) => live && setFlags(t), () => live && setFlags(''));
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [clip, config]);
  const charts = [['timeline', 'Timeline'], ['groups', 'Group ratios'], ['frames', 'Frames']];
  return (
    <section className="view" data-testid="view-export">
      <h2>Export</h2>
      <div className="toolbar">
        {FILES.map(([kind, label]) => (
          <button key={kind} disabled={!clip} data-testid={`export-${kind}`} onClick={() => void exportKind(kind)}>{label}</button>
        ))}
      </div>
      <div className="toolbar">
        <button disabled={!clip} data-testid="export-report" onClick={() => void exportReport()} title="One HTML file: clip, config, flags/env, budgets, every figure, groups, comparison and prefill runs (opens offline; print it to PDF)">
          Report (HTML)
        </button>
      </div>
      <div className="toolbar">
        {charts.map(([id, label]) => (
          <span key={id} className="chart-export">
            {label}: <button disabled={!clip} data-testid={`export-${id}-png`} onClick={() => void exportChart(id, 'png')}>PNG</button>
            <button disabled={!clip} data-testid={`export-${id}-svg`} onClick={() => void exportChart(id, 'svg')}>SVG</button>
          </span>
        ))}
      </div>
      <pre className="flags" data-testid="flags-preview">{flags}</pre>
    </section>
  );
});
