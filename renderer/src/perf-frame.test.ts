import { afterEach, describe, expect, it, vi } from 'vitest';
import { nextConfigVersion, noteChartDrawn, noteCommitted, noteInput, notePlanCommitted, notePlanReceived, registerChart } from './perf.js';

describe('slider-to-redraw clock', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('takes the sample in the next animation frame and the painted figure in a task posted from it', async () => {
    const frames: (() => void)[] = [];
    vi.stubGlobal('window', globalThis);
    vi.stubGlobal('requestAnimationFrame', (callback: () => void) => frames.push(callback));
    const unregister = registerChart('timeline');
    const version = nextConfigVersion();
    noteInput(version);
    notePlanReceived(version, { sent: performance.now(), responded: performance.now(), decoded: performance.now(), hostMs: 0 }, 1);
    notePlanCommitted(7, version, 1);
    noteCommitted(7);
    noteChartDrawn('timeline', 7);
    const perf = (globalThis as unknown as { __omzPerf: { samples: number[]; painted: number[]; stages: { afterFrame: number; total: number }[] } }).__omzPerf;
    // Nothing is measured before the frame begins.
    expect(perf.samples).toHaveLength(0);
    expect(frames).toHaveLength(1);
    frames[0]();
    // In the frame's callbacks: the sample, but not yet the frame's own rendering.
    expect(perf.samples).toHaveLength(1);
    expect(perf.painted).toHaveLength(0);
    // The painted figure comes from a task posted in the callback (in a browser, after the frame's
    // style, layout and paint; here only after the callback, which is what this can show).
    await vi.waitFor(() => expect(perf.painted).toHaveLength(1));
    expect(perf.painted[0]).toBeGreaterThanOrEqual(perf.samples[0]);
    expect(perf.stages).toHaveLength(1);
    expect(perf.stages[0].total).toBe(perf.samples[0]);
    expect(perf.stages[0].afterFrame).toBeCloseTo(perf.painted[0] - perf.samples[0], 9);
    unregister();
  });
});
