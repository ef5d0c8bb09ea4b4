import { describe, expect, it } from 'vitest';
import { scrollToShow, visibleRange, windowIndices } from './windowing.js';

describe('windowing', () => {
  it('renders the items in view plus the overscan, clamped to the list', () => {
    expect(visibleRange(300, 89, 0, 600, 2)).toEqual([0, 9]);
    expect(visibleRange(300, 89, 890, 600, 2)).toEqual([8, 19]);
    expect(visibleRange(300, 89, 300 * 89, 600, 2)).toEqual([298, 300]);
    expect(visibleRange(5, 16, 0, 150, 4)).toEqual([0, 5]);
  });

  it('renders everything when the item size is unknown', () => {
    expect(visibleRange(7, 0, 0, 100)).toEqual([0, 7]);
    expect(visibleRange(0, 16, 0, 100)).toEqual([0, 0]);
  });

  it('adds pinned items outside the range, in order and once', () => {
    expect(windowIndices([3, 6], [1, 4, 299, 1], 300)).toEqual([1, 3, 4, 5, 299]);
    expect(windowIndices([0, 2], [-1, 7], 5)).toEqual([0, 1]);
  });

  it('scrolls only when the item is not fully in view, and then centres it', () => {
    expect(scrollToShow(2, 89, 86, 0, 600)).toBe(0);
    expect(scrollToShow(299, 89, 86, 0, 600)).toBe(299 * 89 - (600 - 86) / 2);
    expect(scrollToShow(0, 89, 86, 500, 600)).toBe(0);
  });
});
