import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ClipSummary } from '../protocol/contract.js';
import { hostMethods } from '../protocol/contract.js';
import { createDefaultDeps } from './deps.js';
import { dispatch } from './dispatch.js';
import { RecentFiles } from './recent.js';
import { SessionStore } from './session-store.js';
import { StudioSession } from './session.js';
import type { SavedSession } from '../protocol/session-contract.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const HASH = 'ab'.repeat(32);

const row = (label: string, isFull: boolean) => ({
  label, isFull, tokens: isFull ? 3500 : 1700, audioVideoTokens: 3000, medianMs: 12.5, p95Ms: 13, minMs: 12, maxMs: 14, samplesMs: [12, 13],
  peakMemoryBytes: 1e8, memoryIncreaseBytes: 2e7, memoryBaselineBytes: 8e7, peakCounter: 'VmHWM', deviceBytes: null, kvCacheBytes: 1e6,
  retentionSequence: isFull ? null : 0.48, retentionAudioVideo: isFull ? null : 0.45, speedupMedian: isFull ? null : 2.1, speedupP95: isFull ? null : 2,
  flopsSpeedup: isFull ? null : 2.3, flopsSpeedupAudioVideo: isFull ? null : 2.5, memoryRatio: isFull ? null : 1.9, klDivergence: isFull ? null : 0.01,
  top1Agreement: isFull ? null : 1, top5Overlap: isFull ? null : 0.8, hiddenCosine: isFull ? null : 0.99,
});

function sampleState(rhoVideo = 0.7): SavedSession {
  return {
    config: { rho_audio: 0.3, rho_video: rhoVideo },
    pinnedConfig: { rho_audio: 0.4, rho_video: 0.7 },
    compareMode: 'pinned',
    prefill: [{
      id: 1,
      finishedAt: '2026-01-01T00:00:00.000Z',
      result: {
        clipName: 'demo.safetensors',
        model: { name: 'demo decoder', source: 'demo', hiddenSize: 256, numLayers: 2, inputProjection: [512, 256], caveat: 'demo' },
        provider: { name: 'cpu', device: 'cpu' },
        runs: 1, warmupRuns: 0,
        settings: [{ label: 'current', config: { rho_video: rhoVideo } }],
        rows: [row('full', true), row('current', false)],
        notes: [], wallMs: 900,
      },
    }],
  };
}

const tempDir = () => mkdtemp(path.join(os.tmpdir(), 'omz-sessions-'));

afterEach(() => vi.useRealTimers());

