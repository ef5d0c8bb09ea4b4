import { describe, expect, it } from 'vitest';
import { analyzeReference } from '../analysis/reference.js';
import { readBundle } from '../bundle/reader.js';
import type { FeatureBundle } from '../bundle/types.js';
import { PRESETS } from '../config/schema.js';
import { resolveConfig } from '../config/validate.js';
import { goldenBundlePath } from '../../test-support/golden.js';
import { describeWithGolden } from '../../test-support/golden-vitest.js';
import { randomBundle } from '../../test-support/random-bundle.js';
import { audioCurves, pearson, tokenEnergy, waveformRms } from './audio-energy.js';
import { toPlanDocument } from './document.js';
import { planClip, requiredFrameGeometries } from './plan.js';
import { AUDIO_ANCHOR, AUDIO_DOMINANT } from './types.js';
import { densityPeakScoresPaper } from './video.js';

/** Each studio repair of an official quirk, on cases where its effect is known. */

function plan(bundle: FeatureBundle, overrides: Record<string, unknown>) {
  const analysis = analyzeReference(bundle, requiredFrameGeometries(bundle));
  return planClip(bundle, analysis, resolveConfig(overrides));
}

const sixGroups = () => randomBundle({ videoChunks: 6, audioChunks: 6, gridH: 4, gridW: 8, framesPerChunk: 2, audioPerChunk: 50, dim: 8, seed: 3 });

describeWithGolden('budget: exact', () => {
  it('meets the rho_video budget and keeps the order audio retention implies, where the official code inverts it', async () => {
    const bundle = await readBundle(goldenBundlePath('readme_eval'));
    const official = plan(bundle, { rho_audio: 0.3, rho_video: 0.6 });
    // The documented inversion: group 0 has the highest initial ratio but ends below groups 1 and 3.
    expect(official.groups[0].pinned).toBe('max');
    expect(official.groups[0].ratio_final as number).toBeLessThan(official.groups[1].ratio_final as number);

    const exact = plan(bundle, { rho_audio: 0.3, rho_video: 0.6, budget: 'exact' });
    const discard = exact.groups.reduce((acc, g) => acc + (g.ratio_final as number) * (g.video_range![1] - g.video_range![0]), 0);
    expect(discard).toBeCloseTo(0.6 * 512, 9);
    for (const a of exact.groups) {
      for (const b of exact.groups) {
        if ((a.ratio_initial as number) < (b.ratio_initial as number)) expect(a.ratio_final as number).toBeLessThanOrEqual(b.ratio_final as number);
      }
      expect(a.pinned).toBeNull();
      expect(a.ratio_final as number).toBeGreaterThanOrEqual(0.35);
      expect(a.ratio_final as number).toBeLessThanOrEqual(0.75);
    }
    expect(exact.normalization.shift).toBeGreaterThan(0);
  });

  it('puts every group at the bound when the budget is out of reach', () => {
    const result = plan(sixGroups(), { rho_video: 0.95, budget: 'exact' });
    expect(result.groups.every((g) => g.ratio_final === 0.75)).toBe(true);
  });
});

describe('audio_selection: per_group', () => {
  it('chooses the top-k and the anchors within each time group', () => {
    const bundle = sixGroups();
    // Make group 0 far louder than the rest: global selection then keeps it whole.
    const scores = bundle.audioScores as Float32Array;
    for (let i = 0; i < 50; i++) scores[i] += 10;
    const global = plan(bundle, { rho_audio: 0.8, contextual_ratio: 0.04 });
    const perGroup = plan(bundle, { rho_audio: 0.8, contextual_ratio: 0.04, audio_selection: 'per_group' });
    const dominantIn = (p: ReturnType<typeof plan>, s: number) => p.audio.fate.slice(s, s + 50).filter((f) => f === AUDIO_DOMINANT).length;
    const anchorsIn = (p: ReturnType<typeof plan>, s: number) => p.audio.fate.slice(s, s + 50).filter((f) => f === AUDIO_ANCHOR).length;
    expect(dominantIn(global, 0)).toBe(50);
    expect([1, 2, 3, 4, 5].reduce((acc, g) => acc + dominantIn(global, g * 50), 0)).toBe(10);
    for (let g = 0; g < 6; g++) {
      expect(dominantIn(perGroup, g * 50)).toBe(10); // round(0.2 * 50)
      expect(anchorsIn(perGroup, g * 50)).toBe(2); // round(0.04 * 50)
    }
    // Merges stay within the group of their anchor.
    perGroup.audio.anchors.forEach((a, k) => {
      for (const j of perGroup.audio.merges[k]) expect(Math.floor(j / 50)).toBe(Math.floor(a / 50));
    });
  });
});

