import { mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { goldenBundlePath } from '../test-support/golden.js';
import { describeWithGolden } from '../test-support/golden-vitest.js';
import type { HostMessage } from './host-protocol.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const golden = goldenBundlePath('short_2groups');

/** Stands in for Electron's parentPort so the host's message handling runs under vitest. */
function fakeParentPort() {
  const sent: HostMessage[] = [];
  let listener: ((e: { data: unknown }) => void) | null = null;
  const waiters: (() => void)[] = [];
  return {
    sent,
    waiters,
    port: {
      on: (_event: 'message', l: (e: { data: unknown }) => void) => (listener = l),
      postMessage: (m: HostMessage) => {
        sent.push(m);
        waiters.splice(0).forEach((w) => w());
      },
    },
    send: (data: unknown) => listener?.({ data }),
    async reply(id: number): Promise<HostMessage & { kind: 'reply' }> {
      for (;;) {
        const found = sent.find((m): m is HostMessage & { kind: 'reply' } => m.kind === 'reply' && m.id === id);
        if (found) return found;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
  };
}

describeWithGolden('compute host', () => {
  it('answers contract calls and forwards progress events over the parent port', async () => {
    const fake = fakeParentPort();
    (process as unknown as { parentPort: unknown }).parentPort = fake.port;
    process.env.OMNIZIP_APP_ROOT = repoRoot;
    const home = await mkdtemp(path.join(os.tmpdir(), 'omz-compute-host-'));
    process.env.OMNIZIP_STUDIO_HOME = home;
    await import('./compute-host.js');

    fake.send({ kind: 'call', id: 1, method: 'clip.openPath', params: { jobId: 'h1', path: golden } });
    const opened = await fake.reply(1);
    expect(opened.outcome.ok).toBe(true);
    expect(fake.sent.some((m) => m.kind === 'event' && m.event.jobId === 'h1')).toBe(true);
    const clipId = opened.outcome.ok ? (opened.outcome.result as { clipId: string }).clipId : '';

    fake.send({ kind: 'call', id: 2, method: 'plan.run', params: { clipId, config: { rho_audio: 0.5, rho_video: 0.5 } } });
    const planned = await fake.reply(2);
    expect(planned.outcome.ok && (planned.outcome.result as { videoKeep: Uint8Array }).videoKeep).toBeInstanceOf(Uint8Array);

    fake.send({ kind: 'call', id: 3, method: 'shell.saveFile', params: {} });
    expect((await fake.reply(3)).outcome).toMatchObject({ ok: false, error: { kind: 'bad-request' } });

    // Quitting: main asks the host to shut down; the debounced save is on disk before it answers.
    const state = { config: { rho_video: 0.3 }, pinnedConfig: null, compareMode: 'off', prefill: [] };
    fake.send({ kind: 'call', id: 4, method: 'session.save', params: { clipId, state } });
    expect((await fake.reply(4)).outcome).toMatchObject({ ok: true });
    fake.send({ kind: 'shutdown' });
    for (;;) {
      if (fake.sent.some((m) => m.kind === 'shut-down')) break;
      await new Promise<void>((resolve) => fake.waiters.push(resolve));
    }
    expect(await readdir(path.join(home, 'sessions'))).toHaveLength(1);
  });
});
