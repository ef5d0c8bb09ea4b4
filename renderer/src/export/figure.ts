/**
 * A chart as it leaves the studio (PNG/SVG, the report): titled with the clip and the setting it
 * shows, and without the pointer's hover highlight or the selection cursor, which belong to the
 * live session, not to the figure.
 */
import type { Layout, PlotData } from '../plot/plotly.js';

const TRANSIENT_SHAPES = new Set(['hover', 'selection']);

/** The setting in one line, the keys a reader needs to reproduce the figure. */
export function configLine(config: Record<string, unknown>): string {
  const keys = ['method', 'variant', 'rho_audio', 'rho_video', 'g', 'contextual_ratio', 'audio_score', 'budget'];
  return keys.filter((k) => config[k] !== undefined).map((k) => `${k} ${String(config[k])}`).join(' · ');
}

export function exportableFigure(figure: { data: PlotData[]; layout: Layout }, chartTitle: string, clipName: string, config: Record<string, unknown>): { data: PlotData[]; layout: Layout } {
  const layout = figure.layout as Layout & { shapes?: { name?: string }[]; margin?: Record<string, number> };
  const shapes = (layout.shapes ?? []).filter((s) => !TRANSIENT_SHAPES.has(String(s.name ?? '')));
  const margin = layout.margin ?? {};
  return {
    data: figure.data,
    layout: {
      ...layout,
      shapes,
      margin: { ...margin, t: Math.max(Number(margin.t ?? 0), 64) },
      title: { text: `${clipName} · ${chartTitle}<br><span style="font-size:10px">${configLine(config)}</span>`, font: { size: 12 }, x: 0, xanchor: 'left' },
    },
  };
}
