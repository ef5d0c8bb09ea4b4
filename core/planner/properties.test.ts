import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeReference } from '../analysis/reference.js';
import type { FeatureBundle } from '../bundle/types.js';
import { randomBundle, type ClipShape } from '../../test-support/random-bundle.js';
import { resolveConfig } from '../config/validate.js';
import { audioKeepCounts } from './audio.js';
import { toPlanDocument } from './document.js';
import { truncate } from './numeric.js';
import { planClip, requiredFrameGeometries } from './plan.js';
import { compressSequence } from './sequence.js';

const shapeArb: fc.Arbitrary<ClipShape> = fc.record({
  videoChunks: fc.integer({ min: 0, max: 6 }),
  audioChunks: fc.integer({ min: 0, max: 6 }),
  gridH: fc.constantFrom(2, 4, 6),
  gridW: fc.constantFrom(2, 4, 8),
  framesPerChunk: fc.constantFrom(1, 2),
  audioPerChunk: fc.integer({ min: 1, max: 30 }),
  dim: fc.constantFrom(4, 8, 16),
  seed: fc.integer({ min: 0, max: 1_000_000 }),
}).filter((s) => s.videoChunks + s.audioChunks > 0);

const configArb = fc.record({
  rho_audio: fc.double({ min: 0, max: 1, noNaN: true }),
  rho_video: fc.double({ min: 0, max: 1, noNaN: true }),
  g: fc.integer({ min: 0, max: 6 }),
  contextual_ratio: fc.double({ min: 0, max: 0.3, noNaN: true }),
  ratio_min: fc.double({ min: 0, max: 0.5, noNaN: true }),
  ratio_max: fc.double({ min: 0.5, max: 1, noNaN: true }),
  variant: fc.constantFrom('official-core', 'official-units'),
  method: fc.constantFrom('omnizip', 'uniform', 'random', 'dycoke', 'visionzip'),
  baseline_budget: fc.constantFrom('match', 'native'),
});

function fingerprint(b: FeatureBundle): string {
  let h = 0;
  for (const arr of [b.audioEmbeds, b.videoEmbeds, b.audioScores ?? new Float32Array(0)]) for (let i = 0; i < arr.length; i++) h = (h * 31 + Math.round(arr[i] * 1e6)) | 0;
  return `${h}:${Array.from(b.tokenTypes).join('')}`;
}

