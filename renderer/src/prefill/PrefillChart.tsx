import { useEffect, useMemo, useRef } from 'react';
import { loadedPlotly, usePlotly } from '../plot/plotly.js';
import { prefillLatencyChart } from './chart.js';
import type { PrefillEntry } from './store.js';

const CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ['toImage', 'lasso2d', 'select2d'] };

/**
 * Latency per setting of the kept runs. Drawn with Plotly directly rather than the views'
 * PlotlyChart: that one takes part in the slider-to-redraw tracking (its data follows the plan),
 * while this chart changes only when a prefill run finishes.
 */
export function PrefillChart({ entries }: { entries: readonly PrefillEntry[] }) {
  const ref = useRef<HTMLDivElement>(null);
  const spec = useMemo(() => prefillLatencyChart(entries), [entries]);
  // Plotly loads lazily (plot/plotly.ts); until then the chart area stays empty and draws once it has.
  const { plotly } = usePlotly();
  useEffect(() => {
    const el = ref.current as HTMLDivElement;
    return () => loadedPlotly()?.purge(el);
  }, []);
  useEffect(() => {
    if (plotly) void plotly.react(ref.current as HTMLDivElement, spec.data, spec.layout, CONFIG);
  }, [plotly, spec]);
  return <div ref={ref} className="prefill-chart" data-testid="prefill-chart" />;
}
