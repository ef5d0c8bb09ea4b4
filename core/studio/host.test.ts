import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { HostMethod, Params, Result } from '../protocol/contract.js';
import { dispatch } from './dispatch.js';
import { createStudioHost, type StudioHost } from './host.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function call<M extends HostMethod>(host: StudioHost, method: M, params: Params<M>): Promise<Result<M>> {
  const outcome = await dispatch(host.session, method, params, () => {});
  if (!outcome.ok) throw new Error(`${method}: ${outcome.error.message}`);
  return outcome.result as Result<M>;
}

describe('createStudioHost', () => {
  it('shutdown writes a still-debounced session save to the state folder', async () => {
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'omz-host-'));
    const host = createStudioHost({ appRoot: repoRoot, version: 'test', stateDir });
    const clip = await call(host, 'clip.openDemo', { jobId: 'd' });
    const state = { config: { rho_video: 0.42 }, pinnedConfig: null, compareMode: 'off' as const, prefill: [] };
    await call(host, 'session.save', { clipId: clip.clipId, state });
    // The save waits out its debounce: nothing is on disk yet.
    expect(await readdir(path.join(stateDir, 'sessions')).catch(() => [])).toEqual([]);
    await host.shutdown();
    const files = await readdir(path.join(stateDir, 'sessions'));
    expect(files).toHaveLength(1);
    const saved = JSON.parse(await readFile(path.join(stateDir, 'sessions', files[0]), 'utf8')) as { state: unknown };
    expect(saved.state).toEqual(state);
    await host.shutdown(); // a second call is harmless
  }, 60_000);
});
