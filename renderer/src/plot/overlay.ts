/**
 * A canvas painter for the per-plan part of a chart. Plotly keeps drawing axes, static curves and
 * the legend; the traces that change on every replan (token fates, group ratios, a frame's token
 * grid) are painted here with plotly's own axis geometry, because a plotly redraw of a figure
 * costs 15-35 ms and a canvas repaint of the same marks under 2 ms. The traces keep plotly's
 * PlotData shape, so a chart export hands exactly these traces to plotly (the image then holds
 * every mark) and tests read the values that are drawn.
 *
 * Only the trace features the studio's charts use are supported: scatter lines (null gaps, dash),
 * markers (the symbols below), text labels, bars with explicit width/offset, and heatmaps with a
 * stepwise colorscale.
 */
import type { PlotData } from './plotly.js';
import type { Axes, AxisScale } from './plotly-axes.js';
import { blend, blendRects, blendSprite, coverLine, coverage, maskRows, parseCanvasColor, stampMask, type Coverage } from './overlay-raster.js';

function value(scale: AxisScale, v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && scale.categories) return scale.categories.get(v) ?? Number.NaN;
  return Number.NaN;
}

/** Data value to pixel along x (left to right). */
export function xPixel(scale: AxisScale, v: unknown): number {
  return scale.offset + (scale.length * (value(scale, v) - scale.r0)) / (scale.r1 - scale.r0);
}

/** Data value to pixel along y (plotly's _offset is the top edge; a reversed range works too). */
export function yPixel(scale: AxisScale, v: unknown): number {
  return scale.offset + (scale.length * (scale.r1 - value(scale, v))) / (scale.r1 - scale.r0);
}

/** The colour of z in a stepwise plotly colorscale: the last stop at or below z's position. */
export function colorAt(colorscale: [number, string][], z: number, zmin: number, zmax: number): string {
  const t = zmax > zmin ? (z - zmin) / (zmax - zmin) : 0;
  let color = colorscale[0][1];
  for (const [stop, c] of colorscale) if (stop <= t + 1e-9) color = c;
  return color;
}

const DASHES: Record<string, number[]> = { solid: [], dot: [2, 3], dash: [6, 4], dashdot: [6, 3, 2, 3], longdash: [10, 4] };

interface Style {
  color?: string;
  width?: number;
  dash?: string;
  symbol?: string;
  size?: number;
  line?: { width?: number; color?: string };
}

/** Adds one marker's outline to the current path; returns whether the symbol is drawn by stroking. */
function markerPath(ctx: CanvasRenderingContext2D, symbol: string, x: number, y: number, size: number): boolean {
  const r = size / 2;
  switch (symbol) {
    case 'diamond':
      ctx.moveTo(x, y - r * 1.2);
      ctx.lineTo(x + r, y);
      ctx.lineTo(x, y + r * 1.2);
      ctx.lineTo(x - r, y);
      ctx.closePath();
      return false;
    case 'triangle-down':
      ctx.moveTo(x - r, y - r * 0.8);
      ctx.lineTo(x + r, y - r * 0.8);
      ctx.lineTo(x, y + r);
      ctx.closePath();
      return false;
    case 'triangle-up':
      ctx.moveTo(x - r, y + r * 0.8);
      ctx.lineTo(x + r, y + r * 0.8);
      ctx.lineTo(x, y - r);
      ctx.closePath();
      return false;
    case 'x':
      ctx.moveTo(x - r, y - r);
      ctx.lineTo(x + r, y + r);
      ctx.moveTo(x - r, y + r);
      ctx.lineTo(x + r, y - r);
      return true;
    case 'square':
    case 'square-open':
      ctx.rect(x - r, y - r, size, size);
      return symbol === 'square-open';
    case 'star': {
      for (let k = 0; k < 10; k++) {
        const rad = k % 2 === 0 ? r * 1.2 : r * 0.5;
        const a = -Math.PI / 2 + (k * Math.PI) / 5;
        if (k === 0) ctx.moveTo(x + rad * Math.cos(a), y + rad * Math.sin(a));
        else ctx.lineTo(x + rad * Math.cos(a), y + rad * Math.sin(a));
      }
      ctx.closePath();
      return false;
    }
    default:
      ctx.moveTo(x + r, y);
      ctx.arc(x, y, r, 0, 2 * Math.PI);
      return symbol.endsWith('-open');
  }
}

