import { afterEach, describe, expect, it } from 'vitest';
import type { EchoApi } from '../../test-support/rpc/echo-api.js';
import { CancelledError, OmniZipError } from '../protocol/errors.js';
import { RpcPool } from './pool.js';

const entry = new URL('../../test-support/rpc/echo-bootstrap.mjs', import.meta.url);
const pools: RpcPool<EchoApi>[] = [];
const pool = (size: number, callsPerWorker?: number) => {
  const p = new RpcPool<EchoApi>({ entry, name: 'echo', size, callsPerWorker });
  pools.push(p);
  return p;
};
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe('worker RPC pool', () => {
  it('spreads concurrent calls over its workers and queues the rest', async () => {
    const p = pool(2);
    const calls = Array.from({ length: 4 }, () => p.call('whoami', { holdMs: 300 }));
    expect(p.queued).toBe(2);
    const threads = new Set((await Promise.all(calls)).map((r) => r.threadId));
    expect(threads.size).toBe(2);
    expect(p.workers).toBe(2);
    expect(p.busy).toBe(0);
  }, 30_000);

  it('with several calls per worker, puts each call on the least busy worker', async () => {
    const p = pool(2, 2);
    const calls = Array.from({ length: 5 }, () => p.call('whoami', { holdMs: 300 }));
    expect(p.busy).toBe(4);
    expect(p.queued).toBe(1);
    const perThread = new Map<number, number>();
    for (const { threadId } of (await Promise.all(calls)).slice(0, 4)) perThread.set(threadId, (perThread.get(threadId) ?? 0) + 1);
    expect([...perThread.values()]).toEqual([2, 2]);
  }, 30_000);

  it('sends a call to an idle worker that is up rather than starting another', async () => {
    const p = pool(3);
    const first = await p.call('whoami', { holdMs: 0 });
    const second = await p.call('whoami', { holdMs: 0 });
    expect(second.threadId).toBe(first.threadId);
    expect(p.workers).toBe(1);
  }, 30_000);

  it("cancels a running call through AbortSignal: the worker's handler sees it, answers, then takes the next call", async () => {
    const p = pool(1);
    const controller = new AbortController();
    const spinning = p.call('spin', {}, { signal: controller.signal, onProgress: (i) => i === 3 && controller.abort() });
    await expect(spinning).rejects.toBeInstanceOf(CancelledError);
    // The next call waits for the worker to answer the cancel, so it sees the handler stopped.
    expect(await p.call('whoami', { holdMs: 0 })).toMatchObject({ cancelledSpins: 1 });
    expect(p.workers).toBe(1);
  }, 30_000);

  it('drops a queued call when its signal fires, before it reaches a worker', async () => {
    const p = pool(1);
    const running = p.call('whoami', { holdMs: 300 });
    const controller = new AbortController();
    const queued = p.call('echo', { text: 'never' }, { signal: controller.signal });
    expect(p.queued).toBe(1);
    controller.abort();
    await expect(queued).rejects.toBeInstanceOf(CancelledError);
    expect(p.queued).toBe(0);
    await expect(running).resolves.toMatchObject({ cancelledSpins: 0 });
  }, 30_000);

  it('fails the call of a worker that crashes with kind worker-failed, then serves calls on a fresh worker', async () => {
    const p = pool(2);
    const before = await p.call('whoami', { holdMs: 0 });
    const crash = p.call('crash', {});
    await expect(crash).rejects.toBeInstanceOf(OmniZipError);
    await expect(crash).rejects.toMatchObject({ kind: 'worker-failed' });
    const after = await Promise.all([p.call('whoami', { holdMs: 100 }), p.call('whoami', { holdMs: 100 })]);
    expect(after.map((r) => r.threadId)).not.toContain(before.threadId);
    expect(new Set(after.map((r) => r.threadId)).size).toBe(2);
    expect(await p.call('echo', { text: 'back' })).toEqual({ text: 'BACK' });
  }, 30_000);

  it('closes: queued and running calls fail with kind pool-closed, workers exit by themselves, later calls are refused', async () => {
    const p = pool(2);
    const outcomes = [p.call('spin', {}), p.call('spin', {}), p.call('echo', { text: 'late' })].map((call) => call.catch((err: unknown) => err));
    expect(p.queued).toBe(1);
    // Let both workers start spinning.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const started = performance.now();
    await p.close(60_000);
    // Well under the grace time: the spinning handlers saw the shutdown and the threads ended on their own.
    expect(performance.now() - started).toBeLessThan(10_000);
    for (const outcome of await Promise.all(outcomes)) expect(outcome).toMatchObject({ kind: 'pool-closed' });
    expect(p.workers).toBe(0);
    await expect(p.call('echo', { text: 'x' })).rejects.toMatchObject({ kind: 'pool-closed' });
  }, 30_000);

  it('refuses a pool without workers', () => {
    expect(() => new RpcPool<EchoApi>({ entry, name: 'echo', size: 0 })).toThrow(RangeError);
  });
});
