import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeReference } from '../analysis/reference.js';
import { TOKEN_AUDIO, TOKEN_VIDEO } from '../bundle/types.js';
import { resolveConfig } from '../config/validate.js';
import { planClip, requiredFrameGeometries } from '../planner/plan.js';
import { randomBundle } from '../../test-support/random-bundle.js';
import { decoderAttentionProvenance, withDecoderAttention } from './fastv-provenance.js';
import { bundleForPlanning, clearFastvAttentionCache, fastvAttention, needsDecoderAttention } from './fastv-scores.js';
import { MethodUnavailableError } from './types.js';
import { prefillManifest } from '../../test-support/prefill-manifest.js';

const bundle = randomBundle({ videoChunks: 2, audioChunks: 2, gridH: 4, gridW: 4, framesPerChunk: 2, audioPerChunk: 25, dim: 32, seed: 5 });
const analysis = analyzeReference(bundle, requiredFrameGeometries(bundle));
const smallDemo = { kind: 'demo' as const, config: { hiddenSize: 32, numAttentionHeads: 4, numKeyValueHeads: 2, vocabSize: 256, queryBlock: 64, maxSequenceLength: 256 } };
const tmp: string[] = [];
afterAll(async () => {
  for (const d of tmp) await rm(d, { recursive: true, force: true });
});

/** Sorted indices of the n largest values (lower index first on ties). */
function topIndices(values: number[], n: number): number[] {
  return values
    .map((v, i) => [v, i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, n)
    .map(([, i]) => i)
    .sort((a, b) => a - b);
}

describe('FastV scores from a decoder run', () => {
  it('hand-made row: keeps exactly the tokens that receive the most attention at layer K, per modality', () => {
    const config = resolveConfig({ method: 'fastv', fastv_layer: 2, rho_video: 0.6, rho_audio: 0.5 });
    // Attention received falls with the position, except every 7th position, which gets the most.
    const row = Float32Array.from(bundle.tokenTypes, (_, p) => (p % 7 === 3 ? 10 : 1) - p / 1e4);
    const planned = planClip(withDecoderAttention(bundle, row, { decoder: 'hand-made', requestedLayer: 2, layer: 2, notes: [] }), analysis, config);
    const omnizip = planClip(bundle, analysis, resolveConfig({ rho_video: 0.6, rho_audio: 0.5 }));
    expect(planned.counts).toEqual(omnizip.counts);
    const video: number[] = [];
    const audio: number[] = [];
    bundle.tokenTypes.forEach((t, p) => (t === TOKEN_VIDEO ? video.push(row[p]) : t === TOKEN_AUDIO ? audio.push(row[p]) : undefined));
    const keptVideo = Array.from(planned.videoKeep.keys()).filter((i) => planned.videoKeep[i] === 1);
    expect(keptVideo).toEqual(topIndices(video, planned.counts.video.kept));
    expect(planned.notes.join(' ')).toMatch(/layer-2 attention from the last prompt position \(hand-made\)/);
  });

  it('runs the demo decoder on the clip, keeps OmniZip\'s counts, and caches per clip + decoder + K', async () => {
    clearFastvAttentionCache();
    const config = resolveConfig({ method: 'fastv', fastv_layer: 2 });
    expect(needsDecoderAttention(bundle, config)).toBe(true);
    expect(needsDecoderAttention(bundle, resolveConfig({ method: 'dycoke' }))).toBe(false);
    const prepared = await bundleForPlanning(bundle, config, smallDemo);
    expect(prepared.decoderAttention?.length).toBe(bundle.tokenTypes.length);
    expect(decoderAttentionProvenance(prepared)).toMatchObject({ requestedLayer: 2, layer: 2 });
    expect(needsDecoderAttention(prepared, config)).toBe(false);
    const plan = planClip(prepared, analysis, config);
    expect(plan.counts).toEqual(planClip(bundle, analysis, resolveConfig({})).counts);
    const started = performance.now();
    const again = await fastvAttention(bundle, 2, smallDemo);
    expect(performance.now() - started).toBeLessThan(50);
    expect(again.row).toBe(prepared.decoderAttention);
    const otherK = await fastvAttention(bundle, 1, smallDemo);
    expect(otherK.row).not.toBe(again.row);
    // Planning the same setting again (the next sweep trial) gets the same bundle object, so the
    // planner's per-bundle memos hit instead of recomputing for a fresh copy.
    expect(await bundleForPlanning(bundle, config, smallDemo)).toBe(prepared);
    expect(await bundleForPlanning(bundle, resolveConfig({ method: 'fastv', fastv_layer: 1 }), smallDemo)).not.toBe(prepared);
  });

  it('clamps K beyond the demo decoder depth and notes it in the plan', async () => {
    const config = resolveConfig({ method: 'fastv', fastv_layer: 9 });
    const prepared = await bundleForPlanning(bundle, config, smallDemo);
    const plan = planClip(prepared, analysis, config);
    expect(plan.notes.join(' ')).toMatch(/fastv_layer K=9 clamped to 4 of a 4-layer decoder \(the demo decoder\)/);
  });

  it('names what is missing when a manifest model does not expose the attention', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fastv-manifest-'));
    tmp.push(dir);
    const manifest = prefillManifest({ hidden_size: 32, num_layers: 4, num_attention_heads: 4, intermediate_size: 64 });
    const without = path.join(dir, 'without.json');
    await writeFile(without, JSON.stringify(manifest));
    const config = resolveConfig({ method: 'fastv', fastv_layer: 2 });
    const err = await bundleForPlanning(bundle, config, { kind: 'manifest', path: without }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MethodUnavailableError);
    expect((err as Error).message).toMatch(/does not expose decoder attention; FastV needs an 'attention_output' \{name, layer, layout\}/);
    const otherLayer = path.join(dir, 'layer3.json');
    await writeFile(otherLayer, JSON.stringify({ ...manifest, attention_output: { name: 'attn_row', layer: 3 } }));
    await expect(bundleForPlanning(bundle, config, { kind: 'manifest', path: otherLayer })).rejects.toThrow(/taken at layer 3 but fastv_layer is 2; set fastv_layer=3/);
  });
});
