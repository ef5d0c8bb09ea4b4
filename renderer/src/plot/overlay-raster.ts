/**
 * Pixel work for the canvas overlay's software path (overlay.ts `paintOverlayPixels`): each trace
 * is rasterised into a coverage buffer (0-255 per device pixel, the highest coverage any of its
 * marks gives a pixel, as one canvas path covers it), then blended in the trace's colour over an
 * RGBA image, which the overlay writes to its canvas in one putImageData. A 5-minute clip's
 * timeline holds 7,500 token marks and 800 merge links per plan: as canvas paths, Chromium's CPU
 * rasteriser spent 30-45 ms flushing them on every replan; here they cost a few ms of typed-array
 * loops. DOM-free, so the geometry is unit-tested.
 */

/**
 * A coverage buffer: `w` x `h` device pixels, row-major; [x0, x1) x [y0, y1) bounds what was
 * covered, and `touched` lists the first `count` pixels covered (each once), so blending and
 * clearing a thin line's coverage does not scan its whole subplot.
 */
export interface Coverage {
  data: Uint8Array;
  w: number;
  h: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  touched: Int32Array;
  count: number;
}

/**
 * An empty coverage buffer. With `previous` (whose bytes are all zero outside its covered bounds,
 * as every writer here keeps them) its memory is reused and only those bounds are cleared.
 */
export function coverage(w: number, h: number, previous?: Coverage): Coverage {
  const n = Math.max(0, w * h);
  if (previous && previous.data.buffer.byteLength >= n) {
    for (let k = 0; k < previous.count; k++) previous.data[previous.touched[k]] = 0;
    return { data: new Uint8Array(previous.data.buffer, 0, n), w, h, x0: w, y0: h, x1: 0, y1: 0, touched: previous.touched, count: 0 };
  }
  return { data: new Uint8Array(n), w, h, x0: w, y0: h, x1: 0, y1: 0, touched: new Int32Array(n), count: 0 };
}

/** Widens the covered bounds to hold [x0, x1) x [y0, y1) (clamped to the buffer). */
function touch(c: Coverage, x0: number, y0: number, x1: number, y1: number): void {
  c.x0 = Math.max(0, Math.min(c.x0, Math.floor(x0)));
  c.y0 = Math.max(0, Math.min(c.y0, Math.floor(y0)));
  c.x1 = Math.min(c.w, Math.max(c.x1, Math.ceil(x1)));
  c.y1 = Math.min(c.h, Math.max(c.y1, Math.ceil(y1)));
}

/** Union of two coverages a and b (0-255) as independent parts, a + b - ab, at [a * 256 + b]. */
const UNION = (() => {
  const table = new Uint8Array(256 * 256);
  for (let a = 0; a < 256; a++) for (let b = 0; b < 256; b++) table[a * 256 + b] = 255 - Math.round(((255 - a) * (255 - b)) / 255);
  return table;
})();

/** Adds coverage `amount` (0-1) to pixel i as a union; returns the touched count. */
function unite(data: Uint8Array, touched: Int32Array, count: number, i: number, amount: number): number {
  if (amount <= 0) return count;
  const before = data[i];
  const after = UNION[(before << 8) | (amount >= 1 ? 255 : (amount * 255 + 0.5) | 0)];
  if (before === 0 && after > 0) touched[count++] = i;
  data[i] = after;
  return count;
}

/** Whether rows [r0, r1) of column u are all fully covered. */
function bandFull(data: Uint8Array, w: number, r0: number, r1: number, u: number): boolean {
  for (let r = r0; r < r1; r++) if (data[r * w + u] !== 255) return false;
  return true;
}

/**
 * A straight stroke of `thickness` device pixels from (x0, y0) to (x1, y1), antialiased: at each
 * step along its major axis it covers the band of the minor axis the stroke crosses there, each
 * pixel by the length of the band inside it (a one-pixel horizontal line centred between two rows
 * covers each half). Butt ends, as the canvas's default cap. Coverage adds as the union of
 * independent parts (a + b - ab), not the highest: Chromium covers one path of many crossing
 * segments by their union, so two half-covering segments at slightly different heights fill a
 * pixel more than either alone.
 */
