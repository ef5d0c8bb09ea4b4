import { describe, expect, it } from 'vitest';
import { colorAt, xPixel, yPixel } from './overlay.js';
import { axisScale } from './plotly-axes.js';

describe('canvas overlay geometry', () => {
  it('maps data to pixels as plotly does: x left to right, y from the top edge, reversed ranges too', () => {
    const x = axisScale({ _offset: 56, _length: 400, range: [0, 20] });
    expect(xPixel(x, 0)).toBe(56);
    expect(xPixel(x, 10)).toBe(256);
    const y = axisScale({ _offset: 30, _length: 200, range: [0, 1] });
    expect(yPixel(y, 1)).toBe(30);
    expect(yPixel(y, 0)).toBe(230);
    const rows = axisScale({ _offset: 0, _length: 100, range: [3.5, -0.5] }); // frames: row 0 at the top
    expect(yPixel(rows, -0.5)).toBe(0);
    expect(yPixel(rows, 3.5)).toBe(100);
  });

  it('places category labels at their index', () => {
    const x = axisScale({ _offset: 0, _length: 300, range: [-0.5, 2.5], type: 'category', _categories: ['g0', 'g1', 'g2'] });
    expect(xPixel(x, 'g1')).toBe(150);
    expect(Number.isNaN(xPixel(x, 'nope'))).toBe(true);
  });

  it('reads stepwise colorscales like plotly (the last stop at or below the value)', () => {
    const keep: [number, string][] = [[0, 'grey'], [0.5, 'grey'], [0.5, 'green'], [1, 'green']];
    expect(colorAt(keep, 0, 0, 1)).toBe('grey');
    expect(colorAt(keep, 1, 0, 1)).toBe('green');
    const diff: [number, string][] = [[0, 'grey'], [0.25, 'grey'], [0.25, 'green'], [0.5, 'green'], [0.5, 'red'], [0.75, 'red'], [0.75, 'blue'], [1, 'blue']];
    expect([0, 1, 2, 3].map((z) => colorAt(diff, z, 0, 3))).toEqual(['grey', 'green', 'red', 'blue']);
  });
});
