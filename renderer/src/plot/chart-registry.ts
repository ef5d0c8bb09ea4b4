import type { Layout, PlotData } from './plotly.js';

/** A chart's whole figure (plotly's traces plus the canvas-painted ones), for image export. */
export type FigureOf = () => { data: PlotData[]; layout: Layout };

/** Mounted charts by id, so the export panel can render each as PNG/SVG. */
const charts = new Map<string, { title: string; element: HTMLElement; figure?: FigureOf }>();

export function registerChartElement(id: string, title: string, element: HTMLElement, figure?: FigureOf): () => void {
  charts.set(id, { title, element, figure });
  return () => {
    if (charts.get(id)?.element === element) charts.delete(id);
  };
}

export function mountedCharts(): { id: string; title: string; element: HTMLElement; figure?: FigureOf }[] {
  return [...charts].map(([id, c]) => ({ id, ...c }));
}
