import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { goldenBundlePath } from '../test-support/golden.js';
import { describeWithGolden } from '../test-support/golden-vitest.js';
import type { HostMessage } from './host-protocol.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const golden = goldenBundlePath('short_2groups');

describeWithGolden('compute host: prefill.run', () => {
  it('runs the prefill benchmark behind the contract, with progress events and cancel', async () => {
    const sent: HostMessage[] = [];
    let listener: ((e: { data: unknown }) => void) | null = null;
    const waiters: (() => void)[] = [];
    (process as unknown as { parentPort: unknown }).parentPort = {
      on: (_event: 'message', l: (e: { data: unknown }) => void) => (listener = l),
      postMessage: (m: HostMessage) => {
        sent.push(m);
        waiters.splice(0).forEach((w) => w());
      },
    };
    const send = (data: unknown) => listener?.({ data });
    const reply = async (id: number): Promise<HostMessage & { kind: 'reply' }> => {
      for (;;) {
        const found = sent.find((m): m is HostMessage & { kind: 'reply' } => m.kind === 'reply' && m.id === id);
        if (found) return found;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    };
    process.env.OMNIZIP_APP_ROOT = repoRoot;
    process.env.OMNIZIP_STUDIO_HOME = await mkdtemp(path.join(os.tmpdir(), 'omz-compute-host-'));
    await import('./compute-host.js');

    send({ kind: 'call', id: 1, method: 'clip.openPath', params: { jobId: 'open', path: golden } });
    const opened = await reply(1);
    const clipId = opened.outcome.ok ? (opened.outcome.result as { clipId: string }).clipId : '';
    const params = (jobId: string, runs: number) => ({
      jobId,
      clipId,
      settings: [{ label: 'current', config: { rho_audio: 0.4, rho_video: 0.7 } }],
      model: { kind: 'demo', manifestPath: null, demoHiddenSize: 64, demoLayers: 1 },
      provider: 'cpu',
      runs,
      warmupRuns: 0,
    });
    send({ kind: 'call', id: 2, method: 'prefill.run', params: params('pf', 1) });
    const done = await reply(2);
    expect(done.outcome.ok).toBe(true);
    const rows = done.outcome.ok ? (done.outcome.result as { rows: { label: string; tokens: number; medianMs: number }[] }).rows : [];
    expect(rows.map((r) => r.label)).toEqual(['full', 'current']);
    expect(rows[1].tokens).toBeLessThan(rows[0].tokens);
    expect(sent.some((m) => m.kind === 'event' && m.event.jobId === 'pf' && m.event.stage.startsWith('full: run 1/1'))).toBe(true);

    // A malformed request never reaches the core.
    send({ kind: 'call', id: 3, method: 'prefill.run', params: { ...params('bad', 1), runs: -1 } });
    expect((await reply(3)).outcome).toMatchObject({ ok: false, error: { kind: 'bad-request' } });

    // Cancel through job.cancel once the long run is timing.
    send({ kind: 'call', id: 4, method: 'prefill.run', params: params('long', 100) });
    for (;;) {
      if (sent.some((m) => m.kind === 'event' && m.event.jobId === 'long' && /run \d+\/100/.test(m.event.stage))) break;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
    send({ kind: 'call', id: 5, method: 'job.cancel', params: { jobId: 'long' } });
    const cancelled = ((await reply(5)).outcome as { ok: boolean; result?: { cancelled: boolean } }).result?.cancelled ?? false;
    expect(cancelled).toBe(true);
    expect((await reply(4)).outcome).toMatchObject({ ok: false, error: { kind: 'cancelled' } });
  }, 60_000);
});