export function coverLine(c: Coverage, x0: number, y0: number, x1: number, y1: number, thickness: number): void {
  if (!(Number.isFinite(x0) && Number.isFinite(y0) && Number.isFinite(x1) && Number.isFinite(y1) && thickness > 0 && Number.isFinite(thickness))) return;
  const pad = thickness + 1;
  touch(c, Math.min(x0, x1) - pad, Math.min(y0, y1) - pad, Math.max(x0, x1) + pad, Math.max(y0, y1) + pad);
  const steep = Math.abs(y1 - y0) > Math.abs(x1 - x0);
  // Work in (u, v): u the major axis, v the minor; pixel centres sit at integer + 0.5.
  let u0 = steep ? y0 : x0;
  let v0 = steep ? x0 : y0;
  let u1 = steep ? y1 : x1;
  let v1 = steep ? x1 : y1;
  if (u0 > u1) {
    const su = u0;
    const sv = v0;
    u0 = u1;
    v0 = v1;
    u1 = su;
    v1 = sv;
  }
  const du = u1 - u0;
  const slope = du === 0 ? 0 : (v1 - v0) / du;
  const half = (thickness * Math.sqrt(1 + slope * slope)) / 2;
  const uLimit = steep ? c.h : c.w;
  const vLimit = steep ? c.w : c.h;
  // Along u a pixel is one step; along v, one row (x major) or one column (y major) of the buffer.
  const uStride = steep ? c.w : 1;
  const vStride = steep ? 1 : c.w;
  const data = c.data;
  const touched = c.touched;
  let count = c.count;
  const first = Math.max(0, Math.floor(u0));
  const last = Math.min(uLimit - 1, Math.ceil(u1) - 1);
  // The timeline's ~800 merge links are long, nearly level strokes piled along a few rows: most of
  // the pixels they cross are already fully covered, and a union with a full pixel keeps it full.
  // Along an x-major stroke, a run of columns whose band rows are all full is skipped (found by a
  // byte scan); columns inside the segment (not its end pixels) take the same rows wherever the band
  // sits in the same rows, so the coverage is byte for byte what visiting each column gives.
  const skipFull = !steep && du > 0;
  const innerFrom = Math.ceil(u0);
  const innerEnd = Math.min(last + 1, Math.floor(u1));
  const w = c.w;
  for (let u = first; u <= last; u++) {
    // The part of this pixel column the segment spans along u, and the minor position at its middle.
    const a = u > u0 ? u : u0;
    const b = u + 1 < u1 ? u + 1 : u1;
    const span = du === 0 ? 1 : b - a;
    if (span <= 0) continue;
    const v = v0 + slope * ((a + b) / 2 - u0);
    const lo = v - half;
    const hi = v + half;
    const pEnd = Math.min(vLimit, Math.ceil(hi));
    const pFrom = Math.max(0, Math.floor(lo));
    if (skipFull && u >= innerFrom && u + 1 < innerEnd && pFrom < pEnd && bandFull(data, w, pFrom, pEnd, u)) {
      let end = innerEnd;
      for (let r = pFrom; r < pEnd && end > u + 1; r++) {
        let j = u + 1;
        const row = r * w;
        while (j < end && data[row + j] === 255) j++;
        end = j;
      }
      // The band may move to another row before `end`: keep to the columns where it has not.
      let keep = u;
      let beyond = end;
      while (beyond - keep > 1) {
        const m = (keep + beyond) >> 1;
        const vm = v0 + slope * (m + 0.5 - u0);
        if (Math.max(0, Math.floor(vm - half)) === pFrom && Math.min(vLimit, Math.ceil(vm + half)) === pEnd) keep = m;
        else beyond = m;
      }
      u = keep;
      continue;
    }
    for (let p = pFrom, i = u * uStride + p * vStride; p < pEnd; p++, i += vStride) count = unite(data, touched, count, i, ((p + 1 < hi ? p + 1 : hi) - (p > lo ? p : lo)) * span);
  }
  c.count = count;
}

/**
 * The rectangle [x0, x1) x [y0, y1) in device pixels, edge pixels covered by the fraction inside.
 * The charts draw bars with blendRects; this is the plain coverage it must equal (its tests compare them).
 */
