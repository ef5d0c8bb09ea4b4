import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startAfterPage } from './start.js';

/** The page's first request, still to come: `served()` is the moment it goes out. */
function pageNotYetServed(): { page: Promise<void>; served: () => void } {
  let served = () => {};
  const page = new Promise<void>((resolve) => (served = resolve));
  return { page, served };
}

describe('the demo prepared after the page goes out (startAfterPage)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('starts as soon as the page has been served, once', async () => {
    const { page, served } = pageNotYetServed();
    const start = vi.fn();
    startAfterPage(page, 250, start);
    await vi.advanceTimersByTimeAsync(40);
    expect(start).not.toHaveBeenCalled();
    served();
    await vi.advanceTimersByTimeAsync(0);
    expect(start).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(start).toHaveBeenCalledTimes(1);
  });

  it('starts anyway when no page is asked for in time, and not again when one is', async () => {
    const { page, served } = pageNotYetServed();
    const start = vi.fn();
    startAfterPage(page, 250, start);
    await vi.advanceTimersByTimeAsync(249);
    expect(start).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(start).toHaveBeenCalledTimes(1);
    served();
    await vi.advanceTimersByTimeAsync(0);
    expect(start).toHaveBeenCalledTimes(1);
  });

  it('starts nothing once cancelled (a server closed before its page came)', async () => {
    const { page, served } = pageNotYetServed();
    const start = vi.fn();
    const cancel = startAfterPage(page, 250, start);
    cancel();
    served();
    await vi.advanceTimersByTimeAsync(1000);
    expect(start).not.toHaveBeenCalled();
  });
});
