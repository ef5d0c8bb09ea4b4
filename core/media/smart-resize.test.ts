import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_PIXELS, ResizeError, roundHalfEven, sampledFrameCount, smartResize } from './smart-resize.js';

describe('smartResize (Qwen2.5-Omni video geometry)', () => {
  it('rounds to multiples of 28 when the area is already within bounds', () => {
    expect(smartResize(240, 320)).toEqual({ height: 252, width: 308 });
  });

  it('scales a 1080p frame down below max_pixels, keeping the aspect ratio', () => {
    const { height, width } = smartResize(1080, 1920);
    expect(height % 28).toBe(0);
    expect(width % 28).toBe(0);
    expect(height * width).toBeLessThanOrEqual(DEFAULT_MAX_PIXELS);
    // beta = sqrt(1080*1920/100352) = 4.538; floor(238/28)=8 -> 224, floor(423/28)=15 -> 420.
    expect({ height, width }).toEqual({ height: 224, width: 420 });
  });

  it('scales a tiny frame up to min_pixels', () => {
    const { height, width } = smartResize(20, 30);
    expect(height * width).toBeGreaterThanOrEqual(4 * 28 * 28);
    expect({ height, width }).toEqual({ height: 56, width: 84 });
  });

  it('rounds halves to even like Python', () => {
    expect(roundHalfEven(2.5)).toBe(2);
    expect(roundHalfEven(3.5)).toBe(4);
    // 70 / 28 = 2.5 -> 2 cells, 98 / 28 = 3.5 -> 4 cells.
    expect(smartResize(70, 98, { minPixels: 1 })).toEqual({ height: 56, width: 112 });
  });

  it('rejects extreme aspect ratios and inverted bounds', () => {
    expect(() => smartResize(10, 2100)).toThrow(ResizeError);
    expect(() => smartResize(100, 100, { minPixels: 10, maxPixels: 5 })).toThrow(/min_pixels/);
  });
});

describe('sampledFrameCount', () => {
  it('takes 2 fps, an even count, at least 4 and at most the cap', () => {
    expect(sampledFrameCount(30)).toBe(60);
    expect(sampledFrameCount(10.7)).toBe(20);
    expect(sampledFrameCount(1.2)).toBe(4);
    expect(sampledFrameCount(0.1)).toBe(4);
    expect(sampledFrameCount(1000)).toBe(768);
    expect(sampledFrameCount(1000, 127)).toBe(126);
  });
});
