import { describe, expect, it } from 'vitest';
import { isReplanBusy, setReplanBusy, whenReplansIdle } from './replan-idle.js';

describe('replan idle gate', () => {
  it('holds waiters while a replan is in flight and releases them all when it ends', async () => {
    setReplanBusy(true);
    expect(isReplanBusy()).toBe(true);
    const released: number[] = [];
    const a = whenReplansIdle().then(() => released.push(1));
    const b = whenReplansIdle().then(() => released.push(2));
    await new Promise((r) => setTimeout(r, 10));
    expect(released).toEqual([]);
    setReplanBusy(false);
    await Promise.all([a, b]);
    expect(released.sort()).toEqual([1, 2]);
    expect(isReplanBusy()).toBe(false);
  });

  it('answers at once when nothing is in flight', async () => {
    setReplanBusy(false);
    await expect(whenReplansIdle()).resolves.toBeUndefined();
  });
});
