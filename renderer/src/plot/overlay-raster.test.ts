import { describe, expect, it } from 'vitest';
import { blend, blendRects, coverLine, coverRect, coverage, maskRows, parseCanvasColor, stampMask } from './overlay-raster.js';

const at = (c: { data: Uint8Array; w: number }, x: number, y: number) => c.data[y * c.w + x];

function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
}

/** The stroke coverLine draws, written plainly: every column of the major axis visited, each pixel's coverage united in. */
function referenceLine(data: Uint8Array, w: number, h: number, x0: number, y0: number, x1: number, y1: number, thickness: number): void {
  const steep = Math.abs(y1 - y0) > Math.abs(x1 - x0);
  let [u0, v0, u1, v1] = steep ? [y0, x0, y1, x1] : [x0, y0, x1, y1];
  if (u0 > u1) [u0, v0, u1, v1] = [u1, v1, u0, v0];
  const du = u1 - u0;
  const slope = du === 0 ? 0 : (v1 - v0) / du;
  const half = (thickness * Math.sqrt(1 + slope * slope)) / 2;
  for (let u = Math.max(0, Math.floor(u0)); u <= Math.min((steep ? h : w) - 1, Math.ceil(u1) - 1); u++) {
    const a = Math.max(u, u0);
    const b = Math.min(u + 1, u1);
    const span = du === 0 ? 1 : b - a;
    if (span <= 0) continue;
    const v = v0 + slope * ((a + b) / 2 - u0);
    for (let p = Math.max(0, Math.floor(v - half)); p < Math.min(steep ? w : h, Math.ceil(v + half)); p++) {
      const amount = (Math.min(p + 1, v + half) - Math.max(p, v - half)) * span;
      if (amount <= 0) continue;
      const i = steep ? u * w + p : p * w + u;
      const add = amount >= 1 ? 255 : Math.round(amount * 255);
      data[i] = 255 - Math.round(((255 - data[i]) * (255 - add)) / 255);
    }
  }
}