function axisNames(trace: PlotData): [string, string] {
  const xa = typeof trace.xaxis === 'string' ? trace.xaxis : 'x';
  const ya = typeof trace.yaxis === 'string' ? trace.yaxis : 'y';
  return [xa.replace(/^x/, 'xaxis'), ya.replace(/^y/, 'yaxis')];
}

function paintScatter(ctx: CanvasRenderingContext2D, trace: PlotData, xs: AxisScale, ys: AxisScale): void {
  const x = (trace.x ?? []) as unknown[];
  const y = (trace.y ?? []) as unknown[];
  const mode = String(trace.mode ?? 'markers');
  if (mode.includes('lines')) {
    const line = (trace.line ?? {}) as Style;
    ctx.beginPath();
    let pen = false;
    for (let i = 0; i < x.length; i++) {
      if (x[i] === null || y[i] === null || x[i] === undefined || y[i] === undefined) {
        pen = false;
        continue;
      }
      const px = xPixel(xs, x[i]);
      const py = yPixel(ys, y[i]);
      if (!Number.isFinite(px) || !Number.isFinite(py)) {
        pen = false;
        continue;
      }
      if (pen) ctx.lineTo(px, py);
      else ctx.moveTo(px, py);
      pen = true;
    }
    ctx.strokeStyle = line.color ?? '#444';
    ctx.lineWidth = line.width ?? 1.5;
    ctx.setLineDash(DASHES[line.dash ?? 'solid'] ?? []);
    ctx.stroke();
    ctx.setLineDash([]);
  }
  if (mode.includes('markers')) {
    const marker = (trace.marker ?? {}) as Style;
    const symbol = marker.symbol ?? 'circle';
    const size = marker.size ?? 6;
    if (x.length >= STAMP_MIN_POINTS && ctx.globalAlpha === 1 && opaque(marker.color) && opaque(marker.line?.color)) {
      stampMarkers(ctx, x, y, xs, ys, marker, symbol, size);
      return paintText(ctx, trace, x, y, xs, ys);
    }
    ctx.beginPath();
    let stroked = false;
    for (let i = 0; i < x.length; i++) {
      if (x[i] === null || y[i] === null) continue;
      const px = xPixel(xs, x[i]);
      const py = yPixel(ys, y[i]);
      if (Number.isFinite(px) && Number.isFinite(py)) stroked = markerPath(ctx, symbol, px, py, size);
    }
    inkMarkerPath(ctx, stroked, marker);
  }
  paintText(ctx, trace, x, y, xs, ys);
}

/** Inks the current path of markers: open symbols are stroked in the marker colour, filled ones filled and outlined when the marker has a line. */
function inkMarkerPath(ctx: CanvasRenderingContext2D, stroked: boolean, marker: Style): void {
  const color = marker.color ?? '#444';
  if (stroked) {
    ctx.strokeStyle = color;
    ctx.lineWidth = Math.max(1, marker.line?.width ?? 1.5);
    ctx.stroke();
    return;
  }
  ctx.fillStyle = color;
  ctx.fill();
  if (marker.line?.width) {
    ctx.strokeStyle = marker.line.color ?? color;
    ctx.lineWidth = marker.line.width;
    ctx.stroke();
  }
}

function paintText(ctx: CanvasRenderingContext2D, trace: PlotData, x: unknown[], y: unknown[], xs: AxisScale, ys: AxisScale): void {
  const mode = String(trace.mode ?? 'markers');
  if (mode.includes('text') && Array.isArray(trace.text)) {
    const text = trace.text as string[];
    const position = String(trace.textposition ?? 'top center');
    const font = (trace.textfont ?? {}) as { size?: number; color?: string };
    ctx.fillStyle = font.color ?? '#333';
    ctx.font = `${font.size ?? 10}px system-ui, sans-serif`;
    ctx.textAlign = position.endsWith('left') ? 'right' : position.endsWith('right') ? 'left' : 'center';
    const below = position.startsWith('bottom');
    ctx.textBaseline = below ? 'top' : 'bottom';
    for (let i = 0; i < x.length; i++) if (text[i]) ctx.fillText(text[i], xPixel(xs, x[i]), yPixel(ys, y[i]) + (below ? 4 : -4));
  }
}