export function coverRect(c: Coverage, x0: number, y0: number, x1: number, y1: number): void {
  if (![x0, y0, x1, y1].every(Number.isFinite)) return;
  const left = Math.max(0, Math.min(x0, x1));
  const right = Math.min(c.w, Math.max(x0, x1));
  const top = Math.max(0, Math.min(y0, y1));
  const bottom = Math.min(c.h, Math.max(y0, y1));
  if (right > left && bottom > top) touch(c, left, top, right, bottom);
  const data = c.data;
  const touched = c.touched;
  let count = c.count;
  const xEnd = Math.ceil(right);
  for (let y = Math.floor(top); y < Math.ceil(bottom); y++) {
    const fy = Math.min(y + 1, bottom) - Math.max(y, top);
    for (let x = Math.floor(left); x < xEnd; x++) {
      const a = coverageByte(fy * (Math.min(x + 1, right) - Math.max(x, left)));
      const i = y * c.w + x;
      if (a > data[i]) {
        if (data[i] === 0) touched[count++] = i;
        data[i] = a;
      }
    }
  }
  c.count = count;
}

/**
 * Per row of a `side` x `side` mask, the columns [first, end) holding its non-zero pixels (an empty
 * row has first = end = 0): a marker's sprite is padded for its outline and antialiasing, and
 * stamping only these spans does a third of the work for the same coverage.
 */
export function maskRows(mask: Uint8Array, side: number): Int16Array {
  let rows = maskSpans.get(mask);
  if (rows && rows.length === 2 * side) return rows;
  rows = new Int16Array(2 * side);
  for (let r = 0; r < side; r++) {
    let first = side;
    let end = 0;
    for (let k = 0; k < side; k++) {
      if (mask[r * side + k] === 0) continue;
      if (k < first) first = k;
      end = k + 1;
    }
    rows[2 * r] = end > 0 ? first : 0;
    rows[2 * r + 1] = end;
  }
  maskSpans.set(mask, rows);
  return rows;
}
const maskSpans = new WeakMap<Uint8Array, Int16Array>();

/** A marker sprite's mask (side x side) with its top-left corner at device pixel (dx, dy); `rows` is its maskRows. */
export function stampMask(c: Coverage, mask: Uint8Array, side: number, dx: number, dy: number, rows: Int16Array = maskRows(mask, side)): void {
  const c0 = Math.max(0, -dx);
  const c1 = Math.min(side, c.w - dx);
  const r0 = Math.max(0, -dy);
  const r1 = Math.min(side, c.h - dy);
  if (c0 >= c1 || r0 >= r1) return;
  touch(c, dx + c0, dy + r0, dx + c1, dy + r1);
  const data = c.data;
  const touched = c.touched;
  let count = c.count;
  for (let r = r0; r < r1; r++) {
    const src = r * side;
    const dst = (dy + r) * c.w + dx;
    const k1 = Math.min(c1, rows[2 * r + 1]);
    for (let k = Math.max(c0, rows[2 * r]); k < k1; k++) {
      const a = mask[src + k];
      const before = data[dst + k];
      if (a > before) {
        if (before === 0) touched[count++] = dst + k;
        data[dst + k] = a;
      }
    }
  }
  c.count = count;
}

/**
 * Canvas source-over of colour (r, g, b) at opacity `sa` (0-1, above 0) onto the pixel of `image`
 * (non-premultiplied RGBA) at byte offset `o`.
 */
function sourceOver(image: Uint8ClampedArray, o: number, r: number, g: number, b: number, sa: number): void {
  if (image[o + 3] === 0) {
    // Nothing under it yet (most pixels of an overlay): the colour as is.
    image[o] = r;
    image[o + 1] = g;
    image[o + 2] = b;
    image[o + 3] = sa * 255;
    return;
  }
  const da = image[o + 3] / 255;
  const oa = sa + da * (1 - sa);
  const keep = (da * (1 - sa)) / oa;
  const take = sa / oa;
  image[o] = r * take + image[o] * keep;
  image[o + 1] = g * take + image[o + 1] * keep;
  image[o + 2] = b * take + image[o + 2] * keep;
  image[o + 3] = oa * 255;
}

/**
 * Blends colour (r, g, b) at `alpha` x coverage over `image` (non-premultiplied RGBA, `imageW`
 * pixels wide), the coverage buffer's (0, 0) sitting at image pixel (ox, oy): canvas source-over.
 */
