import { afterAll, describe, expect, it } from 'vitest';
import { readBundle } from '../bundle/reader.js';
import { makeSyntheticBundle } from '../../test-support/synthetic/index.js';
import type { FeatureBundle } from '../bundle/types.js';
import { resolveConfig } from '../config/validate.js';
import { toPlanDocument } from '../planner/document.js';
import { planClip, requiredFrameGeometries } from '../planner/plan.js';
import { goldenAvailable, goldenBundlePath, goldenCaseNames, readGoldenExpected } from '../../test-support/golden.js';
import { describeWithGolden } from '../../test-support/golden-vitest.js';
import { AnalysisAbortError, AnalysisInputError, OnnxAnalysisEngine } from './onnx-engine.js';
import { analyzeReference } from './reference.js';
import type { ClipAnalysis } from './types.js';

/** Similarities are cosines in [-1, 1]: float32 accumulation over D <= 3584 stays well inside this. */
const SIMILARITY_TOLERANCE = 1e-4;
/** Squared distances scale with ‖x‖²: compare relative to the largest entry of the frame set. */
const DISTANCE_RELATIVE_TOLERANCE = 1e-5;

// Small tiles so every tiling path (several tiles, tails, diagonal blocks) runs on small clips.
const engine = new OnnxAnalysisEngine({ provider: 'cpu', videoTileTokens: 40, audioBlockRows: 64, frameTileTokens: 48, pairRows: 100 });
afterAll(() => engine.dispose());

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, what: string): number {
  expect(a.length, `${what} length`).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    expect(Number.isNaN(x), `${what}[${i}] NaN-ness`).toBe(Number.isNaN(y));
    if (!Number.isNaN(x)) worst = Math.max(worst, Math.abs(x - y));
  }
  return worst;
}

function expectAnalysesMatch(got: ClipAnalysis, ref: ClipAnalysis): void {
  expect([got.numAudio, got.numVideo, got.hiddenSize, got.primaryTokensPerFrame, got.analysisVersion]).toEqual([
    ref.numAudio,
    ref.numVideo,
    ref.hiddenSize,
    ref.primaryTokensPerFrame,
    ref.analysisVersion,
  ]);
  expect(Array.from(got.audioOrder)).toEqual(Array.from(ref.audioOrder));
  expect(maxAbsDiff(got.audioSelfSimilarity, ref.audioSelfSimilarity, 'audioSelfSimilarity')).toBeLessThan(SIMILARITY_TOLERANCE);
  expect(maxAbsDiff(got.audioVideoMax, ref.audioVideoMax, 'audioVideoMax')).toBeLessThan(SIMILARITY_TOLERANCE);
  expect(maxAbsDiff(got.audioFrameMax, ref.audioFrameMax, 'audioFrameMax')).toBeLessThan(SIMILARITY_TOLERANCE);
  expect(got.frames.map((f) => [f.tokensPerFrame, f.frameCount])).toEqual(ref.frames.map((f) => [f.tokensPerFrame, f.frameCount]));
  got.frames.forEach((f, k) => {
    const r = ref.frames[k];
    expect(maxAbsDiff(f.cosine, r.cosine, `frames[${k}].cosine`)).toBeLessThan(SIMILARITY_TOLERANCE);
    expect(maxAbsDiff(f.temporal, r.temporal, `frames[${k}].temporal`)).toBeLessThan(SIMILARITY_TOLERANCE);
    const scale = Math.max(1, ...r.squaredDistance);
    expect(maxAbsDiff(f.squaredDistance, r.squaredDistance, `frames[${k}].squaredDistance`) / scale).toBeLessThan(DISTANCE_RELATIVE_TOLERANCE);
  });
  expect(got.engine).toMatchObject({ engine: 'onnxruntime', provider: 'cpu' });
  expect(got.engine.device).toMatch(/^CPU: /);
}

