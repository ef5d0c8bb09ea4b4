import { useEffect, useRef } from 'react';
import Plotly, { type Layout, type PlotData, type PlotlyHTMLElement, type PlotMouseEvent } from './plotly.js';
import { noteChartDrawn, noteChartSync, registerChart } from '../perf.js';
import { registerChartElement } from './chart-registry.js';

export interface PlotlyChartProps {
  id: string;
  title: string;
  data: PlotData[];
  layout: Layout;
  /** Plan sequence number the data belongs to (for the redraw measurements). */
  seq: number;
  height: number;
  onHover?: (event: PlotMouseEvent) => void;
  onUnhover?: () => void;
  onClick?: (event: PlotMouseEvent) => void;
}

const CONFIG = { displaylogo: false, responsive: true, scrollZoom: true, modeBarButtonsToRemove: ['toImage', 'sendDataToCloud', 'lasso2d', 'select2d'] };

/** One plotly chart, redrawn with Plotly.react whenever its data or layout changes. */
export function PlotlyChart({ id, title, data, layout, seq, height, onHover, onUnhover, onClick }: PlotlyChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  const handlers = useRef({ onHover, onUnhover, onClick });
  handlers.current = { onHover, onUnhover, onClick };

  useEffect(() => {
    const el = ref.current as HTMLDivElement;
    const unregister = registerChart(id);
    const unregisterElement = registerChartElement(id, title, el);
    return () => {
      unregister();
      unregisterElement();
      Plotly.purge(el);
    };
  }, [id, title]);

  useEffect(() => {
    const el = ref.current as HTMLDivElement;
    let cancelled = false;
    const started = performance.now();
    const drawing = Plotly.react(el, data, { height, margin: { l: 56, r: 16, t: 28, b: 36 }, font: { size: 11 }, paper_bgcolor: '#fff', plot_bgcolor: '#fbfbfd', ...layout }, CONFIG);
    noteChartSync(id, performance.now() - started);
    void drawing.then((gd: PlotlyHTMLElement) => {
      if (cancelled) return;
      if (!(gd as unknown as { __omzBound?: boolean }).__omzBound) {
        (gd as unknown as { __omzBound?: boolean }).__omzBound = true;
        gd.on('plotly_hover', (e) => handlers.current.onHover?.(e));
        gd.on('plotly_unhover', () => handlers.current.onUnhover?.());
        gd.on('plotly_click', (e) => handlers.current.onClick?.(e));
      }
      el.dataset.seq = String(seq);
      noteChartDrawn(id, seq);
    });
    return () => {
      cancelled = true;
    };
  }, [id, data, layout, seq, height]);

  return <div ref={ref} className="chart" data-testid={`chart-${id}`} data-chart={id} />;
}
