import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { goldenDir } from '../../test-support/golden.js';
import { itWithGolden } from '../../test-support/golden-vitest.js';
import { parseSafetensors } from '../bundle/safetensors.js';
import { withDecoderAttention } from '../methods/fastv-provenance.js';
import { fastvAttention } from '../methods/fastv-scores.js';
import { createDefaultDeps } from './deps.js';
import { dispatch } from './dispatch.js';
import { RecentFiles } from './recent.js';
import { StudioSession } from './session.js';
import type { AnalysisEngine } from '../analysis/types.js';
import { ProviderUnavailableError } from '../onnx/session.js';
import type { ClipSummary, PlanView, ProgressEvent } from '../protocol/contract.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const golden = (name: string) => path.join(goldenDir(), name);

function newSession(recentFile: string | null = null) {
  return new StudioSession(createDefaultDeps({ appRoot: repoRoot, version: 'test' }), new RecentFiles(recentFile));
}

async function call<T>(session: StudioSession, method: string, params: unknown, events: ProgressEvent[] = []): Promise<T> {
  const outcome = await dispatch(session, method, params, (e) => events.push(e));
  if (!outcome.ok) throw new Error(`${outcome.error.kind}: ${outcome.error.message}`);
  return outcome.result as T;
}

describe('studio session', () => {
  itWithGolden('opens a golden bundle, plans its config and matches the official counts and ratios', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'omz-session-'));
    const session = newSession(path.join(dir, 'recent.json'));
    const events: ProgressEvent[] = [];
    const clip = await call<ClipSummary>(session, 'clip.openPath', { jobId: 'j1', path: golden('default_params.safetensors') }, events);
    expect(clip.numAudio).toBeGreaterThan(0);
    expect(events.at(-1)).toMatchObject({ type: 'job.progress', jobId: 'j1', fraction: 1 });
    const expected = JSON.parse(await readFile(golden('default_params.expected.json'), 'utf8'));
    const plan = await call<PlanView>(session, 'plan.run', { clipId: clip.clipId, config: expected.config });
    expect(plan.counts).toEqual(expected.counts);
    expect(plan.groups.map((g) => g.ratio_final)).toEqual(expected.groups.map((g: { ratio_final: number | null }) => g.ratio_final));
    expect(plan.audioFate.length).toBe(clip.numAudio);
    expect(plan.budget.kept).toBe(expected.counts.audio.kept + expected.counts.video.kept);
    const recent = JSON.parse(await readFile(path.join(dir, 'recent.json'), 'utf8'));
    expect(recent[0].path).toBe(golden('default_params.safetensors'));
  });

  itWithGolden('builds every export from the same plan', async () => {
    const session = newSession();
    const clip = await call<ClipSummary>(session, 'clip.openPath', { jobId: 'j2', path: golden('readme_eval.safetensors') });
    const config = { rho_audio: 0.4, rho_video: 0.7 };
    const plan = await call<PlanView>(session, 'plan.run', { clipId: clip.clipId, config });
    const build = (kind: string) => call<{ fileName: string; bytes: Uint8Array }>(session, 'export.build', { clipId: clip.clipId, config, kind });
    const text = async (kind: string) => new TextDecoder().decode((await build(kind)).bytes);
    expect(await text('config-yaml')).toMatch(/^rho_audio: 0\.4$/m);
    expect(JSON.parse(await text('config-json'))).toMatchObject({ rho_audio: 0.4, rho_video: 0.7, g: 3 });
    const flags = await text('flags');
    expect(flags).toContain('--rho_audio 0.4 --rho_video 0.7 --g 3 --contextual_ratio 0.05');
    expect(flags).toContain('OMNIZIP_RHO_VIDEO=0.7');
    const doc = JSON.parse(await text('plan-json'));
    expect(doc.counts).toEqual(plan.counts);
    const masks = parseSafetensors((await build('masks')).bytes, 'masks');
    const videoKeep = masks.tensors.get('video_keep');
    expect(videoKeep?.shape).toEqual([clip.numVideo]);
    expect(videoKeep?.bytes.reduce((a, b) => a + b, 0)).toBe(plan.counts.video.kept);
    expect(masks.tensors.get('sequence_keep')?.bytes.reduce((a, b) => a + b, 0)).toBe(plan.counts.sequence.kept);
    expect(JSON.parse(masks.metadata.omnizip)).toMatchObject({ format: 'omnizip-masks', config: { rho_video: 0.7 } });
  });

  itWithGolden('reports a corrupt file clearly and keeps the open clip usable', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'omz-bad-'));
    const bad = path.join(dir, 'corrupt.safetensors');
    await writeFile(bad, 'this is not a safetensors file at all');
    const session = newSession();
    const clip = await call<ClipSummary>(session, 'clip.openPath', { jobId: 'j3', path: golden('short_2groups.safetensors') });
    const outcome = await dispatch(session, 'clip.openPath', { jobId: 'j4', path: bad }, () => {});
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.error.kind).toBe('bad-file');
      expect(outcome.error.message).toContain('corrupt.safetensors');
    }
    const bytes = await dispatch(session, 'clip.openBytes', { jobId: 'j5', name: 'upload.safetensors', bytes: new Uint8Array([1, 2, 3]) }, () => {});
    expect(bytes.ok).toBe(false);
    const plan = await call<PlanView>(session, 'plan.run', { clipId: clip.clipId, config: {} });
    expect(plan.counts.audio.total).toBe(clip.numAudio);
  });

  it('names an uploaded media file by its own name when the encoders refuse it, not by its temp path', async () => {
    let seen = '';
    const deps = {
      ...createDefaultDeps({ appRoot: repoRoot, version: 'test' }),
      encodeMedia: async (file: string) => {
        seen = file;
        throw new Error(`${file}: not readable media (Invalid data found when processing input)`);
      },
    };
    const session = new StudioSession(deps, new RecentFiles(null));
    const outcome = await dispatch(session, 'clip.openBytes', { jobId: 'm1', name: 'holiday.mp4', bytes: new TextEncoder().encode('plain text') }, () => {});
    expect(seen).toContain('omnizip-upload-');
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.error.kind).toBe('bad-file');
      expect(outcome.error.message).toBe('cannot open holiday.mp4: holiday.mp4: not readable media (Invalid data found when processing input)');
    }
  });

  itWithGolden('refuses bad configs, unknown clips and unknown methods with their own kinds', async () => {
    const session = newSession();
    const clip = await call<ClipSummary>(session, 'clip.openPath', { jobId: 'j6', path: golden('short_1group.safetensors') });
    const badConfig = await dispatch(session, 'plan.run', { clipId: clip.clipId, config: { rho_audio: 2 } }, () => {});
    expect(badConfig).toMatchObject({ ok: false, error: { kind: 'bad-config' } });
    const unknownClip = await dispatch(session, 'plan.run', { clipId: 'nope', config: {} }, () => {});
    expect(unknownClip).toMatchObject({ ok: false, error: { kind: 'unknown-clip' } });
    const unknownMethod = await dispatch(session, 'fs.readFile', {}, () => {});
    expect(unknownMethod).toMatchObject({ ok: false, error: { kind: 'bad-request' } });
  });

  itWithGolden("answers each preset's budget in one small call without displacing the current plan", async () => {
    const real = createDefaultDeps({ appRoot: repoRoot, version: 'test' });
    let plans = 0;
    const session = new StudioSession({ ...real, planClip: (...args) => (plans++, real.planClip(...args)) }, new RecentFiles(null));
    const clip = await call<ClipSummary>(session, 'clip.openPath', { jobId: 'jb', path: golden('default_params.safetensors') });
    const current = { rho_audio: 0.4, rho_video: 0.7 };
    const configs = [{ rho_audio: 0.3, rho_video: 0.6 }, { ...current, g: 15 }, { rho_video: 7 }];
    const before = await call<PlanView>(session, 'plan.run', { clipId: clip.clipId, config: current });
    const { budgets } = await call<{ budgets: { budget: PlanView['budget'] | null; error: string | null }[] }>(session, 'plan.budgets', { clipId: clip.clipId, configs });
    expect(budgets).toHaveLength(3);
    for (const [k, config] of configs.slice(0, 2).entries()) {
      expect(budgets[k]).toEqual({ budget: (await call<PlanView>(session, 'plan.run', { clipId: clip.clipId, config })).budget, error: null });
    }
    expect(budgets[2]).toEqual({ budget: null, error: expect.stringMatching(/rho_video.*\[0, 1\]/) });
    // The last setting planned (configs[1]) is kept through other configs' budgets: asking for it again plans nothing.
    const planned = plans;
    await call<PlanView>(session, 'plan.budgets', { clipId: clip.clipId, configs: [configs[0], { rho_audio: 0.2 }] });
    const again = await call<PlanView>(session, 'plan.run', { clipId: clip.clipId, config: configs[1] });
    expect(plans).toBe(planned + 2);
    expect(again.budget).toEqual(budgets[1].budget);
    expect(before.budget.kept).toBe(before.counts.audio.kept + before.counts.video.kept);
  });

  itWithGolden('warms the planner after a clip\'s first plan, in idle time only, without displacing the current plan', async () => {
    const real = createDefaultDeps({ appRoot: repoRoot, version: 'test' });
    const planned: Record<string, unknown>[] = [];
    let releaseDecoder: () => void = () => undefined;
    const decoderHeld = new Promise<void>((resolve) => (releaseDecoder = resolve));
    const session = new StudioSession(
      {
        ...real,
        replanWarmup: 6,
        planClip: (bundle, analysis, config) => (planned.push({ rho_video: config.rho_video, rho_audio: config.rho_audio, method: config.method }), real.planClip(bundle, analysis, config)),
        // A FastV plan's decoder run keeps its request in flight until the test releases it.
        fastvBundle: async (bundle, layer, decoder) => {
          await decoderHeld;
          const { row, source } = await fastvAttention(bundle, layer, decoder);
          return withDecoderAttention(bundle, row, source);
        },
      },
      new RecentFiles(null),
    );
    const clip = await call<ClipSummary>(session, 'clip.openPath', { jobId: 'jw', path: golden('default_params.safetensors') });
    const current = { rho_audio: 0.4, rho_video: 0.7 };
    const first = await call<PlanView>(session, 'plan.run', { clipId: clip.clipId, config: current });
    expect(planned).toHaveLength(1);
    // A request in flight holds the warm-up back.
    const held = dispatch(session, 'plan.run', { clipId: clip.clipId, config: { method: 'fastv', fastv_layer: 2 } }, () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(planned).toHaveLength(1);
    releaseDecoder();
    expect((await held).ok).toBe(true);
    await expect.poll(() => planned.length, { timeout: 5000 }).toBe(2 + 6);
    const warm = planned.slice(2);
    expect(new Set(warm.map((c) => `${String(c.rho_video)}|${String(c.rho_audio)}`)).size).toBeGreaterThan(3);
    for (const c of warm) {
      expect(c.method).toBe('omnizip');
      expect(Math.abs((c.rho_video as number) - 0.7)).toBeLessThanOrEqual(0.12 + 1e-9);
      expect(Math.abs((c.rho_audio as number) - 0.4)).toBeLessThanOrEqual(0.1 + 1e-9);
    }
    // Once per clip, and the plan the views share is still the user's: asking again plans nothing.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(planned).toHaveLength(8);
    await call<PlanView>(session, 'plan.run', { clipId: clip.clipId, config: { method: 'fastv', fastv_layer: 2 } });
    expect(planned).toHaveLength(8);
    expect((await call<PlanView>(session, 'plan.run', { clipId: clip.clipId, config: current })).budget).toEqual(first.budget);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(planned).toHaveLength(9);
  });

  it('opens the shipped demo bundle with waveform data', async () => {
    const session = newSession();
    const clip = await call<ClipSummary>(session, 'clip.openDemo', { jobId: 'j7' });
    expect(clip.numAudio).toBeGreaterThan(0);
    expect(clip.numVideo).toBeGreaterThan(0);
    const data = await call<{ audioScores: Float32Array; waveformMin: Float32Array }>(session, 'clip.data', { clipId: clip.clipId });
    expect(data.audioScores.length).toBe(clip.numAudio);
    if (clip.hasWaveform) expect(data.waveformMin.length).toBeGreaterThan(0);
  });
});

