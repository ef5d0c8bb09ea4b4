import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decoderAttentionProvenance, withDecoderAttention } from '../methods/fastv-provenance.js';
import { fastvAttention, type FastvDecoder } from '../methods/fastv-scores.js';
import { fastvAttentionInWorker } from '../methods/fastv-worker-client.js';
import { MethodUnavailableError } from '../methods/types.js';
import { ModelManifestError } from '../prefill/errors.js';
import { CancelledError, isCancelled } from '../protocol/errors.js';
import type { FastvDecoderInfo } from '../protocol/fastv-contract.js';
import { readBundle } from '../bundle/reader.js';
import type { FeatureBundle } from '../bundle/types.js';
import { createDefaultDeps } from './deps.js';
import { dispatch } from './dispatch.js';
import { RecentFiles } from './recent.js';
import { StudioSession } from './session.js';
import type { ClipSummary, PlanView } from '../protocol/contract.js';
import type { PrefillResultView } from '../protocol/prefill-contract.js';
import { prefillManifest } from '../../test-support/prefill-manifest.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shared = process.env.OMNIZIP_SHARED ?? path.resolve(repoRoot, '../shared');
const golden = (name: string) => path.join(shared, 'golden', name);

async function call<T>(session: StudioSession, method: string, params: unknown): Promise<T> {
  const outcome = await dispatch(session, method, params, () => undefined);
  if (!outcome.ok) throw new Error(`${outcome.error.kind}: ${outcome.error.message}`);
  return outcome.result as T;
}

