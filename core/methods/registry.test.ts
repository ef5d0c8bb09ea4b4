import { describe, expect, it } from 'vitest';
import { analyzeReference } from '../analysis/reference.js';
import { CONFIG_KEY_NAMES, CONFIG_KEYS } from '../config/schema.js';
import { resolveConfig } from '../config/validate.js';
import { toPlanDocument } from '../planner/document.js';
import { planClip, requiredFrameGeometries } from '../planner/plan.js';
import { randomBundle, type ClipShape } from '../../test-support/random-bundle.js';
import { METHOD_IDS, methodById, methodDescriptors, registeredMethods } from './registry.js';

const shape: ClipShape = { videoChunks: 6, audioChunks: 6, gridH: 4, gridW: 8, framesPerChunk: 2, audioPerChunk: 50, dim: 16, seed: 3 };

describe('method registry', () => {
  it('lists every method once, in METHOD_IDS order, and the config schema offers exactly those', () => {
    expect(registeredMethods().map((m) => m.id)).toEqual([...METHOD_IDS]);
    const method = CONFIG_KEYS.find((d) => d.key === 'method');
    expect(method?.spec.kind === 'enum' && method.spec.values).toEqual([...METHOD_IDS]);
  });

  it('declares knobs that are config keys, a paper and inputs', () => {
    for (const m of methodDescriptors()) {
      for (const k of m.knobs) expect(CONFIG_KEY_NAMES.has(k), `${m.id} knob ${k}`).toBe(true);
      expect(m.paper.length).toBeGreaterThan(10);
      expect(m.inputs.length).toBeGreaterThan(0);
      expect('plan' in m).toBe(false);
    }
  });

  it('every matched baseline reads OmniZip\'s plan and is steered by baseline_budget (one helper, shared.ts)', () => {
    for (const m of methodDescriptors().filter((d) => d.id !== 'omnizip')) {
      expect(m.matchesOmniZipCounts, m.id).toBe(true);
      expect(m.inputs, m.id).toContain('omnizip_plan');
      expect(m.knobs[0], m.id).toBe('baseline_budget');
    }
  });

  it('names the known methods when an id is unknown', () => {
    expect(() => methodById('tome')).toThrow(/unknown method 'tome' \(known: omnizip, uniform/);
    expect(() => resolveConfig({ method: 'tome' })).toThrow(/must be one of omnizip, uniform, random, dycoke, fastv, visionzip/);
  });
});

describe('every baseline at OmniZip\'s realised budget', () => {
  const bundle = randomBundle(shape);
  const analysis = analyzeReference(bundle, requiredFrameGeometries(bundle));
  const withAttention = { ...bundle, decoderAttention: Float32Array.from(bundle.tokenTypes, (_, p) => Math.sin(p * 1.7) + 1), metadata: { ...bundle.metadata, decoder_attention_layer: 5 } };

  for (const rho of [0.3, 0.6, 0.9]) {
    for (const id of ['uniform', 'random', 'dycoke', 'fastv', 'visionzip']) {
      it(`${id} keeps the same audio and video counts as OmniZip at rho_video ${rho}`, () => {
        const b = id === 'fastv' ? withAttention : bundle;
        const omnizip = planClip(b, analysis, resolveConfig({ rho_video: rho }));
        const plan = planClip(b, analysis, resolveConfig({ method: id, rho_video: rho }));
        expect(plan.method).toBe(id);
        expect(plan.counts).toEqual(omnizip.counts);
        // Video-only baselines keep OmniZip's audio, token for token, ties included.
        if (id === 'uniform' || id === 'visionzip') {
          expect(Array.from(plan.audio.keep)).toEqual(Array.from(omnizip.audio.keep));
          expect(Array.from(plan.audioTies)).toEqual(Array.from(omnizip.audioTies));
        }
      });
    }
  }

  it('fastv without decoder attention is unavailable, with the reason', () => {
    expect(() => planClip(bundle, analysis, resolveConfig({ method: 'fastv' }))).toThrow(/no decoder_attention tensor/);
    expect(() => planClip(withAttention, analysis, resolveConfig({ method: 'fastv', fastv_layer: 2 }))).toThrow(/taken at layer 5/);
  });

  it('visionzip says when it ranks by the embedding proxy and uses video_scores when present', () => {
    const proxy = planClip(bundle, analysis, resolveConfig({ method: 'visionzip' }));
    expect(proxy.notes.join(' ')).toMatch(/no video_scores .* embedding proxy/);
    const scores = Float32Array.from({ length: bundle.numVideo }, (_, i) => (i % 7 === 0 ? 1 : 0.01 * (i % 5)));
    const encoder = planClip({ ...bundle, videoScores: scores }, analysis, resolveConfig({ method: 'visionzip', visionzip_contextual_ratio: 0 }));
    expect(encoder.notes.join(' ')).not.toMatch(/proxy/);
    for (let i = 0; i < bundle.numVideo; i += 7) expect(encoder.videoKeep[i]).toBe(1);
    expect(toPlanDocument(bundle, proxy).video.merges?.length).toBeGreaterThan(0);
  });
});

describe('honest budgets', () => {
  const bundle = randomBundle(shape);
  const analysis = analyzeReference(bundle, requiredFrameGeometries(bundle));

  it('reports target and realised discard, and explains a miss with budget: exact', () => {
    const plan = planClip(bundle, analysis, resolveConfig({ rho_video: 0.9 }));
    expect(plan.budget.video.target).toBe(0.9);
    expect(plan.budget.video.realised).toBeCloseTo(1 - plan.counts.video.kept / plan.counts.video.total, 12);
    expect(plan.budget.video.realised).toBeLessThan(0.85);
    expect(plan.notes.join(' ')).toMatch(/Video budget missed: target discard 90.0%, realised .*above ratio_max 0.75.*widen \[ratio_min, ratio_max\] to include 0.9 and set budget: exact/);
    const doc = toPlanDocument(bundle, plan);
    expect(doc.budget.sequence.target).toBeGreaterThan(0);
  });

  it('notes a video miss exactly when it exceeds half a percentage point', () => {
    for (const rho of [0.4, 0.5, 0.55, 0.6, 0.65, 0.7]) {
      for (const budget of ['official', 'exact']) {
        const plan = planClip(bundle, analysis, resolveConfig({ rho_video: rho, budget }));
        const missed = Math.abs(plan.budget.video.realised - rho) > 0.005;
        expect(plan.notes.some((n) => n.startsWith('Video budget missed')), `rho ${rho} ${budget}`).toBe(missed);
      }
    }
  });

  it('counts and flags audio decisions an exact tie made (silence: equal scores)', () => {
    const silent = { ...bundle, audioScores: new Float32Array(bundle.numAudio).fill(0) };
    const plan = planClip(silent, analysis, resolveConfig({ rho_audio: 0.5 }));
    expect(plan.tiesDecided).toBeGreaterThanOrEqual(bundle.numAudio);
    expect(plan.audioTies.every((t) => t === 1)).toBe(true);
    expect(toPlanDocument(silent, plan).ties_decided).toBe(plan.tiesDecided);
    expect(plan.notes.join(' ')).toMatch(/exact ties/);
  });
});
