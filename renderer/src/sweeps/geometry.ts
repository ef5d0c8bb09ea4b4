/**
 * Pure helpers of the Sweeps view: scales, the colour map, brushing, the table's order and a grid
 * index for hit-testing thousands of canvas points. No React, no DOM: unit-tested.
 */
import type { SweepView } from '../../../core/protocol/sweep-contract.js';

export type Aggregate = 'mean' | 'worst';

export interface Extent {
  min: number;
  max: number;
  /** The data's own bounds, before the padding that keeps points off the frame. */
  lo?: number;
  hi?: number;
}

export function extentOf(values: ArrayLike<number>, mask?: (i: number) => boolean): Extent {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v) || (mask && !mask(i))) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === Infinity) return { min: 0, max: 1, lo: 0, hi: 1 };
  if (min === max) return { min: min - 0.5, max: max + 0.5, lo: min, hi: max };
  const pad = (max - min) * 0.04;
  return { min: min - pad, max: max + pad, lo: min, hi: max };
}

export const scale = (e: Extent, from: number, to: number) => (v: number) => from + ((v - e.min) / (e.max - e.min)) * (to - from);

/** A perceptually ordered colour map (viridis stops), t in [0, 1]. */
const VIRIDIS = [
  [68, 1, 84],
  [72, 40, 120],
  [62, 74, 137],
  [49, 104, 142],
  [38, 130, 142],
  [31, 158, 137],
  [53, 183, 121],
  [109, 205, 89],
  [180, 222, 44],
  [253, 231, 37],
];
export function viridis(t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const c = VIRIDIS[i].map((a, k) => Math.round(a + (VIRIDIS[i + 1][k] - a) * f));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** Axis of the parallel-coordinates plot: a swept param or an aggregated metric. */
export interface PcAxis {
  id: string;
  label: string;
  values: Float32Array;
  extent: Extent;
  /** Category names for categorical params. */
  labels?: string[];
}

export type Brushes = Record<string, [number, number]>;

/** 1 where a config passes every brush (ranges in data units), 0 elsewhere. */
export function brushMask(axes: PcAxis[], brushes: Brushes, count: number): Uint8Array {
  const mask = new Uint8Array(count).fill(1);
  for (const axis of axes) {
    const b = brushes[axis.id];
    if (!b) continue;
    const lo = Math.min(b[0], b[1]);
    const hi = Math.max(b[0], b[1]);
    for (let i = 0; i < count; i++) {
      const v = axis.values[i];
      if (!(v >= lo && v <= hi)) mask[i] = 0;
    }
  }
  return mask;
}

export function metricIndex(view: SweepView, id: string): number {
  return view.metrics.findIndex((m) => m.id === id);
}

/** Config indices in the table's order: best worst-case first for the objective, ties by mean. */
export function tableOrder(view: SweepView, objective: string, mask: Uint8Array): Int32Array {
  const k = metricIndex(view, objective);
  const sign = view.metrics[k]?.direction === 'maximize' ? -1 : 1;
  const worst = view.configs.worst[k];
  const mean = view.configs.mean[k];
  const rows: number[] = [];
  for (let i = 0; i < view.configs.count; i++) if (mask[i]) rows.push(i);
  const key = (v: number) => (Number.isFinite(v) ? sign * v : Infinity);
  rows.sort((a, b) => key(worst[a]) - key(worst[b]) || key(mean[a]) - key(mean[b]) || a - b);
  return Int32Array.from(rows);
}

/** Uniform grid over screen space: finds the nearest of many points under the cursor in O(1) cells. */
export class PointIndex {
  private readonly cells = new Map<number, number[]>();
  constructor(
    private readonly xs: Float32Array,
    private readonly ys: Float32Array,
    private readonly cell = 12,
  ) {
    for (let i = 0; i < xs.length; i++) {
      if (!Number.isFinite(xs[i]) || !Number.isFinite(ys[i])) continue;
      const key = this.key(Math.floor(xs[i] / cell), Math.floor(ys[i] / cell));
      let list = this.cells.get(key);
      if (!list) this.cells.set(key, (list = []));
      list.push(i);
    }
  }
  private key(cx: number, cy: number): number {
    return (cx + 4096) * 8192 + (cy + 4096);
  }
  nearest(x: number, y: number, radius = 8): number {
    const cx = Math.floor(x / this.cell);
    const cy = Math.floor(y / this.cell);
    let best = -1;
    let bestD = radius * radius;
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (const i of this.cells.get(this.key(cx + dx, cy + dy)) ?? []) {
          const d = (this.xs[i] - x) ** 2 + (this.ys[i] - y) ** 2;
          if (d <= bestD) {
            bestD = d;
            best = i;
          }
        }
      }
    }
    return best;
  }
}

/** At most `limit` indices, evenly strided, always keeping `keep` (the front, the selection). */
export function downsample(indices: ArrayLike<number>, limit: number, keep: Set<number>): number[] {
  if (indices.length <= limit) return Array.from(indices);
  const out: number[] = [];
  const step = indices.length / limit;
  for (let k = 0; k < limit; k++) out.push(indices[Math.floor(k * step)]);
  for (const i of keep) out.push(i);
  return [...new Set(out)];
}

export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return '—';
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a >= 1000 || a < 0.001 ? v.toExponential(2) : v.toFixed(a >= 10 ? 2 : 4);
}