/**
 * From this many markers on, a trace's markers are not added to one canvas path: the 7,500 audio
 * tokens of a 5-minute clip made the timeline's path fill (or 7,500 drawImage calls) cost 100-170
 * ms in Chromium's CPU-rasterised canvas. A single-colour marker is rasterised once into a sprite,
 * and the sprite's coverage is written into one layer per trace, each pixel keeping the highest
 * coverage any marker gives it (as one filled path covers it); the layer is drawn with a single
 * drawImage. Positions snap to device pixels (at most half a pixel off).
 */
const STAMP_MIN_POINTS = 400;
const sprites = new Map<string, { sprite: HTMLCanvasElement; half: number; mask: Uint8Array; rgba: Uint8ClampedArray; rgb: number; empty: boolean }>();
let layer: HTMLCanvasElement | null = null;

/** True for colours without an alpha channel: stamps of those look the same where markers overlap as one filled path does. */
function opaque(color: string | undefined): boolean {
  return color === undefined || !/rgba|hsla|transparent|#[0-9a-f]{8}\b|#[0-9a-f]{4}\b/i.test(color);
}

/** A marker drawn once at device resolution: its coverage mask and, for single-colour markers, its colour (else -1). */
function markerSprite(marker: Style, symbol: string, size: number, dpr: number) {
  const color = marker.color ?? '#444';
  const half = Math.ceil(size * 0.6 + Math.max(1.5, marker.line?.width ?? 0) + 1);
  const key = `${symbol}|${size}|${color}|${marker.line?.width ?? ''}|${marker.line?.color ?? ''}|${dpr}`;
  let entry = sprites.get(key);
  if (!entry) {
    const sprite = document.createElement('canvas');
    sprite.width = sprite.height = Math.ceil(2 * half * dpr);
    const c = sprite.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D;
    c.setTransform(dpr, 0, 0, dpr, 0, 0);
    c.beginPath();
    const stroked = markerPath(c, symbol, half, half, size);
    const outlined = !stroked && !!marker.line?.width;
    inkMarkerPath(c, stroked, marker);
    const pixels = c.getImageData(0, 0, sprite.width, sprite.height).data;
    const mask = new Uint8Array(sprite.width * sprite.height);
    let rgb = -1;
    let best = 0;
    for (let i = 0; i < mask.length; i++) {
      mask[i] = pixels[4 * i + 3];
      if (mask[i] > best) {
        best = mask[i];
        rgb = (pixels[4 * i] << 16) | (pixels[4 * i + 1] << 8) | pixels[4 * i + 2];
      }
    }
    const singleColour = !outlined || (marker.line?.color ?? color) === color;
    entry = { sprite, half, mask, rgba: pixels, rgb: singleColour ? rgb : -1, empty: best === 0 };
    if (sprites.size > 64) sprites.clear();
    sprites.set(key, entry);
  }
  return entry;
}

