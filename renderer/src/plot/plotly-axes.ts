/**
 * The one place that reads plotly's private layout state. The canvas overlay (overlay.ts) needs
 * each axis's pixel offset, pixel length, range and categories after every plot; plotly only
 * exposes them on the graph div's `_fullLayout`. Keeping the read here means a plotly update that
 * renames these fields breaks one small module, and e2e/plot-axes.spec.ts (which plots real
 * figures in Chromium and checks these numbers against plotly's own tick positions) says so.
 */

/** The slice of plotly's full axis object the overlay reads (set by plotly after each plot). */
export interface FullAxis {
  _offset: number;
  _length: number;
  range: [number, number];
  type?: string;
  _categories?: string[];
}

/** An axis as the overlay uses it: pixel offset and length, data range, category positions. */
export interface AxisScale {
  offset: number;
  length: number;
  r0: number;
  r1: number;
  categories: Map<string, number> | null;
}

export type Axes = (name: string) => AxisScale | null;

export function axisScale(axis: FullAxis): AxisScale {
  const categories = axis.type === 'category' && axis._categories ? new Map(axis._categories.map((c, i) => [c, i] as const)) : null;
  return { offset: axis._offset, length: axis._length, r0: Number(axis.range[0]), r1: Number(axis.range[1]), categories };
}

function isFullAxis(axis: unknown): axis is FullAxis {
  const a = axis as Partial<FullAxis> | undefined;
  return !!a && typeof a._offset === 'number' && typeof a._length === 'number' && Array.isArray(a.range);
}

/** Axis lookup on a plotted graph div by layout name (`xaxis`, `yaxis2`); null before plotly's first plot. */
export function plotAxes(gd: HTMLElement): Axes | null {
  const full = (gd as unknown as { _fullLayout?: Record<string, unknown> })._fullLayout;
  if (!full) return null;
  const cache = new Map<string, AxisScale | null>();
  return (name) => {
    if (!cache.has(name)) {
      const axis = full[name];
      cache.set(name, isFullAxis(axis) ? axisScale(axis) : null);
    }
    return cache.get(name) ?? null;
  };
}

/**
 * The width plotly laid the figure out at (its `_fullLayout.width`): the overlay canvas takes this
 * size instead of reading the element's clientWidth, which after a commit that changed other DOM
 * would force a synchronous layout of the whole page inside the chart's paint.
 */
export function plotWidth(gd: HTMLElement): number | null {
  const width = (gd as unknown as { _fullLayout?: { width?: unknown } })._fullLayout?.width;
  return typeof width === 'number' && width > 0 ? width : null;
}
