import { useRef, useState } from 'react';
import { useSweeps } from './sweeps-store.js';
import { usePicked } from '../store/pick.js';
import { downsample, extentOf, formatValue, scale, viridis } from './geometry.js';
import { useBrushMask, useParamAxes } from './ParetoPlot.js';
import { useCanvas } from './useCanvas.js';

const HEIGHT = 300;
const M = { left: 40, right: 40, top: 34, bottom: 30 };
const LINE_LIMIT = 4000;

/** Parallel coordinates of the configs over the swept params and the aggregated objectives; drag on an axis to brush, click it to clear. */
export function ParallelCoordinates() {
  const { view, brushes, colorParam, selectedConfig: selected } = usePicked(useSweeps, ['view', 'brushes', 'colorParam', 'selectedConfig']);
  const axes = useParamAxes();
  const mask = useBrushMask();
  const drag = useRef<{ axis: string; y0: number } | null>(null);
  const [draft, setDraft] = useState<{ axis: string; y0: number; y1: number } | null>(null);

  const axisX = (k: number, w: number) => M.left + (axes.length <= 1 ? 0 : (k * (w - M.left - M.right)) / (axes.length - 1));
  const sy = (k: number) => scale(axes[k].extent, HEIGHT - M.bottom, M.top);
  const { ref, width } = useCanvas(
    HEIGHT,
    (ctx, w) => {
      if (!view || axes.length === 0) return;
      const n = view.configs.count;
      const pk = view.params.findIndex((p) => p.key === colorParam);
      const colorValues = pk >= 0 ? view.configs.params[pk] : null;
      const ce = colorValues ? extentOf(colorValues) : { min: 0, max: 1 };
      const all = Array.from({ length: n }, (_, i) => i).filter((i) => view.configs.complete[i] === 1);
      const drawn = downsample(all, LINE_LIMIT, new Set(selected !== null ? [selected] : []));
      const scales = axes.map((_, k) => sy(k));
      for (const pass of [0, 1]) {
        ctx.lineWidth = pass === 0 ? 1 : 1.2;
        for (const i of drawn) {
          if ((mask[i] === 1 ? 1 : 0) !== pass) continue;
          ctx.strokeStyle = pass === 0 ? 'rgba(180,180,180,0.25)' : colorValues ? viridis((colorValues[i] - ce.min) / (ce.max - ce.min)) : 'rgba(31,111,180,0.6)';
          ctx.globalAlpha = pass === 0 ? 1 : 0.55;
          ctx.beginPath();
          axes.forEach((a, k) => {
            const y = scales[k](a.values[i]);
            if (k === 0) ctx.moveTo(axisX(k, w), y);
            else ctx.lineTo(axisX(k, w), y);
          });
          ctx.stroke();
        }
      }
      ctx.globalAlpha = 1;
      if (selected !== null) {
        ctx.strokeStyle = '#000';
        ctx.lineWidth = 2.5;
        ctx.beginPath();
        axes.forEach((a, k) => (k === 0 ? ctx.moveTo(axisX(k, w), scales[k](a.values[selected])) : ctx.lineTo(axisX(k, w), scales[k](a.values[selected]))));
        ctx.stroke();
      }
      ctx.font = '11px sans-serif';
      axes.forEach((a, k) => {
        const x = axisX(k, w);
        ctx.strokeStyle = '#333';
        ctx.lineWidth = 1;
        ctx.beginPath();
        ctx.moveTo(x, M.top);
        ctx.lineTo(x, HEIGHT - M.bottom);
        ctx.stroke();
        ctx.fillStyle = '#222';
        ctx.textAlign = k === 0 ? 'left' : k === axes.length - 1 ? 'right' : 'center';
        ctx.fillText(a.label, x, 14);
        const lo = a.labels ? a.labels[0] ?? '' : formatValue(Number((a.extent.lo ?? a.extent.min).toPrecision(4)));
        const hi = a.labels ? a.labels[a.labels.length - 1] ?? '' : formatValue(Number((a.extent.hi ?? a.extent.max).toPrecision(4)));
        ctx.fillStyle = '#666';
        ctx.fillText(hi, x, M.top - 4);
        ctx.fillText(lo, x, HEIGHT - M.bottom + 14);
        const b = draft && draft.axis === a.id ? [draft.y0, draft.y1] : brushes[a.id] ? [scales[k](brushes[a.id][0]), scales[k](brushes[a.id][1])] : null;
        if (b) {
          ctx.fillStyle = 'rgba(255,165,0,0.3)';
          ctx.strokeStyle = '#e08000';
          ctx.fillRect(x - 8, Math.min(b[0], b[1]), 16, Math.abs(b[1] - b[0]));
          ctx.strokeRect(x - 8, Math.min(b[0], b[1]), 16, Math.abs(b[1] - b[0]));
        }
      });
    },
    [view, axes, mask, brushes, colorParam, selected, draft],
  );

  if (!view) return null;
  const axisAt = (x: number) => axes.findIndex((_, k) => Math.abs(axisX(k, width) - x) < 14);
  const invert = (k: number, y: number) => {
    const e = axes[k].extent;
    return e.min + ((HEIGHT - M.bottom - y) / (HEIGHT - M.bottom - M.top)) * (e.max - e.min);
  };
  const brushed = Object.keys(brushes).length;
  return (
    <div className="sweep-plot" data-testid="sweep-parcoords" data-brushed={brushed} data-selected-count={mask.reduce((a, b) => a + b, 0)}>
      <canvas
        ref={ref}
        style={{ cursor: 'crosshair' }}
        onMouseDown={(e) => {
          const r = e.currentTarget.getBoundingClientRect();
          const k = axisAt(e.clientX - r.left);
          if (k < 0) return;
          drag.current = { axis: axes[k].id, y0: e.clientY - r.top };
          setDraft({ axis: axes[k].id, y0: e.clientY - r.top, y1: e.clientY - r.top });
        }}
        onMouseMove={(e) => {
          if (!drag.current) return;
          const r = e.currentTarget.getBoundingClientRect();
          setDraft({ axis: drag.current.axis, y0: drag.current.y0, y1: e.clientY - r.top });
        }}
        onMouseUp={(e) => {
          const d = drag.current;
          drag.current = null;
          setDraft(null);
          if (!d) return;
          const r = e.currentTarget.getBoundingClientRect();
          const y1 = e.clientY - r.top;
          const k = axes.findIndex((a) => a.id === d.axis);
          const next = { ...useSweeps.getState().brushes };
          if (Math.abs(y1 - d.y0) < 4) delete next[d.axis];
          else next[d.axis] = [invert(k, Math.max(d.y0, y1)), invert(k, Math.min(d.y0, y1))];
          useSweeps.getState().set({ brushes: next });
        }}
      />
      <div className="sweep-hint">
        drag along an axis to brush (several axes combine), click an axis to clear it; objective axes follow the mean / worst-case toggle{brushed > 0 && (
          <>
            {' · '}
            <button className="link-button" data-testid="sweep-clear-brushes" onClick={() => useSweeps.getState().set({ brushes: {} })}>clear all brushes</button>
          </>
        )}
      </div>
    </div>
  );
}