function stampMarkers(ctx: CanvasRenderingContext2D, x: unknown[], y: unknown[], xs: AxisScale, ys: AxisScale, marker: Style, symbol: string, size: number): void {
  const dpr = window.devicePixelRatio || 1;
  const { sprite, half, mask, rgb } = markerSprite(marker, symbol, size, dpr);
  const side = sprite.width;
  if (rgb < 0) {
    // Two colours (fill and outline): each marker is a copy of the sprite.
    for (let i = 0; i < x.length; i++) {
      if (x[i] === null || y[i] === null) continue;
      const px = xPixel(xs, x[i]);
      const py = yPixel(ys, y[i]);
      if (Number.isFinite(px) && Number.isFinite(py)) ctx.drawImage(sprite, Math.round((px - half) * dpr) / dpr, Math.round((py - half) * dpr) / dpr, side / dpr, side / dpr);
    }
    return;
  }
  // The layer covers the plot area (the clip region), in device pixels.
  const left = Math.floor(xs.offset * dpr);
  const top = Math.floor(ys.offset * dpr);
  const w = Math.max(1, Math.ceil((xs.offset + xs.length) * dpr) - left);
  const h = Math.max(1, Math.ceil((ys.offset + ys.length) * dpr) - top);
  const coverage = new Uint8Array(w * h);
  let x0 = w;
  let x1 = 0;
  let y0 = h;
  let y1 = 0;
  for (let i = 0; i < x.length; i++) {
    if (x[i] === null || y[i] === null) continue;
    const px = xPixel(xs, x[i]);
    const py = yPixel(ys, y[i]);
    if (!Number.isFinite(px) || !Number.isFinite(py)) continue;
    const dx = Math.round((px - half) * dpr) - left;
    const dy = Math.round((py - half) * dpr) - top;
    const c0 = Math.max(0, -dx);
    const c1 = Math.min(side, w - dx);
    const r0 = Math.max(0, -dy);
    const r1 = Math.min(side, h - dy);
    if (c0 >= c1 || r0 >= r1) continue;
    x0 = Math.min(x0, dx + c0);
    x1 = Math.max(x1, dx + c1);
    y0 = Math.min(y0, dy + r0);
    y1 = Math.max(y1, dy + r1);
    for (let r = r0; r < r1; r++) {
      const src = r * side;
      const dst = (dy + r) * w + dx;
      for (let c = c0; c < c1; c++) {
        const a = mask[src + c];
        if (a > coverage[dst + c]) coverage[dst + c] = a;
      }
    }
  }
  if (x0 >= x1 || y0 >= y1) return;
  const bw = x1 - x0;
  const bh = y1 - y0;
  const image = new ImageData(bw, bh);
  const out = image.data;
  const red = (rgb >> 16) & 255;
  const green = (rgb >> 8) & 255;
  const blue = rgb & 255;
  for (let r = 0; r < bh; r++) {
    const src = (y0 + r) * w + x0;
    const dst = r * bw;
    for (let c = 0; c < bw; c++) {
      const a = coverage[src + c];
      if (a === 0) continue;
      const o = 4 * (dst + c);
      out[o] = red;
      out[o + 1] = green;
      out[o + 2] = blue;
      out[o + 3] = a;
    }
  }
  layer ??= document.createElement('canvas');
  if (layer.width < bw || layer.height < bh) {
    layer.width = Math.max(layer.width, bw);
    layer.height = Math.max(layer.height, bh);
  }
  const lctx = layer.getContext('2d') as CanvasRenderingContext2D;
  lctx.putImageData(image, 0, 0);
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.drawImage(layer, 0, 0, bw, bh, left + x0, top + y0, bw, bh);
  ctx.restore();
}

/** Each bar of a bar trace as a CSS-pixel rectangle (left, top, width, height): the canvas and the raster paths draw the same bars. */
function forEachBar(trace: PlotData, xs: AxisScale, ys: AxisScale, visit: (left: number, top: number, width: number, height: number) => void): void {
  const x = (trace.x ?? []) as unknown[];
  const y = (trace.y ?? []) as (number | null)[];
  const width = typeof trace.width === 'number' ? trace.width : 0.8;
  const offset = typeof trace.offset === 'number' ? trace.offset : -width / 2;
  const base = yPixel(ys, 0);
  for (let i = 0; i < x.length; i++) {
    const v = y[i];
    if (v === null || v === undefined) continue;
    const at = value(xs, x[i]);
    const x0 = xPixel(xs, at + offset);
    const x1 = xPixel(xs, at + offset + width);
    const top = yPixel(ys, v);
    visit(x0, Math.min(top, base), Math.max(0.5, x1 - x0), Math.abs(base - top));
  }
}