describe('OnnxAnalysisEngine equals the TypeScript reference', () => {
  it('on a synthetic clip with a tail past the last whole frame and nested geometries', async () => {
    const base = makeSyntheticBundle({ seconds: 6, hiddenSize: 96, tokensPerFrame: 16, seed: 11 });
    // Drop 5 video tokens so the last frame is partial: those tokens count only for audioVideoMax.
    const nv = base.numVideo - 5;
    const bundle: FeatureBundle = { ...base, numVideo: nv, videoEmbeds: base.videoEmbeds.subarray(0, nv * base.hiddenSize) };
    const geometries = [16, 8, 4, 16, 5, 1000];
    expectAnalysesMatch(await engine.analyze(bundle, { frameGeometries: geometries }), analyzeReference(bundle, geometries));
  });

  it('on an audio-only and a video-only clip', async () => {
    for (const options of [{ videoSeconds: 0 }, { audioSeconds: 0 }]) {
      const bundle = makeSyntheticBundle({ seconds: 4, hiddenSize: 32, tokensPerFrame: 16, seed: 3, ...options });
      const geometries = requiredFrameGeometries(bundle);
      expectAnalysesMatch(await engine.analyze(bundle, { frameGeometries: geometries }), analyzeReference(bundle, geometries));
    }
  });

  it('reports progress up to 1 and stops between tiles when cancelled', async () => {
    const bundle = makeSyntheticBundle({ seconds: 8, hiddenSize: 64, tokensPerFrame: 16, seed: 5 });
    const fractions: number[] = [];
    await engine.analyze(bundle, { frameGeometries: [16, 8], onProgress: (p) => fractions.push(p.fraction) });
    expect(fractions.length).toBeGreaterThan(5);
    expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1])).toBe(true);
    expect(fractions.at(-1)).toBe(1);

    const controller = new AbortController();
    let steps = 0;
    const cancelled = engine.analyze(bundle, {
      frameGeometries: [16, 8],
      signal: controller.signal,
      onProgress: () => {
        if (++steps === 2) controller.abort();
      },
    });
    await expect(cancelled).rejects.toThrow(AnalysisAbortError);
    expect(steps).toBe(2);
  });

  it('gives bit-identical maxima whatever the tile size (long clips get narrower tiles)', async () => {
    const bundle = makeSyntheticBundle({ seconds: 6, hiddenSize: 160, tokensPerFrame: 16, seed: 13 });
    const geometries = requiredFrameGeometries(bundle);
    const wide = new OnnxAnalysisEngine({ provider: 'cpu' });
    // A pair budget of one frame per tile is held at 128 tokens (8 frames); 200 gives 12 frames.
    const narrow = new OnnxAnalysisEngine({ provider: 'cpu', crossTilePairs: bundle.numAudio * 16 });
    const odd = new OnnxAnalysisEngine({ provider: 'cpu', crossTilePairs: bundle.numAudio * 200 });
    try {
      const a = await wide.analyze(bundle, { frameGeometries: geometries });
      for (const other of [narrow, odd]) {
        const b = await other.analyze(bundle, { frameGeometries: geometries });
        expect(Array.from(b.audioVideoMax)).toEqual(Array.from(a.audioVideoMax));
        expect(Array.from(b.audioFrameMax)).toEqual(Array.from(a.audioFrameMax));
      }
    } finally {
      await Promise.all([wide.dispose(), narrow.dispose(), odd.dispose()]);
    }
  });

  it('rejects a bundle whose arrays do not match its sizes', async () => {
    const bundle = makeSyntheticBundle({ seconds: 2, hiddenSize: 16, tokensPerFrame: 16 });
    const broken: FeatureBundle = { ...bundle, videoEmbeds: bundle.videoEmbeds.subarray(1) };
    await expect(engine.analyze(broken, { frameGeometries: [16] })).rejects.toThrow(AnalysisInputError);
    await expect(engine.analyze(broken, { frameGeometries: [16] })).rejects.toThrow(/video embeddings hold \d+ values, expected \d+ x 16/);
  });
});

describeWithGolden('golden cases planned on the onnxruntime analysis', () => {
  const names = goldenAvailable() ? goldenCaseNames() : [];
  for (const name of names) {
    it(`${name}: analysis equals the reference and the plan equals the official output`, async () => {
      const expected = readGoldenExpected(name);
      const bundle = await readBundle(goldenBundlePath(name));
      const geometries = requiredFrameGeometries(bundle);
      const onnx = await engine.analyze(bundle, { frameGeometries: geometries });
      const reference = analyzeReference(bundle, geometries);
      expectAnalysesMatch(onnx, reference);

      const config = resolveConfig(expected.config);
      const doc = toPlanDocument(bundle, planClip(bundle, onnx, config));
      const refDoc = toPlanDocument(bundle, planClip(bundle, reference, config));
      expect({ ...doc, planMs: 0 }).toEqual({ ...refDoc, planMs: 0 });
      if (expected.tie_sensitive) {
        const checks = expected.tie_free_checks!;
        expect(doc.audio.dominant_count).toBe(checks.audio_dominant_count);
        expect(doc.counts.audio.kept).toBe(checks.audio_kept_count);
        return;
      }
      expect(doc.counts).toEqual(expected.counts);
      expect(doc.audio.kept).toEqual(expected.audio.kept);
      expect(doc.audio.anchors).toEqual(expected.audio.anchors);
      expect(doc.audio.merges).toEqual(expected.audio.merges);
      expect(doc.video.kept).toEqual(expected.video.kept);
      expect(doc.sequence_kept).toEqual(expected.sequence_kept);
    });
  }
});
