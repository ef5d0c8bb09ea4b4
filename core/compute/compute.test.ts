import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeAnalysis } from '../analysis/cache.js';
import { OnnxAnalysisEngine } from '../analysis/onnx-engine.js';
import { speechActivityFor, speechRequestOf } from '../analysis/speech-activity.js';
import type { AnalyzeOptions } from '../analysis/types.js';
import { makeSyntheticBundle } from '../../test-support/synthetic/index.js';
import type { FeatureBundle } from '../bundle/types.js';
import { CancelledError } from '../protocol/errors.js';
import { ComputeClient } from './client.js';
import { audioNeighbourLists, buildNeighbourLists, hasAudioNeighbourLists, NEIGHBOUR_LIST_LENGTH } from '../planner/audio-neighbours.js';

const compute = new ComputeClient({ cache: false });
const inProcess = new OnnxAnalysisEngine({ provider: 'cpu' });
const engine = { analyze: (bundle: FeatureBundle, options: AnalyzeOptions) => compute.analysisEngine.analyze(bundle, { provider: 'cpu', ...options }) };
afterAll(async () => {
  await compute.dispose();
  await inProcess.dispose();
});

describe('compute worker: analysis', () => {
  it('gives the in-process result while the calling event loop keeps turning', async () => {
    const bundle = makeSyntheticBundle({ seconds: 30, hiddenSize: 512, tokensPerFrame: 64, seed: 4 });
    const fractions: number[] = [];
    let ticks = 0;
    const timer = setInterval(() => ticks++, 2);
    const started = performance.now();
    const got = await engine.analyze(bundle, { frameGeometries: [64, 32], onProgress: (p) => fractions.push(p.fraction) });
    const elapsed = performance.now() - started;
    clearInterval(timer);
    const expected = await inProcess.analyze(bundle, { frameGeometries: [64, 32] });
    expect(got.audioVideoMax).toEqual(expected.audioVideoMax);
    expect(got.frames[1].temporal).toEqual(expected.frames[1].temporal);
    expect(got.engine).toMatchObject({ engine: 'onnxruntime', provider: 'cpu' });
    expect(fractions.at(-1)).toBe(1);
    // The merge stage's neighbour lists came built with the analysis, as the host would build them.
    expect(hasAudioNeighbourLists(got)).toBe(true);
    expect(audioNeighbourLists(got)).toEqual(buildNeighbourLists(expected.audioSelfSimilarity, expected.numAudio, NEIGHBOUR_LIST_LENGTH));
    // The main loop was free: timers fired throughout (at least a quarter of the 2-ms slots).
    expect(ticks).toBeGreaterThan(elapsed / 8);
    // the caller's bundle is untouched (the worker got a transferred copy)
    expect(bundle.videoEmbeds.length).toBe(bundle.numVideo * bundle.hiddenSize);
  });

  it('cancels through AbortSignal (the worker stops between tiles), then serves the next analysis', async () => {
    const bundle = makeSyntheticBundle({ seconds: 20, hiddenSize: 256, tokensPerFrame: 64, seed: 6 });
    const controller = new AbortController();
    let progressed = false;
    const pending = engine.analyze(bundle, {
      frameGeometries: [64],
      signal: controller.signal,
      onProgress: () => {
        if (!progressed) {
          progressed = true;
          controller.abort();
        }
      },
    });
    await expect(pending).rejects.toThrow(CancelledError);
    const already = new AbortController();
    already.abort();
    await expect(engine.analyze(bundle, { frameGeometries: [64], signal: already.signal })).rejects.toThrow(CancelledError);
    const after = await engine.analyze(bundle, { frameGeometries: [64] });
    expect(after.frames[0].frameCount).toBe(bundle.numVideo / 64);
  });

  it('shuts the worker down cleanly and starts a new one on demand', async () => {
    const own = new ComputeClient({ cache: false });
    const bundle = makeSyntheticBundle({ seconds: 2, hiddenSize: 16, tokensPerFrame: 16 });
    await own.analysisEngine.analyze(bundle, { frameGeometries: [16], provider: 'cpu' });
    await own.dispose();
    expect((await own.analysisEngine.analyze(bundle, { frameGeometries: [16], provider: 'cpu' })).frames[0].frameCount).toBe(bundle.numVideo / 16);
    await own.dispose();
  });

  it('warms up ahead of the first clip (the analysis sessions), then analyses as without; a provider that cannot start fails the analysis, not the warm-up', async () => {
    const own = new ComputeClient({ cache: false });
    try {
      const bundle = makeSyntheticBundle({ seconds: 4, hiddenSize: 32, tokensPerFrame: 16, seed: 2 });
      await own.warm('cpu');
      const warmed = await own.analysisEngine.analyze(bundle, { frameGeometries: [16], provider: 'cpu' });
      const expected = await inProcess.analyze(bundle, { frameGeometries: [16] });
      expect(warmed.audioVideoMax).toEqual(expected.audioVideoMax);
      expect(warmed.frames[0].cosine).toEqual(expected.frames[0].cosine);
      // This machine kind has no CUDA provider library: the warm-up answers, the analysis says why.
      await expect(own.warm('cuda')).resolves.toBeUndefined();
      await expect(own.analysisEngine.analyze(bundle, { frameGeometries: [16], provider: 'cuda' })).rejects.toThrow(/cuda/);
    } finally {
      await own.dispose();
    }
  });

  it('the warm-up tells a first clip whose analysis is cached (it then opens no session) from one that is not', async () => {
    const { cachedAnalysisExists } = await import('./warm.js');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'omnizip-warm-cache-'));
    const previous = process.env.OMNIZIP_CACHE_DIR;
    process.env.OMNIZIP_CACHE_DIR = dir;
    try {
      const demo = fileURLToPath(new URL('../../assets/demo/demo.safetensors', import.meta.url));
      expect(await cachedAnalysisExists(demo)).toBe(false);
      expect(await cachedAnalysisExists(path.join(dir, 'missing.safetensors'))).toBe(false);
      const { parseBundle } = await import('../bundle/reader.js');
      const { requiredFrameGeometries } = await import('../planner/plan.js');
      const { analyzeWithCache, AnalysisCache } = await import('../analysis/cache.js');
      const bundle = parseBundle(await readFile(demo), 'demo.safetensors');
      await analyzeWithCache(bundle, inProcess, { frameGeometries: requiredFrameGeometries(bundle), cache: new AnalysisCache() });
      expect(await cachedAnalysisExists(demo)).toBe(true);
    } finally {
      if (previous === undefined) delete process.env.OMNIZIP_CACHE_DIR;
      else process.env.OMNIZIP_CACHE_DIR = previous;
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('writes the cache entry after answering, and a shutdown right after the answer still leaves it on disk', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'omnizip-compute-cache-'));
    const previous = process.env.OMNIZIP_CACHE_DIR;
    const restoreCacheDir = () => (previous === undefined ? delete process.env.OMNIZIP_CACHE_DIR : (process.env.OMNIZIP_CACHE_DIR = previous));
    process.env.OMNIZIP_CACHE_DIR = dir;
    const own = new ComputeClient();
    try {
      const bundle = makeSyntheticBundle({ seconds: 4, hiddenSize: 32, tokensPerFrame: 16, seed: 3 });
      // The worker starts with this call, with a copy of the environment as it is now.
      const analysing = own.analysisEngine.analyze(bundle, { frameGeometries: [16], provider: 'cpu' });
      restoreCacheDir();
      const first = await analysing;
      await own.dispose();
      const entries = (await readdir(dir)).filter((f) => f.endsWith('.ozanalysis'));
      expect(entries).toHaveLength(1);
      expect(decodeAnalysis(await readFile(path.join(dir, entries[0]))).audioVideoMax).toEqual(first.audioVideoMax);
      expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    } finally {
      await own.dispose();
      restoreCacheDir();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('passes worker-side errors back with their message', async () => {
    const bundle = makeSyntheticBundle({ seconds: 2, hiddenSize: 16, tokensPerFrame: 16 });
    const failing = engine.analyze({ ...bundle, numAudio: bundle.numAudio + 1 }, { frameGeometries: [16] });
    await expect(failing).rejects.toThrow(/audio embeddings hold/);
    await expect(failing).rejects.toMatchObject({ kind: 'bad-input' });
  });
});

describe('compute worker: speech reference', () => {
  it('runs Silero VAD in the worker with the in-process answer, leaving the caller its waveform', async () => {
    const bundle = makeSyntheticBundle({ seconds: 4, hiddenSize: 16, tokensPerFrame: 16, seed: 3, withWaveform: true });
    const request = speechRequestOf(bundle)!;
    const before = bundle.waveform!.slice();
    const inWorker = await compute.speechActivity(request);
    expect(Array.from(inWorker)).toEqual(Array.from(await speechActivityFor(request)));
    expect(inWorker).toHaveLength(bundle.numAudio);
    expect(bundle.waveform).toEqual(before);
    // A cancelled request fails as cancelled, and the worker serves the next one.
    const controller = new AbortController();
    const cancelled = compute.speechActivity(request, { signal: controller.signal });
    controller.abort();
    await expect(cancelled).rejects.toThrow();
    expect(Array.from(await compute.speechActivity(request))).toEqual(Array.from(inWorker));
  });
});
