import { describe, expect, it } from 'vitest';
import { stagesOf } from './perf.js';
import { serverTiming } from './transport/client.js';

describe('slider-to-redraw stages', () => {
  it('reads the web server\'s Server-Timing header', () => {
    expect(serverTiming('call;dur=3.25, encode;dur=0.40')).toEqual({ hostMs: 3.25, hostEncodeMs: 0.4 });
    expect(serverTiming(null)).toEqual({});
  });

  it('split input → next frame into stages that add up to the total', () => {
    const s = stagesOf(100, { timing: { sent: 101, responded: 121, decoded: 124, hostMs: 5, hostEncodeMs: 1 }, planMs: 4, stored: 124.5, committed: 130 }, 140, 150);
    expect(s).toEqual({ total: 50, toRequest: 1, planner: 4, hostOther: 2, transport: 14, decode: 3, store: 0.5, react: 5.5, draw: 10, frame: 10 });
    const sum = Object.entries(s ?? {}).filter(([k]) => k !== 'total').reduce((a, [, v]) => a + v, 0);
    expect(sum).toBeCloseTo(50, 9);
    // Without the transport's marks (e.g. a plan answered before timing existed) there is no split.
    expect(stagesOf(100, { planMs: 4, stored: 120 }, 140, 150)).toBeNull();
  });
});
