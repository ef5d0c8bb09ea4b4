import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeReference } from '../analysis/reference.js';
import type { ClipAnalysis } from '../analysis/types.js';
import { CONFIG_KEYS, type ConfigKeyDescriptor } from '../config/schema.js';
import { resolveConfig } from '../config/validate.js';
import { randomBundle, type ClipShape } from '../../test-support/random-bundle.js';
import { resolveAudioScore } from './audio-energy.js';
import { AUDIO_STAGE_KEYS, audioStage } from './audio-stage.js';
import { toPlanDocument } from './document.js';
import { clipLayout } from './layout.js';
import { timeGroupsFor } from './omnizip.js';
import { planClip, requiredFrameGeometries } from './plan.js';

const shapeArb: fc.Arbitrary<ClipShape> = fc.record({
  videoChunks: fc.integer({ min: 1, max: 5 }),
  audioChunks: fc.integer({ min: 1, max: 5 }),
  gridH: fc.constantFrom(2, 4),
  gridW: fc.constantFrom(2, 4, 8),
  framesPerChunk: fc.constantFrom(1, 2),
  audioPerChunk: fc.integer({ min: 4, max: 30 }),
  dim: fc.constantFrom(4, 8),
  seed: fc.integer({ min: 0, max: 1_000_000 }),
});

/** A value of `descriptor`'s key other than the default, drawn from its spec. */
function otherValueArb(descriptor: ConfigKeyDescriptor): fc.Arbitrary<unknown> {
  const spec = descriptor.spec;
  if (spec.kind === 'boolean') return fc.boolean();
  if (spec.kind === 'enum') return fc.constantFrom(...spec.values);
  const number = spec.integer ? fc.integer({ min: spec.min, max: Math.min(spec.max, spec.min + 50) }) : fc.double({ min: spec.min, max: spec.max, noNaN: true });
  return spec.nullable ? fc.option(number, { nil: null }) : number;
}

/** The config, or null when the combination is one resolveConfig rejects (e.g. ratio_min above ratio_max). */
function tryConfig(overrides: Record<string, unknown>) {
  try {
    return resolveConfig(overrides);
  } catch {
    return null;
  }
}

/** The stage for `config`, or null when the clip cannot take it (too few video tokens for the units variant's frames). */
function stageOf(bundle: ReturnType<typeof randomBundle>, analysis: ClipAnalysis, config: NonNullable<ReturnType<typeof tryConfig>>) {
  let time;
  try {
    time = timeGroupsFor(bundle, clipLayout(bundle), config).time;
  } catch {
    return null;
  }
  return audioStage(bundle, analysis, config, time, resolveAudioScore(bundle, config.audio_score, analysis.audioOrder));
}

/** Stage settings under which the time groups matter too (per-group selection, group scope, units). */
const stageSettingArb = fc.record({
  rho_audio: fc.double({ min: 0, max: 1, noNaN: true }),
  g: fc.integer({ min: 0, max: 4 }),
  variant: fc.constantFrom('official-core', 'official-units'),
  audio_selection: fc.constantFrom('global', 'per_group'),
  cross_modal_scope: fc.constantFrom('clip', 'group'),
});

const OTHER_KEYS = CONFIG_KEYS.filter((d) => !(AUDIO_STAGE_KEYS as readonly string[]).includes(d.key));

