/**
 * Windowing for long lists whose items all have one size: only the items in (or near) a scroll
 * box's view are rendered. A 5-minute clip has 300 thumbnails and 150 group rows; re-rendering
 * and re-laying out all of them on every replan cost more than every chart's drawing together.
 */

/** Index range [start, end) of the items a scroll box shows, `overscan` items either side. */
export function visibleRange(count: number, itemSize: number, scroll: number, view: number, overscan = 4): [number, number] {
  if (count <= 0 || !(itemSize > 0)) return [0, Math.max(0, count)];
  const first = Math.floor(Math.max(0, scroll) / itemSize);
  const last = Math.ceil((Math.max(0, scroll) + Math.max(0, view)) / itemSize);
  return [Math.max(0, Math.min(count, first - overscan)), Math.max(0, Math.min(count, last + overscan))];
}

/** The indices to render: the visible range plus `pinned` ones outside it (e.g. the active item), ascending. */
export function windowIndices(range: [number, number], pinned: readonly number[], count: number): number[] {
  const out: number[] = [];
  for (let i = range[0]; i < range[1]; i++) out.push(i);
  for (const p of pinned) if (Number.isInteger(p) && p >= 0 && p < count && (p < range[0] || p >= range[1]) && !out.includes(p)) out.push(p);
  return out.sort((a, b) => a - b);
}

/**
 * Where to scroll so item `index` is fully in view: the current position when it already is, else
 * the position that centres it.
 */
export function scrollToShow(index: number, itemSize: number, itemExtent: number, scroll: number, view: number): number {
  const start = index * itemSize;
  if (start >= scroll && start + itemExtent <= scroll + view) return scroll;
  return Math.max(0, start - (view - itemExtent) / 2);
}
