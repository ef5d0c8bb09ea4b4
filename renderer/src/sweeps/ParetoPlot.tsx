import { useMemo, useRef, useState } from 'react';
import { selectConfig } from './sweeps-actions.js';
import { useSweeps } from './sweeps-store.js';
import { usePicked } from '../store/pick.js';
import { brushMask, downsample, extentOf, formatValue, metricIndex, PointIndex, scale, viridis, type PcAxis } from './geometry.js';
import { useCanvas } from './useCanvas.js';

const HEIGHT = 380;
const M = { left: 64, right: 16, top: 14, bottom: 44 };
/** Points drawn at most; the rest are summarised by the drawn ones (the front and the selection always drawn). */
const DRAW_LIMIT = 25_000;

export function useParamAxes(): PcAxis[] {
  const { view, aggregate } = usePicked(useSweeps, ['view', 'aggregate']);
  return useMemo(() => {
    if (!view) return [];
    const params = view.params.map((p, k) => ({ id: `param:${p.key}`, label: p.key, values: view.configs.params[k], extent: extentOf(view.configs.params[k]), labels: p.categorical ? p.labels : undefined }));
    const objectives = view.objectives.map((o) => {
      const values = view.configs[aggregate][metricIndex(view, o.id)];
      return { id: `metric:${o.id}`, label: o.id, values, extent: extentOf(values) };
    });
    return [...params, ...objectives];
  }, [view, aggregate]);
}

export function useBrushMask(): Uint8Array {
  const { view, brushes } = usePicked(useSweeps, ['view', 'brushes']);
  const axes = useParamAxes();
  return useMemo(() => (view ? brushMask(axes, brushes, view.configs.count) : new Uint8Array()), [view, axes, brushes]);
}