describe('the audio stage reused across replans', () => {
  it('does not depend on any key outside AUDIO_STAGE_KEYS: moving one reuses the stage, and the reused stage equals a fresh one', () => {
    expect(OTHER_KEYS.map((d) => d.key)).toContain('rho_video');
    // Every other key in turn, so a key missing from AUDIO_STAGE_KEYS is caught whichever it is.
    for (const descriptor of OTHER_KEYS) {
      fc.assert(
        fc.property(shapeArb, otherValueArb(descriptor), stageSettingArb, (shape, other, setting) => {
          const base = tryConfig(setting);
          const moved = tryConfig({ ...setting, [descriptor.key]: other });
          if (!base || !moved) return;
          const bundle = randomBundle(shape);
          const analysis = analyzeReference(bundle, requiredFrameGeometries(bundle));
          const first = stageOf(bundle, analysis, base);
          const reused = stageOf(bundle, analysis, moved);
          if (!first || !reused) return;
          expect(reused, descriptor.key).toBe(first);
          // A fresh analysis object has no memo: what the stage would be if computed for `moved`.
          const fresh = stageOf(bundle, { ...analysis }, moved);
          expect(fresh).not.toBe(reused);
          expect(fresh, `${descriptor.key} = ${JSON.stringify(other)}`).toEqual(reused);
        }),
        { numRuns: 20 },
      );
    }
  });

  it('recomputes when a stage key moves, or when the ranking arrays change (a speech reference computed later)', () => {
    const bundle = randomBundle({ videoChunks: 3, audioChunks: 3, gridH: 4, gridW: 4, framesPerChunk: 2, audioPerChunk: 25, dim: 8, seed: 7 });
    const analysis = analyzeReference(bundle, requiredFrameGeometries(bundle));
    const config = resolveConfig({ rho_audio: 0.4 });
    const { time } = timeGroupsFor(bundle, clipLayout(bundle), config);
    const ranking = resolveAudioScore(bundle, config.audio_score, analysis.audioOrder);
    const first = audioStage(bundle, analysis, config, time, ranking);
    expect(audioStage(bundle, analysis, config, time, ranking)).toBe(first);
    expect(audioStage(bundle, analysis, resolveConfig({ rho_audio: 0.45 }), time, ranking)).not.toBe(first);

    // Same setting, other score arrays (identical values): not the cached stage.
    const rescored = { ...ranking, order: Int32Array.from(ranking.order), scores: ranking.scores && Float32Array.from(ranking.scores) };
    const again = audioStage(bundle, analysis, config, time, rescored);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });

  it('keeps a bounded number of settings per analysis, dropping the least recently used', () => {
    const bundle = randomBundle({ videoChunks: 2, audioChunks: 2, gridH: 4, gridW: 4, framesPerChunk: 2, audioPerChunk: 20, dim: 4, seed: 3 });
    const analysis = analyzeReference(bundle, requiredFrameGeometries(bundle));
    const at = (rho: number) => stageOf(bundle, analysis, resolveConfig({ rho_audio: rho }));
    const oldest = at(0.1);
    const recent = at(0.2);
    for (let i = 0; i < 6; i++) at(0.3 + i * 0.05);
    expect(at(0.1)).toBe(oldest); // used again: now the most recent
    at(0.9); // a ninth setting drops the least recently used, 0.2
    expect(at(0.1)).toBe(oldest);
    expect(at(0.2)).not.toBe(recent);
  });

  it('leaves whole plans unchanged: a replan after another setting equals the same plan from scratch', () => {
    const configArb = fc.record({
      rho_audio: fc.constantFrom(0.2, 0.3, 0.5),
      rho_video: fc.double({ min: 0, max: 1, noNaN: true }),
      g: fc.integer({ min: 0, max: 4 }),
      variant: fc.constantFrom('official-core', 'official-units'),
      method: fc.constantFrom('omnizip', 'uniform', 'random', 'dycoke', 'visionzip'),
      audio_selection: fc.constantFrom('global', 'per_group'),
      cross_modal_scope: fc.constantFrom('clip', 'group'),
    });
    fc.assert(
      fc.property(shapeArb, fc.array(configArb, { minLength: 2, maxLength: 4 }), (shape, overrides) => {
        const bundle = randomBundle(shape);
        const configs = overrides.map((o) => tryConfig(o));
        if (configs.some((c) => c === null)) return;
        const analysis = analyzeReference(bundle, requiredFrameGeometries(bundle));
        for (const config of configs) {
          let sequenced;
          try {
            sequenced = planClip(bundle, analysis, config!);
          } catch {
            continue; // a setting the clip cannot take (units frames): the same error either way
          }
          const fresh = planClip(bundle, { ...analysis }, config!);
          expect(toPlanDocument(bundle, { ...sequenced, planMs: 0 })).toEqual(toPlanDocument(bundle, { ...fresh, planMs: 0 }));
        }
      }),
      { numRuns: 100 },
    );
  });
});