export function blend(image: Uint8ClampedArray, imageW: number, c: Coverage, ox: number, oy: number, r: number, g: number, b: number, alpha: number): void {
  if (alpha <= 0) return;
  const imageH = image.length / (4 * imageW);
  const data = c.data;
  const touched = c.touched;
  const w = c.w;
  const words = clearWords(r, g, b, alpha);
  const pixels = new Uint32Array(image.buffer, image.byteOffset, image.length >> 2);
  if (ox === 0 && w === imageW && oy >= 0 && oy + c.h <= imageH) {
    // The buffer's rows are whole rows of the image (a chart whose subplots share one x axis):
    // a pixel's image index is its buffer index moved down oy rows, no division or bounds check.
    const shift = oy * imageW;
    for (let k = 0; k < c.count; k++) {
      const i = touched[k];
      const p = i + shift;
      if (image[4 * p + 3] === 0) pixels[p] = words[data[i]];
      else sourceOver(image, 4 * p, r, g, b, (data[i] / 255) * alpha);
    }
    return;
  }
  for (let k = 0; k < c.count; k++) {
    const i = touched[k];
    const y = (i / w) | 0;
    const iy = oy + y;
    const ix = ox + i - y * w;
    if (iy < 0 || iy >= imageH || ix < 0 || ix >= imageW) continue;
    const p = iy * imageW + ix;
    if (image[4 * p + 3] === 0) pixels[p] = words[data[i]];
    else sourceOver(image, 4 * p, r, g, b, (data[i] / 255) * alpha);
  }
}

/**
 * Over a clear pixel, source-over writes the colour at coverage x alpha: one 32-bit word per
 * coverage level (0-255), its bytes written by the same clamped store sourceOver makes.
 */
function clearWords(r: number, g: number, b: number, alpha: number): Uint32Array {
  const bytes = new Uint8ClampedArray(4 * 256);
  for (let a = 1; a < 256; a++) {
    bytes[4 * a] = r;
    bytes[4 * a + 1] = g;
    bytes[4 * a + 2] = b;
    bytes[4 * a + 3] = (a / 255) * alpha * 255;
  }
  return new Uint32Array(bytes.buffer);
}

/**
 * Rectangles (x0, y0, x1, y1 per four numbers, in the device pixels of a w x h subplot whose (0, 0)
 * is image pixel (ox, oy)) blended in one colour straight into the image: what coverRect of each
 * into one buffer and blend draw (each pixel once, at the highest coverage a rectangle gives it),
 * without the buffer, its list of touched pixels or a division per pixel. Bars are the largest
 * areas the charts fill. Column by column: a bar is a few columns wide, and inside its rows a
 * column's coverage is the same in every row.
 */