describe('overlay software raster', () => {
  it('covers a one-pixel horizontal line on its row, split over two rows when it lies between them', () => {
    const c = coverage(10, 4);
    coverLine(c, 1, 1.5, 8, 1.5, 1);
    expect([0, 1, 7, 8].map((x) => at(c, x, 1))).toEqual([0, 255, 255, 0]);
    expect(at(c, 4, 0) + at(c, 4, 2)).toBe(0);
    const between = coverage(10, 4);
    coverLine(between, 0, 2, 10, 2, 1);
    expect([at(between, 5, 1), at(between, 5, 2), at(between, 5, 0)]).toEqual([128, 128, 0]);
  });

  it('adds crossing strokes as a union: two half-covering segments fill a pixel more than either', () => {
    const c = coverage(10, 4);
    coverLine(c, 0, 2, 10, 2, 1);
    coverLine(c, 0, 2, 10, 2, 1);
    expect(at(c, 5, 1)).toBe(192);
  });

  it('covers steep and diagonal lines once per step, whichever way they are drawn', () => {
    const down = coverage(6, 6);
    coverLine(down, 2.5, 0, 2.5, 6, 1);
    expect(Array.from({ length: 6 }, (_, y) => at(down, 2, y))).toEqual([255, 255, 255, 255, 255, 255]);
    const a = coverage(8, 8);
    const b = coverage(8, 8);
    coverLine(a, 0, 0, 8, 8, 1);
    coverLine(b, 8, 8, 0, 0, 1);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    for (let i = 0; i < 8; i++) expect(at(a, i, i)).toBeGreaterThan(150);
    expect(at(a, 7, 0)).toBe(0);
  });

  it('keeps marks inside the buffer and ignores non-finite ends', () => {
    const c = coverage(4, 4);
    coverLine(c, -10, 1.5, 20, 1.5, 1);
    coverLine(c, Number.NaN, 0, 3, 3, 1);
    expect(Array.from({ length: 4 }, (_, x) => at(c, x, 1))).toEqual([255, 255, 255, 255]);
    expect(c.data.reduce((a, v) => a + (v > 0 ? 1 : 0), 0)).toBe(4);
  });

  it('covers rectangles with fractional edges', () => {
    const c = coverage(6, 4);
    coverRect(c, 1.5, 1, 4, 3);
    expect([at(c, 1, 1), at(c, 2, 1), at(c, 3, 2), at(c, 4, 2), at(c, 2, 0), at(c, 2, 3)]).toEqual([128, 255, 255, 0, 0, 0]);
  });

  it('bounds what it covered, so blending skips the rest', () => {
    const c = coverage(20, 10);
    coverLine(c, 3, 4.5, 9, 4.5, 1);
    expect([c.x0, c.y0, c.x1, c.y1]).toEqual([1, 2, 11, 7]);
    stampMask(c, Uint8Array.from([9]), 1, 15, 8);
    expect([c.x0, c.y0, c.x1, c.y1]).toEqual([1, 2, 16, 9]);
  });

  it('reuses a buffer clearing only what its last use covered', () => {
    const a = coverage(20, 10);
    coverLine(a, 0, 5, 20, 5, 2);
    stampMask(a, Uint8Array.from([200, 200, 200, 200]), 2, 18, 0);
    const covered = a.data.reduce((n, v) => n + (v > 0 ? 1 : 0), 0);
    expect(a.count).toBe(covered);
    expect(new Set(a.touched.subarray(0, a.count)).size).toBe(covered);
    const b = coverage(7, 3, a);
    expect(b.data.length).toBe(21);
    expect(b.count).toBe(0);
    expect(new Uint8Array(a.data.buffer).every((v) => v === 0)).toBe(true);
  });

  it('stamps a sprite mask keeping the highest coverage, clipped at the edges', () => {
    const c = coverage(4, 4);
    const mask = Uint8Array.from([10, 200, 200, 10]);
    stampMask(c, mask, 2, 0, 0);
    stampMask(c, mask, 2, 1, 0);
    stampMask(c, mask, 2, 3, 3);
    expect([at(c, 0, 0), at(c, 1, 0), at(c, 2, 0), at(c, 1, 1), at(c, 3, 3)]).toEqual([10, 200, 200, 200, 10]);
  });

  it('blends source-over: opaque replaces, translucent mixes with what is under it', () => {
    const image = new Uint8ClampedArray(4 * 2);
    const c = coverage(2, 1);
    coverRect(c, 0, 0, 2, 1);
    blend(image, 2, c, 0, 0, 200, 0, 0, 1);
    expect(Array.from(image)).toEqual([200, 0, 0, 255, 200, 0, 0, 255]);
    const half = coverage(1, 1);
    coverRect(half, 0, 0, 1, 1);
    blend(image, 2, half, 1, 0, 0, 0, 200, 0.5);
    expect(Array.from(image.slice(4))).toEqual([100, 0, 100, 255]);
    const clear = new Uint8ClampedArray(4);
    blend(clear, 1, half, 0, 0, 10, 20, 30, 0.5);
    expect(Array.from(clear)).toEqual([10, 20, 30, 128]);
  });

  it('reads the colours a canvas normalises to', () => {
    expect(parseCanvasColor('#2a9d3a')).toEqual([42, 157, 58, 1]);
    expect(parseCanvasColor('rgba(123, 63, 181, 0.45)')).toEqual([123, 63, 181, 0.45]);
    expect(parseCanvasColor('rgb(1, 2, 3)')).toEqual([1, 2, 3, 1]);
    expect(parseCanvasColor('nonsense')).toBeNull();
  });

  it('skips fully covered runs of a pile of level strokes and still covers every pixel as visiting each column does', () => {
    const rnd = random(11);
    for (const thickness of [1, 1.5, 2]) {
      const c = coverage(300, 40);
      const ref = new Uint8Array(300 * 40);
      // Long, nearly level strokes on a few rows (the timeline's merge links), a few steep ones, some off the edges.
      for (let k = 0; k < 400; k++) {
        const y = 10 + Math.floor(rnd() * 4) * 6 + rnd() * 2;
        const steep = k % 25 === 0;
        const x = rnd() * 320 - 10;
        const line: [number, number, number, number] = steep ? [x, rnd() * 40, x + rnd() * 6, rnd() * 40] : [x, y, rnd() * 320 - 10, y + (rnd() - 0.5) * 3];
        coverLine(c, ...line, thickness);
        referenceLine(ref, 300, 40, ...line, thickness);
      }
      expect(Array.from(c.data)).toEqual(Array.from(ref));
      expect(c.count).toBe(ref.reduce((n, v) => n + (v > 0 ? 1 : 0), 0));
      expect(ref.reduce((n, v) => n + (v === 255 ? 1 : 0), 0)).toBeGreaterThan(1000);
    }
  });

  it('stamps only the non-zero span of each sprite row, covering what stamping every pixel covers', () => {
    const rnd = random(5);
    const side = 9;
    const mask = new Uint8Array(side * side);
    for (let r = 2; r < 7; r++) for (let k = r - 1; k < 10 - r; k++) mask[r * side + k] = 1 + Math.floor(rnd() * 255);
    expect(Array.from(maskRows(mask, side).slice(0, 6))).toEqual([0, 0, 0, 0, 1, 8]);
    const c = coverage(40, 30);
    const ref = new Uint8Array(40 * 30);
    for (let n = 0; n < 200; n++) {
      const dx = Math.floor(rnd() * 50) - 5;
      const dy = Math.floor(rnd() * 40) - 5;
      stampMask(c, mask, side, dx, dy);
      for (let r = 0; r < side; r++) for (let k = 0; k < side; k++) {
        const x = dx + k;
        const y = dy + r;
        if (x >= 0 && y >= 0 && x < 40 && y < 30) ref[y * 40 + x] = Math.max(ref[y * 40 + x], mask[r * side + k]);
      }
    }
    expect(Array.from(c.data)).toEqual(Array.from(ref));
    expect(c.count).toBe(ref.reduce((n, v) => n + (v > 0 ? 1 : 0), 0));
  });

  it('blends bars straight into the image exactly as coverRect and blend do, bars meeting in a column included', () => {
    const rnd = random(3);
    const base = new Uint8ClampedArray(4 * 60 * 30);
    for (let i = 0; i < base.length; i++) base[i] = i % 7 === 0 ? 0 : Math.floor(rnd() * 256);
    // Bars 3.3 px apart and 2.6-3.6 px wide: most share an edge column with the next, some overlap, some leave the subplot.
    for (const [gap, width] of [[5.3, 2.6], [3.3, 3.1], [3.3, 3.6]]) {
      const rects: number[] = [];
      for (let k = 0; k < 16; k++) rects.push(-2 + k * gap, 30 - rnd() * 34, -2 + k * gap + width, 26.5 - rnd());
      const direct = base.slice();
      blendRects(direct, 60, rects, 56, 28, 2, 1, 40, 150, 60, 0.45);
      const viaCoverage = base.slice();
      const c = coverage(56, 28);
      for (let k = 0; k < rects.length; k += 4) coverRect(c, rects[k], rects[k + 1], rects[k + 2], rects[k + 3]);
      blend(viaCoverage, 60, c, 2, 1, 40, 150, 60, 0.45);
      expect(Array.from(direct)).toEqual(Array.from(viaCoverage));
    }
  });
});