describe('FastV in the studio', () => {
  it('runs the decoder once per clip and K (off the host loop), keeps OmniZip\'s counts and replans from the cache', async () => {
    const real = createDefaultDeps({ appRoot: repoRoot, version: 'test' });
    const runs: number[] = [];
    const deps = {
      ...real,
      // The real worker path, counted.
      fastvBundle: async (bundle: FeatureBundle, layer: number, decoder: FastvDecoder) => {
        runs.push(layer);
        const { row, source } = await fastvAttentionInWorker(bundle, layer, decoder);
        return withDecoderAttention(bundle, row, source);
      },
    };
    const session = new StudioSession(deps, new RecentFiles(null));
    const clip = await call<ClipSummary>(session, 'clip.openPath', { jobId: 'f1', path: golden('default_params.safetensors') });
    const omnizip = await call<PlanView>(session, 'plan.run', { clipId: clip.clipId, config: { rho_video: 0.6 } });
    const fastv = await call<PlanView>(session, 'plan.run', { clipId: clip.clipId, config: { rho_video: 0.6, method: 'fastv', fastv_layer: 2 } });
    expect(fastv.counts).toEqual(omnizip.counts);
    expect(fastv.notes.join(' ')).toMatch(/layer-2 attention from the last prompt position \(demo decoder\)/);
    // Two plans at once for a new K share one decoder run.
    await Promise.all([1, 2].map((i) => call<PlanView>(session, 'plan.run', { clipId: clip.clipId, config: { rho_video: 0.3 + 0.1 * i, method: 'fastv', fastv_layer: 1 } })));
    const again = await call<PlanView>(session, 'plan.run', { clipId: clip.clipId, config: { rho_video: 0.5, method: 'fastv', fastv_layer: 2 } });
    expect(again.counts.video.kept).toBeGreaterThan(fastv.counts.video.kept);
    expect(runs).toEqual([2, 1]);
    await call<PlanView>(session, 'plan.run', { clipId: clip.clipId, config: { method: 'fastv' } });
    expect(runs).toEqual([2, 1, 5]);
  });

  it('gives the same row in the worker as in this thread', async () => {
    const bundle = await readBundle(golden('default_params.safetensors'));
    const inWorker = await fastvAttentionInWorker(bundle, 3, { kind: 'demo' });
    const here = await fastvAttention(bundle, 3, { kind: 'demo' });
    expect(inWorker.source).toEqual(here.source);
    expect(Array.from(inWorker.row)).toEqual(Array.from(here.row));
    expect(decoderAttentionProvenance(bundle)).toBeUndefined();
  });

  it('brings the worker\'s errors back by kind as the core\'s classes, and cancels', async () => {
    const bundle = await readBundle(golden('default_params.safetensors'));
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fastv-worker-'));
    try {
      const manifest = path.join(dir, 'no-attention.json');
      await writeFile(
        manifest,
        JSON.stringify(prefillManifest({ hidden_size: 32, num_layers: 4, num_attention_heads: 4, intermediate_size: 64 })),
      );
      const unavailable = await fastvAttentionInWorker(bundle, 2, { kind: 'manifest', path: manifest }).catch((e: unknown) => e);
      expect(unavailable).toBeInstanceOf(MethodUnavailableError);
      expect((unavailable as MethodUnavailableError).kind).toBe('method-unavailable');
      expect((unavailable as Error).message).toMatch(/does not expose decoder attention/);
      const missing = await fastvAttentionInWorker(bundle, 2, { kind: 'manifest', path: path.join(dir, 'absent.json') }).catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(ModelManifestError);
      expect((missing as Error).message).toMatch(/cannot read model manifest .*absent\.json: ENOENT/);
      const controller = new AbortController();
      const running = fastvAttentionInWorker(bundle, 3, { kind: 'demo' }, { signal: controller.signal }).catch((e: unknown) => e);
      controller.abort();
      expect(isCancelled(await running)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the inference panel ranks FastV by the decoder it measures and splits after layer K', async () => {
    const session = new StudioSession(createDefaultDeps({ appRoot: repoRoot, version: 'test' }), new RecentFiles(null));
    const clip = await call<ClipSummary>(session, 'clip.openPath', { jobId: 'f2', path: golden('default_params.safetensors') });
    const config = { rho_audio: 0.4, rho_video: 0.7, method: 'fastv', fastv_layer: 1 };
    const result = await call<PrefillResultView>(session, 'prefill.run', {
      jobId: 'p',
      clipId: clip.clipId,
      settings: [{ label: 'fastv', config }],
      model: { kind: 'demo', manifestPath: null, demoHiddenSize: 64, demoLayers: 2 },
      provider: 'cpu',
      runs: 1,
      warmupRuns: 0,
    });
    const [full, fastv] = result.rows;
    expect(result.notes.join(' ')).toMatch(new RegExp(`layers 1\\.\\.1 on all ${full.tokens} tokens, layers 2\\.\\.2 on the ${fastv.tokens} kept ones`));
    // KV: every token in layer 1, the kept ones in layer 2 (2 kv heads x head dim 8 x float32, K and V).
    expect(fastv.kvCacheBytes).toBe(2 * 2 * 8 * 4 * (full.tokens + fastv.tokens));
  });

  it('fastv.decoder says what a choice gives: the demo decoder clamps K, a manifest without attention_output cannot', async () => {
    const session = new StudioSession(createDefaultDeps({ appRoot: repoRoot, version: 'test' }), new RecentFiles(null));
    const demo = await call<FastvDecoderInfo>(session, 'fastv.decoder', { decoder: { kind: 'demo', manifestPath: null }, layer: 5 });
    expect(demo).toMatchObject({ numLayers: 4, requestedLayer: 5, layer: 4, unavailable: null });
    expect(demo.name).toBe('demo decoder (d=512, 4 layers)');
    expect(demo.clampNote).toMatch(/^fastv_layer K=5 clamped to 4 of a 4-layer decoder/);
    const measured = await call<FastvDecoderInfo>(session, 'fastv.decoder', { decoder: { kind: 'demo', manifestPath: null }, layer: 5, demo: { hiddenSize: 256, numLayers: 2 } });
    expect(measured.clampNote).toMatch(/K=5 clamped to 2 of a 2-layer decoder/);
    const fits = await call<FastvDecoderInfo>(session, 'fastv.decoder', { decoder: { kind: 'demo', manifestPath: null }, layer: 3 });
    expect(fits).toMatchObject({ layer: 3, clampNote: null });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fastv-choice-'));
    try {
      const manifest = path.join(dir, 'no-attention.json');
      await writeFile(manifest, JSON.stringify(prefillManifest({ name: 'my decoder', hidden_size: 32, num_layers: 4, num_attention_heads: 4, intermediate_size: 64 })));
      const none = await call<FastvDecoderInfo>(session, 'fastv.decoder', { decoder: { kind: 'manifest', manifestPath: manifest }, layer: 5 });
      expect(none).toMatchObject({ numLayers: 4, layer: null });
      expect(none.unavailable).toMatch(/does not expose decoder attention; FastV needs an 'attention_output'/);
      const absent = await call<FastvDecoderInfo>(session, 'fastv.decoder', { decoder: { kind: 'manifest', manifestPath: path.join(dir, 'absent.json') }, layer: 5 });
      expect(absent.unavailable).toMatch(/ENOENT/);
      // The plan and the scores job refuse it with the same reason.
      const clip = await call<ClipSummary>(session, 'clip.openPath', { jobId: 'f3', path: golden('default_params.safetensors') });
      await expect(call(session, 'plan.run', { clipId: clip.clipId, config: { method: 'fastv' }, fastvDecoder: { kind: 'manifest', manifestPath: manifest } })).rejects.toThrow(/bad-config: .*attention_output/);
      await expect(call(session, 'fastv.scores', { jobId: 's0', clipId: clip.clipId, decoder: { kind: 'manifest', manifestPath: manifest }, layer: 5 })).rejects.toThrow(/bad-config: .*does not expose decoder attention/);
      await expect(call(session, 'plan.run', { clipId: clip.clipId, config: { method: 'fastv' }, fastvDecoder: { kind: 'manifest', manifestPath: null } })).rejects.toThrow(/bad-request: .*needs manifestPath/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fastv.scores is a job: progress, a cancel that stops the run, then cached scores and an instant plan', async () => {
    const real = createDefaultDeps({ appRoot: repoRoot, version: 'test' });
    let release: (() => void) | null = null;
    let runs = 0;
    const deps = {
      ...real,
      fastvBundle: (bundle: FeatureBundle, layer: number, decoder: FastvDecoder, signal?: AbortSignal) =>
        new Promise<FeatureBundle>((resolve, reject) => {
          runs++;
          signal?.addEventListener('abort', () => reject(new CancelledError('decoder run cancelled')));
          release = () => void fastvAttention(bundle, layer, decoder).then(({ row, source }) => resolve(withDecoderAttention(bundle, row, source)));
        }),
    };
    const session = new StudioSession(deps, new RecentFiles(null));
    const clip = await call<ClipSummary>(session, 'clip.openPath', { jobId: 'f4', path: golden('default_params.safetensors') });
    const stages: string[] = [];
    const run = (jobId: string) => dispatch(session, 'fastv.scores', { jobId, clipId: clip.clipId, decoder: { kind: 'demo', manifestPath: null }, layer: 2 }, (e) => void (e.jobId === jobId && stages.push(e.stage)));
    const first = run('s1');
    await new Promise((r) => setTimeout(r, 50));
    expect(stages.some((s) => /computing layer-2 attention: layers 1\.\.2 of the demo decoder \(d=512, 4 layers\) over \d+ tokens/.test(s))).toBe(true);
    await call(session, 'job.cancel', { jobId: 's1' });
    expect(await first).toMatchObject({ ok: false, error: { kind: 'cancelled' } });
    const second = run('s2');
    await new Promise((r) => setTimeout(r, 50));
    (release as unknown as () => void)();
    const done = await second;
    expect(done).toMatchObject({ ok: true, result: { cached: false, info: { layer: 2, clampNote: null } } });
    expect(stages.at(-1)).toBe('ready');
    const again = await call<{ cached: boolean }>(session, 'fastv.scores', { jobId: 's3', clipId: clip.clipId, decoder: { kind: 'demo', manifestPath: null }, layer: 2 });
    expect(again.cached).toBe(true);
    expect(runs).toBe(2);
    // The plan uses the cached row: no third run; FastV's FLOPs count its first K layers over every token.
    const omnizip = await call<PlanView>(session, 'plan.run', { clipId: clip.clipId, config: { rho_video: 0.6 } });
    const fastv = await call<PlanView>(session, 'plan.run', { clipId: clip.clipId, config: { rho_video: 0.6, method: 'fastv', fastv_layer: 2 } });
    expect(runs).toBe(2);
    expect(fastv.counts).toEqual(omnizip.counts);
    expect(fastv.budget.flopsSaved).toBeLessThan(omnizip.budget.flopsSaved);
  });
});