export function ParetoPlot() {
  const { view, aggregate, xMetric, yMetric, colorParam, selectedConfig: selected } = usePicked(useSweeps, ['view', 'aggregate', 'xMetric', 'yMetric', 'colorParam', 'selectedConfig']);
  const mask = useBrushMask();
  const [hover, setHover] = useState<{ i: number; x: number; y: number } | null>(null);

  const data = useMemo(() => {
    if (!view || !xMetric || !yMetric) return null;
    const xs = view.configs[aggregate][metricIndex(view, xMetric)];
    const ys = view.configs[aggregate][metricIndex(view, yMetric)];
    const complete = view.configs.complete;
    const pk = view.params.findIndex((p) => p.key === colorParam);
    const colorValues = pk >= 0 ? view.configs.params[pk] : null;
    const colorExtent = colorValues ? extentOf(colorValues) : { min: 0, max: 1 };
    const front = aggregate === 'mean' ? view.configs.frontMean : view.configs.frontWorst;
    const eligible: number[] = [];
    for (let i = 0; i < view.configs.count; i++) if (complete[i]) eligible.push(i);
    return { xs, ys, colorValues, colorExtent, front, eligible, xExtent: extentOf(xs, (i) => complete[i] === 1), yExtent: extentOf(ys, (i) => complete[i] === 1) };
  }, [view, aggregate, xMetric, yMetric, colorParam]);

  const indexRef = useRef<PointIndex | null>(null);
  const { ref } = useCanvas(
    HEIGHT,
    (ctx, w, h) => {
      if (!data || !view) return;
      const sx = scale(data.xExtent, M.left, w - M.right);
      const sy = scale(data.yExtent, h - M.bottom, M.top);
      drawAxes(ctx, w, h, data.xExtent, data.yExtent, sx, sy);
      const n = view.configs.count;
      const screen = { xs: new Float32Array(n).fill(Number.NaN), ys: new Float32Array(n).fill(Number.NaN) };
      const keep = new Set<number>([...data.front, ...(selected !== null ? [selected] : [])]);
      const drawn = downsample(data.eligible, DRAW_LIMIT, keep);
      // Brushed-out configs first, in grey, so the selection reads on top.
      for (const pass of [0, 1]) {
        for (const i of drawn) {
          if ((mask[i] === 1 ? 1 : 0) !== pass) continue;
          const x = sx(data.xs[i]);
          const y = sy(data.ys[i]);
          if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
          screen.xs[i] = x;
          screen.ys[i] = y;
          ctx.fillStyle = pass === 0 ? 'rgba(170,170,170,0.35)' : data.colorValues ? viridis((data.colorValues[i] - data.colorExtent.min) / (data.colorExtent.max - data.colorExtent.min)) : '#1f6fb4';
          ctx.fillRect(x - 2.5, y - 2.5, 5, 5);
        }
      }
      // The non-dominated front, as a staircase in the first objective's order.
      const f = [...data.front].filter((i) => Number.isFinite(data.xs[i]) && Number.isFinite(data.ys[i])).sort((a, b) => data.xs[a] - data.xs[b]);
      ctx.strokeStyle = '#d62728';
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      f.forEach((i, k) => (k === 0 ? ctx.moveTo(sx(data.xs[i]), sy(data.ys[i])) : ctx.lineTo(sx(data.xs[i]), sy(data.ys[i]))));
      ctx.stroke();
      for (const i of f) {
        ctx.beginPath();
        ctx.arc(sx(data.xs[i]), sy(data.ys[i]), 5, 0, Math.PI * 2);
        ctx.stroke();
      }
      if (selected !== null && Number.isFinite(screen.xs[selected])) {
        ctx.strokeStyle = '#000';
        ctx.lineWidth = 2.5;
        ctx.beginPath();
        ctx.arc(screen.xs[selected], screen.ys[selected], 9, 0, Math.PI * 2);
        ctx.stroke();
      }
      indexRef.current = new PointIndex(screen.xs, screen.ys);
      const xm = view.metrics[metricIndex(view, xMetric!)];
      const ym = view.metrics[metricIndex(view, yMetric!)];
      ctx.fillStyle = '#222';
      ctx.font = '12px sans-serif';
      ctx.textAlign = 'center';
      ctx.fillText(`${xm.label} (${aggregate} over clips, ${xm.direction === 'minimize' ? 'lower' : 'higher'} is better)`, (M.left + w - M.right) / 2, h - 8);
      ctx.save();
      ctx.translate(14, (M.top + h - M.bottom) / 2);
      ctx.rotate(-Math.PI / 2);
      ctx.fillText(`${ym.label} (${ym.direction === 'minimize' ? 'lower' : 'higher'} is better)`, 0, 0);
      ctx.restore();
    },
    [data, mask, selected, view],
  );

  if (!view) return null;
  const front = aggregate === 'mean' ? view.configs.frontMean : view.configs.frontWorst;
  const pk = view.params.findIndex((p) => p.key === colorParam);
  return (
    <div className="sweep-plot" data-testid="sweep-pareto" data-points={data?.eligible.length ?? 0} data-front={front.length} data-aggregate={aggregate}>
      <canvas
        ref={ref}
        onMouseMove={(e) => {
          const r = e.currentTarget.getBoundingClientRect();
          const i = indexRef.current?.nearest(e.clientX - r.left, e.clientY - r.top) ?? -1;
          setHover(i >= 0 ? { i, x: e.clientX - r.left, y: e.clientY - r.top } : null);
        }}
        onMouseLeave={() => setHover(null)}
        onClick={(e) => {
          const r = e.currentTarget.getBoundingClientRect();
          const i = indexRef.current?.nearest(e.clientX - r.left, e.clientY - r.top) ?? -1;
          if (i >= 0) void selectConfig(i);
        }}
      />
      {hover && (
        <div className="sweep-tooltip" style={{ left: hover.x + 12, top: hover.y + 12 }} data-testid="sweep-tooltip">
          {view.params.map((p, k) => (
            <div key={p.key}>
              {p.key}: {p.categorical ? p.labels[view.configs.params[k][hover.i]] : formatValue(view.configs.params[k][hover.i])}
            </div>
          ))}
          {view.objectives.map((o) => (
            <div key={o.id}>
              {o.id}: {formatValue(view.configs.mean[metricIndex(view, o.id)][hover.i])} mean · {formatValue(view.configs.worst[metricIndex(view, o.id)][hover.i])} worst
            </div>
          ))}
        </div>
      )}
      {pk >= 0 && (
        <div className="sweep-colorbar">
          colour: {view.params[pk].key} {view.params[pk].categorical ? `(${view.params[pk].labels.join(' → ')})` : `${formatValue(data?.colorExtent.min ?? 0)} → ${formatValue(data?.colorExtent.max ?? 1)}`}
          <span className="sweep-gradient" />
          · red: non-dominated ({front.length})
        </div>
      )}
    </div>
  );
}

function drawAxes(ctx: CanvasRenderingContext2D, w: number, h: number, xe: { min: number; max: number }, ye: { min: number; max: number }, sx: (v: number) => number, sy: (v: number) => number) {
  ctx.strokeStyle = '#999';
  ctx.lineWidth = 1;
  ctx.strokeRect(M.left, M.top, w - M.left - M.right, h - M.top - M.bottom);
  ctx.fillStyle = '#555';
  ctx.font = '11px sans-serif';
  for (let k = 0; k <= 5; k++) {
    const xv = xe.min + ((xe.max - xe.min) * k) / 5;
    const yv = ye.min + ((ye.max - ye.min) * k) / 5;
    ctx.textAlign = 'center';
    ctx.fillText(formatValue(Number(xv.toPrecision(3))), sx(xv), h - M.bottom + 14);
    ctx.textAlign = 'right';
    ctx.fillText(formatValue(Number(yv.toPrecision(3))), M.left - 4, sy(yv) + 4);
    ctx.strokeStyle = '#eee';
    ctx.beginPath();
    ctx.moveTo(sx(xv), M.top);
    ctx.lineTo(sx(xv), h - M.bottom);
    ctx.moveTo(M.left, sy(yv));
    ctx.lineTo(w - M.right, sy(yv));
    ctx.stroke();
  }
}