describe('anchors_count_in_retention: false', () => {
  it('measures group retention from dominant tokens only', () => {
    const bundle = sixGroups();
    const official = plan(bundle, { rho_audio: 0.5, contextual_ratio: 0.1 });
    const repaired = plan(bundle, { rho_audio: 0.5, contextual_ratio: 0.1, anchors_count_in_retention: false });
    official.groups.forEach((g, i) => {
      const [s, e] = g.audio_range as [number, number];
      const dominant = repaired.audio.fate.slice(s, e).filter((f) => f === AUDIO_DOMINANT).length;
      const kept = official.audio.keep.slice(s, e).reduce((x, y) => x + y, 0);
      expect(g.audio_retention).toBe(Math.fround(kept / (e - s)));
      expect(repaired.groups[i].audio_retention).toBe(Math.fround(dominant / (e - s)));
    });
    expect(repaired.groups.some((g, i) => g.audio_retention !== official.groups[i].audio_retention)).toBe(true);
  });
});

describe('cross_modal_scope: group', () => {
  it('scores each audio token against its own group\'s video only', () => {
    const bundle = sixGroups();
    const analysis = analyzeReference(bundle, requiredFrameGeometries(bundle));
    const clip = planClip(bundle, analysis, resolveConfig({}));
    const group = planClip(bundle, analysis, resolveConfig({ cross_modal_scope: 'group' }));
    const dim = bundle.hiddenSize;
    const norm = (m: Float32Array, i: number) => Math.hypot(...m.subarray(i * dim, (i + 1) * dim)) + 1e-6;
    for (const g of group.groups) {
      const [as, ae] = g.audio_range as [number, number];
      const [vs, ve] = g.video_range as [number, number];
      for (let i = as; i < ae; i += 7) {
        let best = -Infinity;
        for (let k = vs; k < ve; k++) {
          let dot = 0;
          for (let d = 0; d < dim; d++) dot += bundle.audioEmbeds[i * dim + d] * bundle.videoEmbeds[k * dim + d];
          best = Math.max(best, dot / (norm(bundle.audioEmbeds, i) * norm(bundle.videoEmbeds, k)));
        }
        expect(group.audio.crossModalScore[i]).toBeCloseTo(best, 5);
        expect(group.audio.crossModalScore[i]).toBeLessThanOrEqual(clip.audio.crossModalScore[i] + 1e-7);
      }
    }
    expect(group.audio.crossModalScore.some((s, i) => s < clip.audio.crossModalScore[i] - 1e-6)).toBe(true);
  });
});

describe('dpc: paper', () => {
  it('implements exp(-mean squared kNN distance) times the distance to the nearest denser token', () => {
    // Five tokens on a line at 0, 1, 2, 10, 11 (1-D embeddings): squared distances.
    const xs = [0, 1, 2, 10, 11];
    const n = xs.length;
    const sq = new Float32Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) sq[i * n + j] = (xs[i] - xs[j]) ** 2;
    const scores = densityPeakScoresPaper(sq, n, 2);
    // kNN (k = 2) mean squared distances: 0: (1+4)/2, 1: (1+1)/2, 2: (1+4)/2, 3: (1+64)/2, 4: (1+81)/2.
    const logRho = [-2.5, -1, -2.5, -32.5, -41];
    // Token 1 is the densest: δ = farthest = 10; tokens 0 and 2: nearest denser is 1 (d = 1);
    // token 3: nearest denser among {0,1,2} is 2 (d = 8); token 4: nearest denser is 3 (d = 1).
    const delta = [1, 10, 1, 8, 1];
    scores.forEach((s, i) => expect(s).toBeCloseTo(logRho[i] + Math.log(delta[i]), 9));
  });

  it('ranks by Euclidean distance, so tokens that differ only in magnitude are told apart', () => {
    const bundle = sixGroups();
    const official = plan(bundle, { rho_video: 0.6 });
    const paper = plan(bundle, { rho_video: 0.6, dpc: 'paper' });
    expect(paper.counts.video.kept).toBe(official.counts.video.kept);
    expect(Array.from(paper.videoKeep)).not.toEqual(Array.from(official.videoKeep));
  });
});

