import { describe, expect, it } from 'vitest';
import { blend, coverLine, coverRect, coverage, parseCanvasColor, stampMask } from './overlay-raster.js';

const at = (c: { data: Uint8Array; w: number }, x: number, y: number) => c.data[y * c.w + x];

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
});