describe('studio session jobs', () => {
  itWithGolden('cancels a running analysis and reports it as cancelled', async () => {
    const real = createDefaultDeps({ appRoot: repoRoot, version: 'test' });
    let started!: () => void;
    const analysing = new Promise<void>((resolve) => (started = resolve));
    const session = new StudioSession(
      {
        ...real,
        engine: {
          name: 'waits-for-abort',
          analyze: (_bundle, options) =>
            new Promise((_resolve, reject) => {
              started();
              options.signal?.addEventListener('abort', () => reject(new Error('aborted')));
            }),
        },
      },
      new RecentFiles(null),
    );
    const opening = dispatch(session, 'clip.openPath', { jobId: 'slow', path: golden('short_1group.safetensors') }, () => {});
    await analysing;
    expect(await call(session, 'job.cancel', { jobId: 'slow' })).toEqual({ cancelled: true });
    expect(await opening).toMatchObject({ ok: false, error: { kind: 'cancelled' } });
    expect(await call(session, 'job.cancel', { jobId: 'slow' })).toEqual({ cancelled: false });
  });
});

describe('studio session provider choice', () => {
  /** The real engine, except that webgpu cannot start (as on a machine without a GPU adapter). */
  function sessionWithoutWebgpu(requested: (string | undefined)[]) {
    const real = createDefaultDeps({ appRoot: repoRoot, version: 'test' });
    const engine: AnalysisEngine = {
      name: 'no-webgpu',
      analyze: (bundle, options) => {
        requested.push(options.provider);
        if (options.provider === 'webgpu') {
          return Promise.reject(new ProviderUnavailableError('webgpu', 'Failed to get a WebGPU adapter: No supported adapters'));
        }
        return real.engine.analyze(bundle, options);
      },
    };
    return new StudioSession({ ...real, engine }, new RecentFiles(null));
  }

  itWithGolden('a provider that cannot start is a clear error and the clip keeps its previous analysis', async () => {
    const requested: (string | undefined)[] = [];
    const session = sessionWithoutWebgpu(requested);
    const clip = await call<ClipSummary>(session, 'clip.openPath', { jobId: 'p1', path: golden('short_2groups.safetensors') });
    const outcome = await dispatch(session, 'clip.reanalyze', { jobId: 'p2', clipId: clip.clipId, provider: 'webgpu' }, () => {});
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'provider-unavailable' } });
    if (!outcome.ok) {
      expect(outcome.error.message).toContain('cannot analyse short_2groups.safetensors on provider webgpu');
      expect(outcome.error.message).toContain('No supported adapters');
      expect(outcome.error.message).toContain(`the previous analysis (provider ${clip.engine.provider}`);
    }
    const plan = await call<PlanView>(session, 'plan.run', { clipId: clip.clipId, config: {} });
    expect(plan.counts.audio.total).toBe(clip.numAudio);
    // The failed choice does not stick: the next open is analysed on the previous choice again.
    await call<ClipSummary>(session, 'clip.openPath', { jobId: 'p3', path: golden('short_1group.safetensors') });
    expect(requested).toEqual(['auto', 'webgpu', 'auto']);
  });

  itWithGolden('re-analyses on a forced provider under a new clip id, reports it, and keeps it for later opens', async () => {
    const requested: (string | undefined)[] = [];
    const session = sessionWithoutWebgpu(requested);
    const clip = await call<ClipSummary>(session, 'clip.openPath', { jobId: 'p4', path: golden('short_2groups.safetensors') });
    const before = await call<PlanView>(session, 'plan.run', { clipId: clip.clipId, config: {} });
    const events: ProgressEvent[] = [];
    const again = await call<ClipSummary>(session, 'clip.reanalyze', { jobId: 'p5', clipId: clip.clipId, provider: 'cpu' }, events);
    expect(again.clipId).not.toBe(clip.clipId);
    expect(again).toMatchObject({ name: clip.name, path: clip.path, numAudio: clip.numAudio, numVideo: clip.numVideo });
    expect(again.engine.provider).toBe('cpu');
    expect(again.engine.device).toMatch(/CPU/);
    expect(events.map((e) => e.stage)).toContain('analysing on cpu');
    expect(events.at(-1)).toMatchObject({ fraction: 1 });
    expect((await call<PlanView>(session, 'plan.run', { clipId: again.clipId, config: {} })).counts).toEqual(before.counts);
    expect(await dispatch(session, 'plan.run', { clipId: clip.clipId, config: {} }, () => {})).toMatchObject({ ok: false, error: { kind: 'unknown-clip' } });
    expect((await call<{ engine: { provider: string } }>(session, 'app.info', {})).engine.provider).toBe('cpu');
    await call<ClipSummary>(session, 'clip.openPath', { jobId: 'p6', path: golden('short_1group.safetensors') });
    expect(requested).toEqual(['auto', 'cpu', 'cpu']);
  });

  it('refuses a provider outside the list before it reaches the session', async () => {
    const session = newSession();
    const outcome = await dispatch(session, 'clip.reanalyze', { jobId: 'p7', clipId: 'abc', provider: 'tpu' }, () => {});
    expect(outcome).toMatchObject({ ok: false });
    if (!outcome.ok) expect(outcome.error.message).toMatch(/provider/);
  });
});