describe('session store', () => {
  it('round-trips a state through an atomic JSON file per content hash', async () => {
    const dir = await tempDir();
    const store = new SessionStore(dir, 5);
    store.save(HASH, sampleState());
    await store.flush();
    expect(await readdir(dir)).toEqual([`${HASH}.json`]);
    const file = JSON.parse(await readFile(path.join(dir, `${HASH}.json`), 'utf8'));
    expect(file).toMatchObject({ format: 'omnizip-studio-session', version: 1, contentHash: HASH });
    // A new store (a restarted host) reads it back exactly.
    const loaded = await new SessionStore(dir).load(HASH);
    expect(loaded.problem).toBeNull();
    expect(loaded.state).toEqual(sampleState());
    expect(await new SessionStore(dir).load('cd'.repeat(32))).toEqual({ state: null, savedAt: null, problem: null });
  });

  it('debounces: a burst of saves is one write of the last state, and a load before it answers the latest', async () => {
    vi.useFakeTimers();
    const dir = await tempDir();
    const store = new SessionStore(dir, 300);
    for (let i = 0; i < 20; i++) store.save(HASH, sampleState(0.5 + i / 100));
    await vi.advanceTimersByTimeAsync(250);
    expect(await readdir(dir)).toEqual([]);
    expect((await store.load(HASH)).state?.config.rho_video).toBeCloseTo(0.69);
    store.save(HASH, sampleState(0.8));
    await vi.advanceTimersByTimeAsync(250);
    expect(await readdir(dir)).toEqual([]);
    await vi.advanceTimersByTimeAsync(100);
    vi.useRealTimers();
    await store.flush();
    const file = JSON.parse(await readFile(path.join(dir, `${HASH}.json`), 'utf8'));
    expect(file.state.config.rho_video).toBe(0.8);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('ignores a corrupt file with a note naming it, and replaces it on the next save', async () => {
    const dir = await tempDir();
    const file = path.join(dir, `${HASH}.json`);
    for (const [body, reason] of [
      ['{"format":"omnizip-studio-session", trunc', /not valid JSON/],
      [JSON.stringify({ format: 'omnizip-studio-session', version: 1, contentHash: HASH, savedAt: 'x', state: { config: {}, pinnedConfig: null, compareMode: 'sideways', prefill: [] } }), /state\.compareMode/],
      [JSON.stringify({ format: 'omnizip-studio-session', version: 1, contentHash: HASH, savedAt: 'x', state: { config: { rho_video: 7 }, pinnedConfig: null, compareMode: 'off', prefill: [] } }), /rho_video/],
      [JSON.stringify({ format: 'omnizip-studio-session', version: 1, contentHash: 'cd'.repeat(32), savedAt: 'x', state: sampleState() }), /belongs to clip/],
    ] as const) {
      await writeFile(file, body);
      const loaded = await new SessionStore(dir).load(HASH);
      expect(loaded.state).toBeNull();
      expect(loaded.problem).toMatch(new RegExp(`${HASH}\\.json`));
      expect(loaded.problem).toMatch(reason);
    }
    const store = new SessionStore(dir, 5);
    store.save(HASH, sampleState());
    await store.flush();
    expect((await new SessionStore(dir).load(HASH)).state).toEqual(sampleState());
  });

  it('clear drops a pending save and removes the file', async () => {
    const dir = await tempDir();
    const store = new SessionStore(dir, 5);
    store.save(HASH, sampleState());
    await store.flush();
    store.save(HASH, sampleState(0.9));
    expect(await store.clear(HASH)).toBe(true);
    await store.flush();
    expect(await readdir(dir)).toEqual([]);
    expect((await store.load(HASH)).state).toBeNull();
  });

  it('refuses a key that is not a content hash (no path tricks)', () => {
    expect(() => new SessionStore('/tmp').save('../../etc/passwd', sampleState())).toThrow(/not a content hash/);
  });
});

describe('session.save / session.reset and the restored open', () => {
  it('validates session.save params at the contract', () => {
    const params = hostMethods['session.save'].params;
    expect(params.parse({ clipId: 'c1', state: sampleState() })).toEqual({ clipId: 'c1', state: sampleState() });
    expect(() => params.parse({ clipId: 'c1', state: { ...sampleState(), extra: 1 } })).toThrow(/unexpected key 'extra'/);
    expect(() => params.parse({ clipId: 'c1', state: { ...sampleState(), compareMode: 'x' } })).toThrow(/state\.compareMode/);
    const withReport = { ...sampleState(), prefill: [{ ...sampleState().prefill[0], result: { ...sampleState().prefill[0].result, reportJson: '{}' } }] };
    expect(() => params.parse({ clipId: 'c1', state: withReport })).toThrow(/unexpected key 'reportJson'/);
    expect(() => params.parse({ clipId: 'c1', state: { ...sampleState(), prefill: Array(51).fill(sampleState().prefill[0]) } })).toThrow(/longer than 50/);
  });

  it('restores the saved state when the same clip is opened again by a new host, and reset clears it', async () => {
    const dir = await tempDir();
    const deps = createDefaultDeps({ appRoot: repoRoot, version: 'test' });
    const host = () => new StudioSession(deps, new RecentFiles(null), new SessionStore(dir, 5));
    const call = async <T,>(session: StudioSession, method: string, params: unknown): Promise<T> => {
      const outcome = await dispatch(session, method, params, () => undefined);
      if (!outcome.ok) throw new Error(`${outcome.error.kind}: ${outcome.error.message}`);
      return outcome.result as T;
    };
    const first = host();
    const clip = await call<ClipSummary>(first, 'clip.openDemo', { jobId: 'j1' });
    expect(clip.restored).toBeUndefined();
    await call(first, 'session.save', { clipId: clip.clipId, state: sampleState() });
    await first.flushSessions();

    const second = host();
    const again = await call<ClipSummary>(second, 'clip.openDemo', { jobId: 'j2' });
    expect(again.restored?.state).toEqual(sampleState());
    expect(await call(second, 'session.reset', { clipId: again.clipId })).toEqual({ cleared: true });
    expect((await call<ClipSummary>(host(), 'clip.openDemo', { jobId: 'j3' })).restored).toBeUndefined();

    // A damaged file: the open still succeeds, with a note; the next save replaces the file.
    const third = host();
    const reopened = await call<ClipSummary>(third, 'clip.openDemo', { jobId: 'j4' });
    await call(third, 'session.save', { clipId: reopened.clipId, state: sampleState() });
    await third.flushSessions();
    const [hash] = await readdir(dir);
    await writeFile(path.join(dir, hash), '\u0000garbage');
    const damaged = await call<ClipSummary>(host(), 'clip.openDemo', { jobId: 'j5' });
    expect(damaged.restored).toBeUndefined();
    expect(damaged.sessionNote).toMatch(/Saved settings for this clip were ignored .*not valid JSON/);
    const fourth = host();
    const fresh = await call<ClipSummary>(fourth, 'clip.openDemo', { jobId: 'j6' });
    await call(fourth, 'session.save', { clipId: fresh.clipId, state: sampleState(0.65) });
    await fourth.flushSessions();
    expect((await call<ClipSummary>(host(), 'clip.openDemo', { jobId: 'j7' })).restored?.state.config.rho_video).toBe(0.65);
  }, 60_000);
});
