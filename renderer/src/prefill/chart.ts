/**
 * The inference panel's chart: median prefill latency per measured sequence of every kept run,
 * whiskers from the fastest run to p95, each compressed bar labelled (above its whisker) with its
 * measured speed-up and the FLOPs-predicted one. Pure: returns plotly data and layout.
 */
import type { PrefillEntry } from './store.js';

const FULL_COLOR = '#8a93a3';
const SETTING_COLORS = ['#1f77b4', '#2a9d3a', '#d62728', '#9467bd'];

export interface PrefillChartSpec {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
}

export const speedupText = (measured: number | null, predicted: number | null): string =>
  measured === null ? '' : `${measured.toFixed(2)}× (FLOPs ${predicted === null ? 'n/a' : `${predicted.toFixed(2)}×`})`;

export function prefillLatencyChart(entries: readonly PrefillEntry[]): PrefillChartSpec {
  const x: string[] = [];
  const y: number[] = [];
  const plus: number[] = [];
  const minus: number[] = [];
  const colors: string[] = [];
  const annotations: Record<string, unknown>[] = [];
  const hover: string[] = [];
  for (const entry of entries) {
    entry.result.rows.forEach((row, k) => {
      x.push(`#${entry.id} ${row.label}`);
      y.push(row.medianMs);
      plus.push(Math.max(0, row.p95Ms - row.medianMs));
      minus.push(Math.max(0, row.medianMs - row.minMs));
      colors.push(row.isFull ? FULL_COLOR : SETTING_COLORS[(k - 1) % SETTING_COLORS.length]);
      // Above the whisker, not the bar, so the label never sits under the p95 line.
      if (!row.isFull) annotations.push({ x: `#${entry.id} ${row.label}`, y: Math.max(row.p95Ms, row.medianMs), text: speedupText(row.speedupMedian, row.flopsSpeedup), showarrow: false, yanchor: 'bottom', yshift: 2, font: { size: 10 } });
      hover.push(`${row.tokens} tokens in<br>median ${row.medianMs.toFixed(1)} ms, p95 ${row.p95Ms.toFixed(1)} ms`);
    });
  }
  return {
    data: [
      {
        type: 'bar',
        name: 'median prefill latency',
        x,
        y,
        marker: { color: colors },
        error_y: { type: 'data', symmetric: false, array: plus, arrayminus: minus, color: '#444', thickness: 1 },
        hovertext: hover,
        hoverinfo: 'x+text',
      },
    ],
    layout: {
      height: 230,
      margin: { l: 56, r: 12, t: 24, b: 48 },
      font: { size: 11 },
      paper_bgcolor: '#fff',
      plot_bgcolor: '#fbfbfd',
      showlegend: false,
      annotations,
      title: { text: 'median prefill latency (whiskers: fastest run to p95); label: measured speed-up (FLOPs-predicted)', font: { size: 11 } },
      yaxis: { title: { text: 'ms' }, rangemode: 'tozero', automargin: true },
      xaxis: { type: 'category', automargin: true },
    },
  };
}