describe('planner properties on random clips and configs', () => {
  it('produces masks of the right length, counts that follow the formulas, and is deterministic', () => {
    fc.assert(
      fc.property(shapeArb, configArb, (shape, overrides) => {
        const bundle = randomBundle(shape);
        const config = resolveConfig(overrides);
        if (config.variant === 'official-units' && bundle.numVideo > 0 && Math.floor(bundle.numVideo / (2 * shape.videoChunks * shape.framesPerChunk)) === 0) return;
        const before = fingerprint(bundle);
        const analysis = analyzeReference(bundle, requiredFrameGeometries(bundle));
        const plan = planClip(bundle, analysis, config);
        const omnizip = config.method === 'omnizip' ? plan : planClip(bundle, analysis, { ...config, method: 'omnizip' });

        // A matched baseline keeps exactly OmniZip's realised counts, unless it says it cannot.
        if (config.method !== 'omnizip' && config.baseline_budget === 'match' && !plan.notes.some((n) => n.includes('match unreachable'))) {
          expect(plan.counts.audio.kept).toBe(omnizip.counts.audio.kept);
          expect(plan.counts.video.kept).toBe(omnizip.counts.video.kept);
        }

        expect(plan.audio.keep.length).toBe(bundle.numAudio);
        expect(plan.videoKeep.length).toBe(bundle.numVideo);
        expect(plan.sequenceKeep.length).toBe(bundle.tokenTypes.length);
        const others = bundle.tokenTypes.length - bundle.numAudio - bundle.numVideo;
        expect(plan.counts.sequence.kept).toBe(others + plan.counts.audio.kept + plan.counts.video.kept);

        // Audio: n_dom + n_ctx (bounded by what remains; core drops anchors when g = 0).
        const { dominant, contextual } = audioKeepCounts(bundle.numAudio, config);
        const anchorsAllowed = config.g > 0 || config.variant === 'official-units';
        const anchors = anchorsAllowed ? Math.min(contextual, bundle.numAudio - dominant) : 0;
        expect(omnizip.counts.audio.kept).toBe(dominant + anchors);

        const perFramePlan = config.method === 'uniform' && config.baseline_budget === 'native' ? plan : omnizip;
        {
          const plan = perFramePlan;
          // Video: every pruned frame keeps int(tpf * (1 - ratio)) tokens.
          let videoKept = 0;
          for (const g of plan.groups) {
            if (!g.video_range) continue;
            if (g.ratio_final === null) {
              videoKept += g.video_range[1] - g.video_range[0];
              continue;
            }
            const tpf = config.variant === 'official-units' ? Math.floor(bundle.numVideo / (2 * (bundle.metadata.grid_thw?.[0] ?? 1))) : (shape.gridH / 2) * (shape.gridW / 2);
            const perFrame = Math.min(tpf, Math.max(0, truncate(tpf * (1 - g.ratio_final))));
            for (const c of g.frame_keep_counts) expect(c).toBe(perFrame);
            if (g.guided && plan.method === 'omnizip' && bundle.numAudio > 0) {
              expect(g.ratio_final).toBeGreaterThanOrEqual(config.ratio_min - 1e-12);
              expect(g.ratio_final).toBeLessThanOrEqual(config.ratio_max + 1e-12);
            }
            videoKept += g.frame_keep_counts.reduce((a, b) => a + b, 0);
          }
          expect(plan.counts.video.kept).toBe(videoKept);
        }

        // Same input, same plan; the bundle is never mutated.
        const again = planClip(bundle, analysis, config);
        expect(JSON.stringify(toPlanDocument(bundle, again))).toBe(JSON.stringify(toPlanDocument(bundle, plan)));
        expect(fingerprint(bundle)).toBe(before);

        // The compressed sequence holds exactly the kept rows, at their original positions.
        const seq = compressSequence(bundle, plan);
        expect(seq.positions.length).toBe(plan.counts.audio.kept + plan.counts.video.kept);
        expect(seq.keptSequencePositions.length).toBe(plan.counts.sequence.kept);
        for (let i = 1; i < seq.positions.length; i++) expect(seq.positions[i]).toBeGreaterThan(seq.positions[i - 1]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('planner on edge layouts', () => {
  const base: ClipShape = { videoChunks: 3, audioChunks: 3, gridH: 4, gridW: 8, framesPerChunk: 2, audioPerChunk: 50, dim: 8, seed: 7 };

  it('plans a video-only clip at the uniform ratio and says audio guidance is unavailable', () => {
    const bundle = randomBundle({ ...base, audioChunks: 0 });
    const plan = planClip(bundle, analyzeReference(bundle, requiredFrameGeometries(bundle)), resolveConfig({ rho_video: 0.5 }));
    expect(plan.notes.join(' ')).toMatch(/audio guidance is unavailable/);
    expect(plan.groups.every((g) => !g.guided && g.ratio_final === 0.5)).toBe(true);
    expect(plan.counts.video.kept).toBe(3 * 2 * 4);
  });

  it('plans an audio-only clip with anchor-similarity merge scores', () => {
    const bundle = randomBundle({ ...base, videoChunks: 0 });
    const plan = planClip(bundle, analyzeReference(bundle, requiredFrameGeometries(bundle)), resolveConfig({ rho_audio: 0.5, contextual_ratio: 0.1, g: 2 }));
    expect(plan.notes.join(' ')).toMatch(/No video tokens/);
    expect(plan.counts.audio.kept).toBe(75 + 15);
    expect(plan.audio.merges.some((m) => m.length > 0)).toBe(true);
  });

  it('merges consecutive chunks into larger groups with group_seconds', () => {
    const bundle = randomBundle({ ...base, videoChunks: 6, audioChunks: 6 });
    const analysis = analyzeReference(bundle, requiredFrameGeometries(bundle));
    const plan = planClip(bundle, analysis, resolveConfig({ group_seconds: 4 }));
    expect(plan.groups.length).toBe(3);
    expect(plan.groups[0].video_range).toEqual([0, 32]);
    expect(plan.groups[0].audio_range).toEqual([0, 100]);
    expect(plan.groups[0].frame_modes).toEqual(['spatial', 'temporal', 'spatial', 'temporal']);
  });

  it('rejects an analysis that belongs to another bundle', () => {
    const a = randomBundle(base);
    const b = randomBundle({ ...base, audioChunks: 2 });
    expect(() => planClip(b, analyzeReference(a, requiredFrameGeometries(a)), resolveConfig({}))).toThrow(/does not belong/);
  });
});

describe('frame geometries the analysis did not cover', () => {
  it('computes them once per clip and plans the same as an analysis that covered them', () => {
    const bundle = randomBundle({ videoChunks: 4, audioChunks: 4, gridH: 4, gridW: 8, framesPerChunk: 2, audioPerChunk: 50, dim: 8, seed: 11 });
    const config = resolveConfig({ variant: 'official-units', num_input_frames: 32 });
    const partial = analyzeReference(bundle, requiredFrameGeometries(bundle));
    const full = analyzeReference(bundle, requiredFrameGeometries(bundle, config));
    expect(partial.frames.some((f) => f.tokensPerFrame === 2)).toBe(false);
    expect(full.frames.some((f) => f.tokensPerFrame === 2)).toBe(true);
    const a = toPlanDocument(bundle, planClip(bundle, partial, config));
    const b = toPlanDocument(bundle, planClip(bundle, full, config));
    expect(a.video.kept).toEqual(b.video.kept);
    const again = planClip(bundle, partial, config);
    expect(again.planMs).toBeLessThan(50);
  });
});