function paintBars(ctx: CanvasRenderingContext2D, trace: PlotData, xs: AxisScale, ys: AxisScale): void {
  ctx.fillStyle = ((trace.marker ?? {}) as Style).color ?? '#888';
  forEachBar(trace, xs, ys, (x, y, w, h) => ctx.fillRect(x, y, w, h));
}

function paintHeatmap(ctx: CanvasRenderingContext2D, trace: PlotData, xs: AxisScale, ys: AxisScale): void {
  const z = (trace.z ?? []) as number[][];
  const scale = trace.colorscale as [number, string][];
  const zmin = typeof trace.zmin === 'number' ? trace.zmin : 0;
  const zmax = typeof trace.zmax === 'number' ? trace.zmax : 1;
  const xgap = typeof trace.xgap === 'number' ? trace.xgap : 0;
  const ygap = typeof trace.ygap === 'number' ? trace.ygap : 0;
  const colors = new Map<number, string>();
  for (let r = 0; r < z.length; r++) {
    const ya = yPixel(ys, r - 0.5);
    const yb = yPixel(ys, r + 0.5);
    for (let c = 0; c < z[r].length; c++) {
      const v = z[r][c];
      let color = colors.get(v);
      if (color === undefined) {
        color = colorAt(scale, v, zmin, zmax);
        colors.set(v, color);
      }
      const xa = xPixel(xs, c - 0.5);
      const xb = xPixel(xs, c + 0.5);
      ctx.fillStyle = color;
      ctx.fillRect(Math.min(xa, xb) + xgap / 2, Math.min(ya, yb) + ygap / 2, Math.abs(xb - xa) - xgap, Math.abs(yb - ya) - ygap);
    }
  }
}

let colorContext: CanvasRenderingContext2D | null = null;
const UNREAD = '#010203';
const colors = new Map<string, [number, number, number, number] | null>();

/** A CSS colour as [r, g, b, alpha 0-1], read the way the canvas reads it; null if it cannot be. */
function rgbaOf(color: string): [number, number, number, number] | null {
  let out = colors.get(color);
  if (out === undefined) {
    colorContext ??= document.createElement('canvas').getContext('2d') as CanvasRenderingContext2D;
    // An unreadable colour leaves the previous fill: a sentinel tells the two apart.
    colorContext.fillStyle = UNREAD;
    colorContext.fillStyle = color;
    const normalised = String(colorContext.fillStyle);
    out = normalised === UNREAD && color.trim().toLowerCase() !== UNREAD ? null : parseCanvasColor(normalised);
    if (colors.size > 256) colors.clear();
    colors.set(color, out);
  }
  return out;
}

/** The device-pixel rectangle of a subplot (its two axes), as the canvas clip of paintOverlay covers it. */
function plotRect(xs: AxisScale, ys: AxisScale, dpr: number): { left: number; top: number; w: number; h: number } {
  const left = Math.floor(xs.offset * dpr);
  const top = Math.floor(ys.offset * dpr);
  return { left, top, w: Math.max(1, Math.ceil((xs.offset + xs.length) * dpr) - left), h: Math.max(1, Math.ceil((ys.offset + ys.length) * dpr) - top) };
}

/** Whether the software path draws `trace` exactly as the canvas path would (else the whole overlay takes the canvas path). */
function pixelPaintable(trace: PlotData, dpr: number): boolean {
  if (trace.type === 'bar') {
    const color = ((trace.marker ?? {}) as Style).color ?? '#888';
    return typeof color === 'string' && rgbaOf(color) !== null;
  }
  if (trace.type !== undefined && trace.type !== 'scatter') return false;
  const mode = String(trace.mode ?? 'markers');
  if (mode.includes('lines')) {
    const line = (trace.line ?? {}) as Style;
    if (!((line.dash ?? 'solid') in DASHES) || typeof (line.color ?? '#444') !== 'string' || rgbaOf(line.color ?? '#444') === null) return false;
  }
  if (mode.includes('markers')) {
    const marker = (trace.marker ?? {}) as Style;
    if ((marker.color !== undefined && typeof marker.color !== 'string') || (marker.size !== undefined && typeof marker.size !== 'number')) return false;
    // Builds (and caches) the sprite now, while its canvas is at hand.
    markerSprite(marker, marker.symbol ?? 'circle', marker.size ?? 6, dpr);
  }
  return true;
}

