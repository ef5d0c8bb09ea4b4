import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pageProgress, startAfterPage } from './start.js';

/** startAfterPage armed on a page still to be asked for (250 ms for the page, then 1000 ms for its assets). */
function armed() {
  const { page, served, assetsServed } = pageProgress();
  const start = vi.fn();
  const cancel = startAfterPage(page, 250, 1000, start);
  return { served, assetsServed, start, cancel };
}

describe('the demo prepared after the page and its assets go out (startAfterPage)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('starts once the page and then its assets have been served, once', async () => {
    const { served, assetsServed, start } = armed();
    await vi.advanceTimersByTimeAsync(40);
    served();
    // The page alone is not enough, even past the wait for a page.
    await vi.advanceTimersByTimeAsync(300);
    expect(start).not.toHaveBeenCalled();
    assetsServed();
    await vi.advanceTimersByTimeAsync(0);
    expect(start).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(2000);
    expect(start).toHaveBeenCalledTimes(1);
  });

  it('starts anyway when the page came but its assets do not come in time', async () => {
    const { served, assetsServed, start } = armed();
    await vi.advanceTimersByTimeAsync(100);
    served();
    await vi.advanceTimersByTimeAsync(999);
    expect(start).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(start).toHaveBeenCalledTimes(1);
    assetsServed();
    await vi.advanceTimersByTimeAsync(0);
    expect(start).toHaveBeenCalledTimes(1);
  });

  it('starts anyway when no page is asked for in time, and not again when one is', async () => {
    const { served, assetsServed, start } = armed();
    await vi.advanceTimersByTimeAsync(249);
    expect(start).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(start).toHaveBeenCalledTimes(1);
    served();
    assetsServed();
    await vi.advanceTimersByTimeAsync(2000);
    expect(start).toHaveBeenCalledTimes(1);
  });

  it('starts nothing once cancelled (a server closed before its page came)', async () => {
    const { served, assetsServed, start, cancel } = armed();
    cancel();
    served();
    assetsServed();
    await vi.advanceTimersByTimeAsync(2000);
    expect(start).not.toHaveBeenCalled();
  });
});
