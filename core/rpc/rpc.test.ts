import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EchoApi } from '../../test-support/rpc/echo-api.js';
import { CancelledError } from '../protocol/errors.js';
import { RpcClient, RpcError } from './client.js';

const entry = new URL('../../test-support/rpc/echo-bootstrap.mjs', import.meta.url);
const client = new RpcClient<EchoApi>({ entry, name: 'echo' });
afterAll(() => client.dispose());

describe('worker RPC', () => {
  it('answers a call with its result and progress', async () => {
    const seen: number[] = [];
    expect(await client.call('echo', { text: 'hi' }, { onProgress: (p) => seen.push(p) })).toEqual({ text: 'HI' });
    expect(seen).toEqual([0.5]);
  });

  it('cancels through AbortSignal: the call rejects with CancelledError and the worker serves the next call', async () => {
    const controller = new AbortController();
    const spinning = client.call('spin', {}, { signal: controller.signal, onProgress: (i) => i === 3 && controller.abort() });
    await expect(spinning).rejects.toBeInstanceOf(CancelledError);
    const already = new AbortController();
    already.abort();
    await expect(client.call('echo', { text: 'x' }, { signal: already.signal })).rejects.toBeInstanceOf(CancelledError);
    expect(await client.call('echo', { text: 'again' })).toEqual({ text: 'AGAIN' });
  });

  it("carries a handler's error kind and message across the worker", async () => {
    const failing = client.call('fail', { kind: 'bad-manifest', message: 'm.json: no model' });
    await expect(failing).rejects.toBeInstanceOf(RpcError);
    await expect(failing).rejects.toMatchObject({ kind: 'bad-manifest', message: 'm.json: no model' });
    await expect(client.call('fail', { kind: 'cancelled', message: 'stopped' })).rejects.toBeInstanceOf(CancelledError);
  });

  it('refuses an unknown method with kind bad-request', async () => {
    await expect((client as unknown as RpcClient<{ nope: EchoApi['echo'] }>).call('nope', { text: '' })).rejects.toMatchObject({ kind: 'bad-request' });
  });

  it('fails the pending call of a worker that exits, then starts a new worker', async () => {
    await expect(client.call('crash', {})).rejects.toMatchObject({ kind: 'worker-failed' });
    expect(await client.call('echo', { text: 'back' })).toEqual({ text: 'BACK' });
  });

  it('runs the shutdown hook only after the cancelled handlers ended (native sessions are not released under them)', async () => {
    const shutdownLog = path.join(mkdtempSync(path.join(os.tmpdir(), 'omnizip-rpc-')), 'shutdown.json');
    const own = new RpcClient<EchoApi>({ entry, name: 'echo', workerData: { shutdownLog } });
    let spun = () => {};
    const started = new Promise<void>((resolve) => (spun = resolve));
    const spinning = own.call('spin', {}, { onProgress: () => spun() }).catch((err: unknown) => err);
    await started;
    await own.dispose();
    expect(await spinning).toMatchObject({ kind: 'worker-failed' });
    expect(JSON.parse(readFileSync(shutdownLog, 'utf8'))).toEqual({ spinning: 0, cancelledSpins: 1 });
  });
});