/** The coverage buffer of the last trace rasterised: its memory is reused (cleared where it was covered). */
let lastCoverage: Coverage | null = null;

/** Rasterises one trace's lines or markers into `c` (its subplot's rectangle, whose top-left is device pixel (left, top)); returns what to blend it with. Bars go straight into the image (paintBarsPixels). */
function coverTrace(c: Coverage, trace: PlotData, xs: AxisScale, ys: AxisScale, left: number, top: number, dpr: number, part: 'lines' | 'markers'): [number, number, number, number] | null {
  const x = (trace.x ?? []) as unknown[];
  const y = (trace.y ?? []) as unknown[];
  if (part === 'lines') {
    const line = (trace.line ?? {}) as Style;
    const thickness = (line.width ?? 1.5) * dpr;
    // The canvas's dash pattern runs on along a sub-path and starts again after a gap.
    const dashes = (DASHES[line.dash ?? 'solid'] ?? []).map((d) => d * dpr);
    const period = dashes.reduce((a, d) => a + d, 0);
    let phase = 0;
    let px0 = Number.NaN;
    let py0 = Number.NaN;
    for (let i = 0; i < x.length; i++) {
      const px = x[i] === null || x[i] === undefined || y[i] === null || y[i] === undefined ? Number.NaN : xPixel(xs, x[i]) * dpr - left;
      const py = Number.isNaN(px) ? Number.NaN : yPixel(ys, y[i]) * dpr - top;
      if (!Number.isFinite(px) || !Number.isFinite(py)) phase = 0;
      else if (Number.isFinite(px0) && Number.isFinite(py0)) {
        if (period > 0) phase = coverDashed(c, px0, py0, px, py, thickness, dashes, period, phase);
        else coverLine(c, px0, py0, px, py, thickness);
      }
      px0 = px;
      py0 = py;
    }
    return rgbaOf(line.color ?? '#444');
  }
  const marker = (trace.marker ?? {}) as Style;
  const { half, mask, rgb, empty, sprite, rgba } = markerSprite(marker, marker.symbol ?? 'circle', marker.size ?? 6, dpr);
  if (empty) return null;
  if (rgb < 0) {
    // Fill and outline of two colours: each marker is the sprite laid over what is there, as drawImage does.
    for (let i = 0; i < x.length; i++) {
      if (x[i] === null || y[i] === null) continue;
      const px = xPixel(xs, x[i]);
      const py = yPixel(ys, y[i]);
      if (Number.isFinite(px) && Number.isFinite(py)) sprites2.push({ rgba, side: sprite.width, dx: Math.round((px - half) * dpr), dy: Math.round((py - half) * dpr) });
    }
    return null;
  }
  const rows = maskRows(mask, sprite.width);
  // A marker at the device pixel of the one before it adds nothing (coverage keeps the highest):
  // a long clip has several tokens per pixel column.
  let lastX = Number.NaN;
  let lastY = Number.NaN;
  for (let i = 0; i < x.length; i++) {
    if (x[i] === null || y[i] === null) continue;
    const px = xPixel(xs, x[i]);
    const py = yPixel(ys, y[i]);
    if (!Number.isFinite(px) || !Number.isFinite(py)) continue;
    const dx = Math.round((px - half) * dpr) - left;
    const dy = Math.round((py - half) * dpr) - top;
    if (dx === lastX && dy === lastY) continue;
    stampMask(c, mask, sprite.width, dx, dy, rows);
    lastX = dx;
    lastY = dy;
  }
  // The sprite's mask already carries the colour's own alpha.
  return [(rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255, 1];
}

/**
 * The software path: every trace rasterised (overlay-raster.ts) and blended into one image,
 * written with a single putImageData. Used when every visible trace can be (`pixelPaintable`) and
 * there are enough marks for the canvas path's flush to cost more; returns false otherwise.
 */
function paintOverlayPixels(ctx: CanvasRenderingContext2D, axes: Axes, traces: PlotData[], dpr: number): boolean {
  const shown = traces.filter((t) => t.visible !== false && t.visible !== 'legendonly');
  let marks = 0;
  for (const t of shown) marks += Array.isArray(t.x) || ArrayBuffer.isView(t.x) ? (t.x as ArrayLike<unknown>).length : 0;
  if (marks < STAMP_MIN_POINTS || !shown.every((t) => pixelPaintable(t, dpr))) return false;
  const placed = shown.flatMap((trace) => {
    const [xn, yn] = axisNames(trace);
    const xs = axes(xn);
    const ys = axes(yn);
    return xs && ys ? [{ trace, xs, ys, rect: plotRect(xs, ys, dpr) }] : [];
  });
  if (placed.length === 0) return true;
  const left = Math.min(...placed.map((p) => p.rect.left));
  const top = Math.min(...placed.map((p) => p.rect.top));
  const right = Math.max(...placed.map((p) => p.rect.left + p.rect.w));
  const bottom = Math.max(...placed.map((p) => p.rect.top + p.rect.h));
  // A repaint whose traces but the last are the very objects of the last repaint, on the same axes
  // (a video slider on the timeline: every audio trace is kept), starts from the image as it was
  // before that last trace instead of rasterising them again.
  const geometry = `${ctx.canvas.width}x${ctx.canvas.height}@${dpr}|${placed.map(({ xs, ys }) => [xs, ys].map((a) => `${a.offset},${a.length},${a.r0},${a.r1},${a.categories?.size ?? ''}`).join(';')).join('|')}`;
  const cached = prefixCache.get(ctx.canvas);
  const reuse = !!cached && cached.geometry === geometry && cached.traces.length === placed.length && placed.every((p, i) => i === placed.length - 1 || p.trace === cached.traces[i]);
  // The canvas's two images are kept and rewritten in place: a 5-minute clip's timeline image is
  // ~1.6 MB, and allocating two per replan cost ~8 ms of garbage collection per slider move.
  const buffers = reuse ? cached : imageBuffers(cached, right - left, bottom - top);
  const { image, beforeLast } = buffers;
  if (reuse) image.data.set(beforeLast.data);
  else image.data.fill(0);
  for (const [index, { trace, xs, ys, rect }] of placed.entries()) {
    if (reuse && index < placed.length - 1) continue;
    if (!reuse && index === placed.length - 1) beforeLast.data.set(image.data);
    const opacity = typeof trace.opacity === 'number' ? trace.opacity : 1;
    const mode = String(trace.mode ?? 'markers');
    const parts: ('lines' | 'markers' | 'bars')[] = trace.type === 'bar' ? ['bars'] : (['lines', 'markers'] as const).filter((m) => mode.includes(m));
    for (const part of parts) {
      if (part === 'bars') {
        paintBarsPixels(image, trace, xs, ys, rect, left, top, dpr, opacity);
        continue;
      }
      const c = coverage(rect.w, rect.h, lastCoverage ?? undefined);
      lastCoverage = c;
      sprites2.length = 0;
      const color = coverTrace(c, trace, xs, ys, rect.left, rect.top, dpr, part);
      if (color) blend(image.data, image.width, c, rect.left - left, rect.top - top, color[0], color[1], color[2], color[3] * opacity);
      for (const m of sprites2) blendSprite(image.data, image.width, m.rgba, m.side, m.dx - left, m.dy - top, rect.left - left, rect.top - top, rect.w, rect.h, opacity);
    }
  }
  prefixCache.set(ctx.canvas, { geometry, traces: placed.map((p) => p.trace), image, beforeLast });
  ctx.putImageData(image, left, top);
  // Text labels go on last, as vector text (the few labels the charts have).
  for (const { trace, xs, ys } of placed) {
    if (!String(trace.mode ?? '').includes('text')) continue;
    ctx.save();
    ctx.beginPath();
    ctx.rect(xs.offset, ys.offset, xs.length, ys.length);
    ctx.clip();
    ctx.globalAlpha = typeof trace.opacity === 'number' ? trace.opacity : 1;
    paintText(ctx, trace, (trace.x ?? []) as unknown[], (trace.y ?? []) as unknown[], xs, ys);
    ctx.restore();
  }
  return true;
}

/** A bar trace blended straight into the image (blendRects), at the coverage coverTrace would give it. */
function paintBarsPixels(image: ImageData, trace: PlotData, xs: AxisScale, ys: AxisScale, rect: { left: number; top: number; w: number; h: number }, left: number, top: number, dpr: number, opacity: number): void {
  const color = rgbaOf(((trace.marker ?? {}) as Style).color ?? '#888');
  if (!color) return;
  const rects: number[] = [];
  forEachBar(trace, xs, ys, (bx, by, bw, bh) => {
    const rx = bx * dpr - rect.left;
    const ry = by * dpr - rect.top;
    rects.push(rx, ry, rx + bw * dpr, ry + bh * dpr);
  });
  blendRects(image.data, image.width, rects, rect.w, rect.h, rect.left - left, rect.top - top, color[0], color[1], color[2], color[3] * opacity);
}

/** Per overlay canvas: its last software repaint's axes, traces, its image, and that image before the last trace. */
const prefixCache = new WeakMap<HTMLCanvasElement, { geometry: string; traces: PlotData[]; image: ImageData; beforeLast: ImageData }>();

/** The canvas's image and before-last image at w x h: the last repaint's when they fit, else new ones. */
function imageBuffers(last: { image: ImageData; beforeLast: ImageData } | undefined, w: number, h: number): { image: ImageData; beforeLast: ImageData } {
  if (last && last.image.width === w && last.image.height === h) return last;
  return { image: new ImageData(w, h), beforeLast: new ImageData(w, h) };
}

/** Two-colour markers of the trace being rasterised (coverTrace), laid on one by one after its coverage. */
const sprites2: { rgba: Uint8ClampedArray; side: number; dx: number; dy: number }[] = [];

/** A dashed stroke: the dash pattern's "on" pieces of the segment; returns the pattern's phase at its end. */
function coverDashed(c: Coverage, x0: number, y0: number, x1: number, y1: number, thickness: number, dashes: number[], period: number, phase: number): number {
  const length = Math.hypot(x1 - x0, y1 - y0);
  if (length === 0) return phase;
  let at = 0;
  let p = phase % period;
  while (at < length) {
    // Where p sits in the pattern: dash k (even k: on), with `left` of it to run.
    let k = 0;
    let q = p;
    while (q >= dashes[k]) {
      q -= dashes[k];
      k = (k + 1) % dashes.length;
    }
    const run = Math.min(dashes[k] - q, length - at);
    if (k % 2 === 0) coverLine(c, x0 + ((x1 - x0) * at) / length, y0 + ((y1 - y0) * at) / length, x0 + ((x1 - x0) * (at + run)) / length, y0 + ((y1 - y0) * (at + run)) / length, thickness);
    at += run;
    p = (p + run) % period;
  }
  return p;
}

/** Paints `traces` onto a canvas laid exactly over the plotly graph div, using its axes (read through plotly-axes.ts). */
export function paintOverlay(canvas: HTMLCanvasElement, width: number, height: number, axes: Axes, traces: PlotData[]): void {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.round(width * dpr);
  const h = Math.round(height * dpr);
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
  }
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  if (paintOverlayPixels(ctx, axes, traces, dpr)) return;
  for (const trace of traces) {
    if (trace.visible === false || trace.visible === 'legendonly') continue;
    const [xn, yn] = axisNames(trace);
    const xs = axes(xn);
    const ys = axes(yn);
    if (!xs || !ys) continue;
    ctx.save();
    ctx.beginPath();
    ctx.rect(xs.offset, ys.offset, xs.length, ys.length);
    ctx.clip();
    ctx.globalAlpha = typeof trace.opacity === 'number' ? trace.opacity : 1;
    if (trace.type === 'bar') paintBars(ctx, trace, xs, ys);
    else if (trace.type === 'heatmap') paintHeatmap(ctx, trace, xs, ys);
    else paintScatter(ctx, trace, xs, ys);
    ctx.restore();
  }
}