describe('the paper preset', () => {
  it('turns on every repair that matches the paper, and the official preset turns them off', () => {
    const paper = PRESETS.find((p) => p.id === 'paper')!.values;
    expect(paper).toMatchObject({ budget: 'exact', audio_selection: 'per_group', anchors_count_in_retention: false, cross_modal_scope: 'group', dpc: 'paper' });
    const official = resolveConfig(PRESETS.find((p) => p.id === 'official')!.values);
    expect(official).toMatchObject(resolveConfig({}));
  });
});

describe('audio energy and alternative audio scores', () => {
  it('computes token energy as the L2 norm and waveform RMS per 40 ms token window', () => {
    const bundle = sixGroups();
    const dim = bundle.hiddenSize;
    const energy = tokenEnergy(bundle);
    expect(energy[5]).toBeCloseTo(Math.hypot(...bundle.audioEmbeds.subarray(5 * dim, 6 * dim)), 5);
    const withWave: FeatureBundle = { ...bundle, waveform: new Float32Array(bundle.numAudio * 640), metadata: { ...bundle.metadata, sample_rate: 16000, audio_tokens_per_second: 25 } };
    // Token 3's window (samples 1920..2559) holds a square wave of amplitude 0.5: RMS 0.5.
    for (let k = 1920; k < 2560; k++) (withWave.waveform as Float32Array)[k] = k % 2 ? 0.5 : -0.5;
    const rms = waveformRms(withWave) as Float32Array;
    expect(rms[3]).toBeCloseTo(0.5, 6);
    expect(rms[2]).toBe(0);
    const curves = audioCurves(withWave);
    expect(curves.correlations.map((c) => c.pair.join('/'))).toEqual(['attention/token_energy', 'attention/waveform_rms', 'token_energy/waveform_rms']);
  });

  it('computes Pearson correlation', () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNaN();
  });

  it('ranks audio by the configured score', () => {
    const bundle = sixGroups();
    const energy = tokenEnergy(bundle);
    const byEnergy = plan(bundle, { rho_audio: 0.9, contextual_ratio: 0, audio_score: 'token_energy' });
    const top = Array.from(energy.keys()).sort((a, b) => energy[b] - energy[a] || a - b).slice(0, 30).sort((a, b) => a - b);
    expect(toPlanDocument(bundle, byEnergy).audio.kept).toEqual(top);
    expect(byEnergy.audioScoreSource).toBe('token_energy');
  });

  it('still plans a bundle without audio_scores, ranking by token energy and saying so', () => {
    const bundle = { ...sixGroups(), audioScores: null };
    const result = plan(bundle, {});
    expect(result.audioScoreSource).toBe('token_energy');
    expect(result.notes.join(' ')).toMatch(/no audio_scores.*token energy/);
    expect(toPlanDocument(bundle, result).audio.score_source).toBe('token_energy');
    expect(result.counts.audio.kept).toBeGreaterThan(0);
  });

  it('falls back from waveform_rms to token energy without a waveform', () => {
    const result = plan(sixGroups(), { audio_score: 'waveform_rms' });
    expect(result.audioScoreSource).toBe('token_energy');
    expect(result.notes.join(' ')).toMatch(/no waveform/);
  });
});