export function blendRects(image: Uint8ClampedArray, imageW: number, rects: ArrayLike<number>, w: number, h: number, ox: number, oy: number, r: number, g: number, b: number, alpha: number): void {
  if (alpha <= 0) return;
  // Each rectangle clamped to the subplot as coverRect clamps it.
  const boxes: [number, number, number, number][] = [];
  for (let k = 0; k + 3 < rects.length; k += 4) {
    const [x0, y0, x1, y1] = [rects[k], rects[k + 1], rects[k + 2], rects[k + 3]];
    if (![x0, y0, x1, y1].every(Number.isFinite)) continue;
    const left = Math.max(0, Math.min(x0, x1));
    const right = Math.min(w, Math.max(x0, x1));
    const top = Math.max(0, Math.min(y0, y1));
    const bottom = Math.min(h, Math.max(y0, y1));
    if (Math.floor(left) < Math.ceil(right) && Math.floor(top) < Math.ceil(bottom)) boxes.push([left, top, right, bottom]);
  }
  boxes.sort((p, q) => p[0] - q[0]);
  const imageH = image.length / (4 * imageW);
  const words = clearWords(r, g, b, alpha);
  const pixels = new Uint32Array(image.buffer, image.byteOffset, image.length >> 2);
  // The rectangles over the current column: those starting at or before it, not yet ended.
  let next = 0;
  const open: [number, number, number, number][] = [];
  const xEnd = boxes.reduce((m, box) => Math.max(m, Math.ceil(box[2])), 0);
  for (let x = boxes.length > 0 ? Math.floor(boxes[0][0]) : 0; x < xEnd; x++) {
    for (let k = open.length - 1; k >= 0; k--) if (Math.ceil(open[k][2]) <= x) open.splice(k, 1);
    while (next < boxes.length && Math.floor(boxes[next][0]) <= x) open.push(boxes[next++]);
    if (open.length === 0) {
      if (next < boxes.length) x = Math.floor(boxes[next][0]) - 1;
      continue;
    }
    if (open.length === 1) {
      const [left, top, right, bottom] = open[0];
      const fx = Math.min(x + 1, right) - Math.max(x, left);
      const full = coverageByte(fx);
      const ix = ox + x;
      if (ix < 0 || ix >= imageW) continue;
      for (let y = Math.floor(top); y < Math.ceil(bottom); y++) {
        const a = y >= top && y + 1 <= bottom ? full : coverageByte((Math.min(y + 1, bottom) - Math.max(y, top)) * fx);
        const iy = oy + y;
        if (a === 0 || iy < 0 || iy >= imageH) continue;
        const p = iy * imageW + ix;
        if (image[4 * p + 3] === 0) pixels[p] = words[a];
        else sourceOver(image, 4 * p, r, g, b, (a / 255) * alpha);
      }
      continue;
    }
    // Bars meeting in this column (an edge pixel each): each pixel at the higher coverage.
    let y0 = h;
    let y1 = 0;
    for (const box of open) {
      y0 = Math.min(y0, Math.floor(box[1]));
      y1 = Math.max(y1, Math.ceil(box[3]));
    }
    for (let y = y0; y < y1; y++) {
      let a = 0;
      for (const [left, top, right, bottom] of open) {
        if (y < Math.floor(top) || y >= Math.ceil(bottom)) continue;
        a = Math.max(a, coverageByte((Math.min(y + 1, bottom) - Math.max(y, top)) * (Math.min(x + 1, right) - Math.max(x, left))));
      }
      const ix = ox + x;
      const iy = oy + y;
      if (a === 0 || ix < 0 || ix >= imageW || iy < 0 || iy >= imageH) continue;
      const p = iy * imageW + ix;
      if (image[4 * p + 3] === 0) pixels[p] = words[a];
      else sourceOver(image, 4 * p, r, g, b, (a / 255) * alpha);
    }
  }
}

/** A pixel's coverage 0-1 as the byte coverRect stores. */
function coverageByte(amount: number): number {
  return amount <= 0 ? 0 : amount >= 1 ? 255 : Math.round(amount * 255);
}

/**
 * Lays a marker sprite (`side` x `side` RGBA) over the image at (dx, dy), source-over at
 * `opacity`, inside the clip rectangle (clipX, clipY, clipW, clipH): what drawImage does with a
 * two-colour marker.
 */
export function blendSprite(image: Uint8ClampedArray, imageW: number, rgba: Uint8ClampedArray, side: number, dx: number, dy: number, clipX: number, clipY: number, clipW: number, clipH: number, opacity: number): void {
  const imageH = image.length / (4 * imageW);
  for (let r = 0; r < side; r++) {
    const iy = dy + r;
    if (iy < Math.max(0, clipY) || iy >= Math.min(imageH, clipY + clipH)) continue;
    for (let k = 0; k < side; k++) {
      const ix = dx + k;
      if (ix < Math.max(0, clipX) || ix >= Math.min(imageW, clipX + clipW)) continue;
      const s = 4 * (r * side + k);
      const sa = (rgba[s + 3] / 255) * opacity;
      if (sa > 0) sourceOver(image, 4 * (iy * imageW + ix), rgba[s], rgba[s + 1], rgba[s + 2], sa);
    }
  }
}

/** A CSS colour as canvas normalises it ('#rrggbb' or 'rgba(r, g, b, a)') to [r, g, b, alpha 0-1]; null if unreadable. */
export function parseCanvasColor(normalised: string): [number, number, number, number] | null {
  const hex = /^#([0-9a-f]{6})$/i.exec(normalised);
  if (hex) {
    const v = parseInt(hex[1], 16);
    return [(v >> 16) & 255, (v >> 8) & 255, v & 255, 1];
  }
  const rgba = /^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*([\d.]+)\s*)?\)$/i.exec(normalised);
  if (rgba) return [Number(rgba[1]), Number(rgba[2]), Number(rgba[3]), rgba[4] === undefined ? 1 : Number(rgba[4])];
  return null;
}
