import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { loadedPlotly, usePlotly, type Layout, type PlotData, type PlotlyHTMLElement, type PlotMouseEvent } from './plotly.js';
import { noteChartDrawn, noteChartSync, noteCommitted, registerChart } from '../perf.js';
import { registerChartElement } from './chart-registry.js';
import { yAxisEdits } from './layout-edits.js';
import { paintOverlay } from './overlay.js';
import { plotAxes, plotWidth } from './plotly-axes.js';

export interface PlotlyChartProps {
  id: string;
  title: string;
  /** Traces plotly draws: the ones that do not change on a replan (curves, hover targets). */
  data: PlotData[];
  /** Layout; keep it stable across replans where possible (fixed axis ranges, uirevision). */
  layout: Layout;
  /** Per-plan traces, painted on a canvas over the plot with plotly's axes (see overlay.ts). */
  overlay?: PlotData[];
  /** Title of an exported image, where the live chart shows it outside the plot. */
  exportTitle?: string;
  /** Plan sequence number the data belongs to (for the redraw measurements). */
  seq: number;
  height: number;
  onHover?: (event: PlotMouseEvent) => void;
  onUnhover?: () => void;
  onClick?: (event: PlotMouseEvent) => void;
  /** Zoom, pan and axis resets, with plotly's relayout event (e.g. 'xaxis.range[0]'). */
  onRelayout?: (event: Record<string, unknown>) => void;
}

const CONFIG = { displaylogo: false, responsive: true, scrollZoom: true, modeBarButtonsToRemove: ['toImage', 'lasso2d', 'select2d'] };
const NO_OVERLAY: PlotData[] = [];

/** What tests and exports read from a chart element: the canvas-painted traces. */
export interface OverlayHost {
  __omzOverlay?: PlotData[];
}

const legendKey = (t: PlotData) => String(t.legendgroup ?? t.name ?? '');

/** Legend of the canvas-painted traces (plotly's legend only knows its own traces); click hides one. */
function OverlayLegend({ traces, hidden, toggle, id }: { traces: PlotData[]; hidden: Set<string>; toggle: (key: string) => void; id: string }) {
  const shown = traces.filter((t) => t.showlegend !== false && t.name);
  if (shown.length === 0) return null;
  return (
    <div className="overlay-legend" data-testid={`legend-${id}`}>
      {shown.map((t) => {
        const key = legendKey(t);
        const mode = String(t.mode ?? '');
        const marker = (t.marker ?? {}) as { color?: string; symbol?: string };
        const line = (t.line ?? {}) as { color?: string; dash?: string };
        const color = t.type === 'heatmap' ? '#2a9d3a' : marker.color ?? line.color ?? '#444';
        const glyph = t.type === 'bar' ? '■' : mode.includes('markers') ? SYMBOL_GLYPH[marker.symbol ?? 'circle'] ?? '●' : '';
        return (
          <button key={key} className={`legend-item${hidden.has(key) ? ' off' : ''}`} onClick={() => toggle(key)} title="show / hide">
            {mode.includes('lines') && <span className="legend-line" style={{ borderTopColor: line.color ?? color, borderTopStyle: line.dash && line.dash !== 'solid' ? 'dashed' : 'solid' }} />}
            {glyph && <span style={{ color }}>{glyph}</span>} {String(t.name)}
          </button>
        );
      })}
    </div>
  );
}

const SYMBOL_GLYPH: Record<string, string> = { circle: '●', diamond: '◆', 'triangle-down': '▼', 'triangle-up': '▲', x: '✕', star: '★', 'square-open': '□', 'circle-open': '○', square: '■' };

/** What a chart shows until plotly has loaded (plot/plotly.ts), or why it could not. */
function ChartLoading({ id, height, error }: { id: string; height: number; error?: string }) {
  return (
    <div className={`chart-loading${error ? ' failed' : ''}`} style={{ height }} role="status" data-testid={`chart-loading-${id}`}>
      {error ? `The chart library could not load: ${error}` : 'Loading the chart…'}
    </div>
  );
}

/**
 * One chart: plotly draws `data` with `layout` (Plotly.react only when those change), and the
 * per-plan `overlay` traces are painted on a canvas on top, so a replan costs a canvas repaint
 * instead of a plotly redraw. Both update inside the same commit (layout effects), so every chart
 * of one replan lands in one animation frame. Until plotly has loaded the chart shows its loading
 * state; a plan that arrives before is kept and drawn with plotly's first draw.
 */
export function PlotlyChart({ id, title, data, layout, overlay = NO_OVERLAY, exportTitle, seq, height, onHover, onUnhover, onClick, onRelayout }: PlotlyChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  const { plotly: Plotly, error: plotlyError } = usePlotly();
  // Created here, not by React: it lives inside plotly's own container (see placeCanvas).
  const canvasRef = useRef<HTMLCanvasElement | null>(null);
  const handlers = useRef({ onHover, onUnhover, onClick, onRelayout });
  handlers.current = { onHover, onUnhover, onClick, onRelayout };
  const [hidden, setHidden] = useState<Set<string>>(() => new Set());
  const visibleOverlay = hidden.size === 0 ? overlay : overlay.filter((t) => !hidden.has(legendKey(t)));
  const fullLayout = (l: Layout): Layout => ({ height, margin: { l: 56, r: 16, t: 28, b: 36 }, font: { size: 11 }, paper_bgcolor: '#fff', plot_bgcolor: '#fbfbfd', ...l });
  const latest = useRef({ data, layout, overlay: visibleOverlay, allOverlay: overlay, seq, exportTitle });
  latest.current = { data, layout, overlay: visibleOverlay, allOverlay: overlay, seq, exportTitle };
  /** Plotly.react calls not yet finished: the overlay waits for the axes they produce. */
  const pending = useRef(0);
  /** What plotly last drew here (the relayout shortcut compares against it). */
  const drawnFigure = useRef<{ Plotly: object; data: PlotData[]; layout: Layout; height: number } | null>(null);
  const alive = useRef(true);

  /** The live chart's legend for canvas traces is HTML; an exported image gets plotly's own legend and title. */
  const exportFigure = (c: typeof latest.current): { data: PlotData[]; layout: Layout } => {
    const base = fullLayout(c.layout);
    const margin = (base.margin ?? {}) as Record<string, number>;
    const legendBelow = base.legend === undefined;
    return {
      data: [...c.data, ...c.overlay],
      layout: {
        ...base,
        showlegend: true,
        legend: base.legend ?? { orientation: 'h', y: -0.12, yanchor: 'top', font: { size: 10 } },
        margin: { ...margin, t: c.exportTitle ? 40 : margin.t, b: legendBelow ? 110 : margin.b },
        height: Math.max(height, 420) + (legendBelow ? 80 : 0),
        ...(c.exportTitle ? { title: { text: c.exportTitle, font: { size: 12 } } } : {}),
      },
    };
  };

  /**
   * Puts the canvas right after plotly's plot layer, inside its container: above the curves,
   * below plotly's hover labels and mode bar (which come later in the same container).
   */
  const placeCanvas = (el: HTMLElement): HTMLCanvasElement | null => {
    const container = el.querySelector('.svg-container');
    const plotLayer = container?.querySelector(':scope > svg.main-svg');
    if (!container || !plotLayer) return null;
    let canvas = canvasRef.current;
    if (!canvas) {
      canvas = document.createElement('canvas');
      canvas.className = 'chart-overlay';
      canvasRef.current = canvas;
    }
    if (canvas.previousElementSibling !== plotLayer) plotLayer.after(canvas);
    return canvas;
  };

  const paint = () => {
    const el = ref.current;
    if (!alive.current || !el || pending.current > 0) return;
    const canvas = placeCanvas(el);
    if (!canvas) return;
    const axes = plotAxes(el);
    if (!axes) return;
    const { overlay: traces, allOverlay, seq: drawnSeq } = latest.current;
    const started = performance.now();
    paintOverlay(canvas, plotWidth(el) ?? el.clientWidth, height, axes, traces);
    if (traces.length > 0) noteChartSync(`${id} (canvas)`, performance.now() - started);
    (el as unknown as OverlayHost).__omzOverlay = allOverlay;
    el.dataset.seq = String(drawnSeq);
    noteChartDrawn(id, drawnSeq);
  };
  const paintRef = useRef(paint);
  paintRef.current = paint;

  useEffect(() => {
    const el = ref.current as HTMLDivElement;
    alive.current = true;
    const unregister = registerChart(id);
    // Exports hand plotly the whole figure, canvas traces included, so the file holds every mark.
    const unregisterElement = registerChartElement(id, title, el, () => exportFigure(latest.current));
    // Plotly's "responsive" only hears window resizes; a box that changes size for any other reason
    // (a column folding, a scrollbar, a grid reflow) must re-lay the plot out too, or it keeps a
    // stale (even 0 px) width. One resize per frame; afterplot then repaints the overlay.
    let frame = 0;
    let lastWidth = el.clientWidth;
    const observer = new ResizeObserver(() => {
      if (el.clientWidth === lastWidth || frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        lastWidth = el.clientWidth;
        const plotly = loadedPlotly();
        if (plotly && alive.current && pending.current === 0 && (el as unknown as { _fullLayout?: unknown })._fullLayout) plotly.Plots.resize(el);
      });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      if (frame) cancelAnimationFrame(frame);
      alive.current = false;
      unregister();
      unregisterElement();
      loadedPlotly()?.purge(el);
      drawnFigure.current = null;
    };
  }, [id, title]);

  useLayoutEffect(() => {
    if (!Plotly) return;
    const el = ref.current as HTMLDivElement;
    // The same traces under a layout whose y axes alone moved (a widened ratio axis) are
    // relayouted, not redrawn; an equal layout built anew needs no plotly call at all.
    const previous = drawnFigure.current;
    const edits = previous && previous.Plotly === Plotly && previous.data === data && previous.height === height ? yAxisEdits(previous.layout, layout) : null;
    // A copy: plotly writes into the layout it is given (an axis's detected `type`, say).
    drawnFigure.current = { Plotly, data, layout: structuredClone(layout), height };
    if (edits && Object.keys(edits).length === 0) return paintRef.current();
    pending.current++;
    const started = performance.now();
    const drawing = edits ? Plotly.relayout(el, edits) : Plotly.react(el, data, fullLayout(layout), CONFIG);
    noteChartSync(edits ? `${id} (relayout)` : id, performance.now() - started);
    void drawing.then(
      (gd: PlotlyHTMLElement) => {
        pending.current--;
        if (!(gd as unknown as { __omzBound?: boolean }).__omzBound) {
          (gd as unknown as { __omzBound?: boolean }).__omzBound = true;
          gd.on('plotly_hover', (e) => handlers.current.onHover?.(e));
          gd.on('plotly_unhover', () => handlers.current.onUnhover?.());
          gd.on('plotly_click', (e) => handlers.current.onClick?.(e));
          gd.on('plotly_relayout', (e) => handlers.current.onRelayout?.(e as unknown as Record<string, unknown>));
          // Zoom, pan and resize re-plot the axes: repaint the overlay on the new geometry.
          gd.on('plotly_afterplot', () => paintRef.current());
        }
        paintRef.current();
      },
      () => {
        pending.current--;
      },
    );
  }, [Plotly, id, data, layout, height]);

  useLayoutEffect(() => {
    noteCommitted(seq);
    paintRef.current();
  }, [visibleOverlay, seq]);

  const toggle = (key: string) =>
    setHidden((h) => {
      const next = new Set(h);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });

  return (
    <div className="chart-box">
      <OverlayLegend traces={overlay} hidden={hidden} toggle={toggle} id={id} />
      {!Plotly && <ChartLoading id={id} height={height} error={plotlyError} />}
      <div ref={ref} className="chart" data-testid={`chart-${id}`} data-chart={id} />
    </div>
  );
}
