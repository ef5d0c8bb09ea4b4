import path from 'node:path';
import ort from 'onnxruntime-node';
import { analysisContentHash } from '../analysis/cache.js';
import type { FeatureBundle } from '../bundle/types.js';
import type { OmniZipConfig } from '../config/schema.js';
import { sessionOptions, type ProviderName } from '../onnx/session.js';
import { DEFAULT_DEMO_DECODER, DEMO_DECODER_NAME, type DemoDecoderConfig } from '../prefill/demo-decoder.js';
import { throwIfAborted } from '../prefill/errors.js';
import { modelFeeds, sessionSignature } from '../prefill/feeds.js';
import { demoBundleAttention, resolveFastvLayer } from '../prefill/layer-attention.js';
import { readManifest, validateSignature, type PrefillModelSpec } from '../prefill/manifest.js';
import type { FastvDecoderInfo } from '../protocol/fastv-contract.js';
import { sequencePositions } from '../prefill/positions.js';
import { TextEmbeddings, fullSequence } from '../prefill/prefill-sequence.js';
import { demoConfigFor } from '../prefill/runner.js';
import { decoderAttentionProvenance, withDecoderAttention, type DecoderAttentionProvenance } from './fastv-provenance.js';
import { headMean } from './fastv.js';
import { MethodUnavailableError } from './types.js';
import { OwnerKeyedMemo } from '../util/owner-memo.js';

/**
 * FastV's scores from a decoder run on the clip's own sequence: the demo decoder by default, or a
 * user decoder whose manifest declares `attention_output`. The run is heavy (K decoder layers on
 * the whole sequence), so callers run this off any event loop (the CLI awaits it; the studio runs
 * it in the compute worker) and results are cached per clip + decoder + K, so replans are instant.
 */

export type FastvDecoder = { kind: 'demo'; config?: Partial<DemoDecoderConfig> } | { kind: 'manifest'; path: string };

export interface FastvAttention {
  row: Float32Array;
  source: DecoderAttentionProvenance;
}

const CACHE_LIMIT = 16;
const cache = new Map<string, FastvAttention>();

/** Identifies a decoder choice in caches. */
export function decoderKey(decoder: FastvDecoder): string {
  return decoder.kind === 'demo' ? `demo:${JSON.stringify(decoder.config ?? {})}` : `manifest:${decoder.path}`;
}

/**
 * The decoder whose attention FastV ranks by for a prefill run on `model`: the same demo decoder
 * (so the split happens in the network that ranked), or the default demo decoder for a manifest
 * model (its attention_output is used by `plan --fastv-model`, not here).
 */
export function fastvDecoderForPrefill(model: { kind: 'demo'; config?: Partial<DemoDecoderConfig> } | { kind: 'manifest'; path: string }): FastvDecoder {
  return model.kind === 'demo' ? { kind: 'demo', config: model.config } : { kind: 'demo' };
}

/** True when planning `config` needs a decoder run: FastV, and the bundle carries no usable row. */
export function needsDecoderAttention(bundle: FeatureBundle, config: OmniZipConfig): boolean {
  if (config.method !== 'fastv') return false;
  const computed = decoderAttentionProvenance(bundle);
  if (computed) return computed.requestedLayer !== config.fastv_layer;
  return !bundle.decoderAttention || bundle.metadata.decoder_attention_layer !== config.fastv_layer;
}

/** The layer-K attention row of `decoder` for the bundle's full sequence (cached per clip + decoder + K). */
export async function fastvAttention(
  bundle: FeatureBundle,
  layer: number,
  decoder: FastvDecoder,
  options: { provider?: ProviderName; signal?: AbortSignal } = {},
): Promise<FastvAttention> {
  const key = `${analysisContentHash(bundle)}|${decoderKey(decoder)}|${layer}`;
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const result = decoder.kind === 'demo' ? await demoAttention(bundle, layer, decoder.config, options) : await manifestAttention(bundle, layer, decoder.path, options);
  cache.set(key, result);
  while (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  return result;
}

/** The demo decoder FastV ranks by for `overrides` (the studio's Compare view: the default size). */
function fastvDemoConfig(overrides: Partial<DemoDecoderConfig> | undefined, tokens: number): DemoDecoderConfig {
  // The graph only needs query blocks up to this clip's length (blocked attention is exact for any
  // block count), and fewer blocks build and load much faster than the 16k-token default.
  return demoConfigFor({ ...overrides, maxSequenceLength: overrides?.maxSequenceLength ?? 1 }, tokens);
}

const demoName = (config: DemoDecoderConfig) => `demo decoder (d=${config.hiddenSize}, ${config.numLayers} layers)`;

/** Why a manifest decoder cannot give FastV its layer-`requested` attention, or null when it can. */
function manifestProblem(spec: PrefillModelSpec, requested: number, manifestPath: string): string | null {
  const out = spec.attentionOutput ?? null;
  if (!out) {
    return `${manifestPath}: the model does not expose decoder attention; FastV needs an 'attention_output' {name, layer, layout} in the manifest naming the layer-${requested} post-softmax attention row of the last position (docs/prefill.md)`;
  }
  if (out.layer !== requested) {
    return `${manifestPath}: attention_output '${out.name}' is taken at layer ${out.layer} but fastv_layer is ${requested}; set fastv_layer=${out.layer} or export the model with layer ${requested}'s attention`;
  }
  return null;
}

/**
 * What a decoder choice can give FastV, without running it: its depth, the layer the scores come
 * from (K clamped to the demo decoder's depth, with the note the plan carries), or why it cannot
 * expose layer-K attention (a manifest without a matching `attention_output`, or one that does not read).
 */
export async function describeFastvDecoder(decoder: FastvDecoder, requested: number): Promise<FastvDecoderInfo> {
  if (decoder.kind === 'demo') {
    let config: DemoDecoderConfig;
    try {
      config = fastvDemoConfig(decoder.config, 1);
    } catch (err) {
      return { name: 'demo decoder', numLayers: null, requestedLayer: requested, layer: null, clampNote: null, unavailable: (err as Error).message };
    }
    const resolved = resolveFastvLayer(requested, config.numLayers, 'the demo decoder');
    return { name: demoName(config), numLayers: config.numLayers, requestedLayer: requested, layer: resolved.layer, clampNote: resolved.note, unavailable: null };
  }
  let spec: PrefillModelSpec;
  try {
    spec = await readManifest(decoder.path);
  } catch (err) {
    return { name: path.basename(decoder.path), numLayers: null, requestedLayer: requested, layer: null, clampNote: null, unavailable: `FastV cannot use this decoder: ${(err as Error).message}` };
  }
  const problem = manifestProblem(spec, requested, decoder.path);
  return { name: spec.name, numLayers: spec.numLayers, requestedLayer: requested, layer: problem ? null : requested, clampNote: null, unavailable: problem };
}

async function demoAttention(bundle: FeatureBundle, requested: number, overrides: Partial<DemoDecoderConfig> | undefined, options: { provider?: ProviderName; signal?: AbortSignal }): Promise<FastvAttention> {
  const config = fastvDemoConfig(overrides, bundle.tokenTypes.length);
  const resolved = resolveFastvLayer(requested, config.numLayers, `the demo decoder`);
  const row = await demoBundleAttention(bundle, config, resolved.layer, options);
  const name = config.numLayers === DEFAULT_DEMO_DECODER.numLayers ? 'demo decoder' : `demo decoder, ${config.numLayers} layers`;
  const notes = [`FastV scores come from ${DEMO_DECODER_NAME}: its ranking shows the mechanism, not what a trained thinker attends to.`];
  if (resolved.note) notes.push(resolved.note);
  return { row, source: { decoder: name, requestedLayer: requested, layer: resolved.layer, notes } };
}

async function manifestAttention(bundle: FeatureBundle, requested: number, manifestPath: string, options: { provider?: ProviderName; signal?: AbortSignal }): Promise<FastvAttention> {
  const spec = await readManifest(manifestPath);
  const problem = manifestProblem(spec, requested, manifestPath);
  if (problem) throw new MethodUnavailableError('fastv', problem);
  const out = spec.attentionOutput as NonNullable<PrefillModelSpec['attentionOutput']>;
  if (spec.hiddenSize !== bundle.hiddenSize) {
    throw new MethodUnavailableError('fastv', `${manifestPath}: the model's hidden_size is ${spec.hiddenSize} but the bundle's embeddings have D = ${bundle.hiddenSize}; use a bundle dumped from this model`);
  }
  const session = await ort.InferenceSession.create(spec.modelPath as string, sessionOptions(options.provider ?? 'cpu'));
  try {
    const signature = sessionSignature(session);
    validateSignature(spec, signature, manifestPath);
    if (!signature.outputs.some((o) => o.name === out.name)) {
      throw new MethodUnavailableError('fastv', `${manifestPath}: attention_output '${out.name}' is not an output of the model (its outputs: ${signature.outputs.map((o) => o.name).join(', ')})`);
    }
    throwIfAborted(options.signal);
    const seq = fullSequence(bundle, TextEmbeddings.forBundle(bundle));
    const result = await session.run(modelFeeds(spec, signature, seq, sequencePositions(bundle)));
    const tensor = result[out.name];
    const L = seq.tokens;
    const data = tensor.data as Float32Array;
    let row: Float32Array;
    if (out.layout === 'head_mean') {
      if (data.length !== L) throw new MethodUnavailableError('fastv', `${manifestPath}: attention_output '${out.name}' (head_mean) has ${data.length} values, expected one per position (${L})`);
      row = Float32Array.from(data);
    } else {
      const heads = data.length / L;
      if (!Number.isInteger(heads) || heads < 1) throw new MethodUnavailableError('fastv', `${manifestPath}: attention_output '${out.name}' (per_head) has ${data.length} values, not a multiple of the ${L} positions`);
      row = Float32Array.from(headMean(Array.from({ length: heads }, (_, h) => data.subarray(h * L, (h + 1) * L))));
    }
    return { row, source: { decoder: spec.name, requestedLayer: requested, layer: out.layer, notes: [] } };
  } finally {
    await session.release();
  }
}

/**
 * The bundle to plan `config` with: unchanged unless it is FastV without a usable attention row,
 * then a copy carrying the decoder's row. A model that cannot give the row throws
 * MethodUnavailableError naming what is missing.
 */
export async function bundleForPlanning(bundle: FeatureBundle, config: OmniZipConfig, decoder: FastvDecoder = { kind: 'demo' }, options: { provider?: ProviderName; signal?: AbortSignal } = {}): Promise<FeatureBundle> {
  if (!needsDecoderAttention(bundle, config)) return bundle;
  const attention = await fastvAttention(bundle, config.fastv_layer, decoder, options);
  // One copy per (bundle, row): every per-bundle memo (energy order, speech, proxies) is keyed by
  // the bundle object, so a fresh copy per trial or per setting would recompute them all.
  return wrappedBundles.get(bundle, attention, () => withDecoderAttention(bundle, attention.row, attention.source));
}

const wrappedBundles = new OwnerKeyedMemo<FeatureBundle, FastvAttention, FeatureBundle>();

/** One decoder run for the compute worker's `fastv.attention` (structured-clone safe). */
export interface FastvAttentionRequest {
  bundle: FeatureBundle;
  layer: number;
  decoder: FastvDecoder;
}

export function fastvAttentionJob(request: FastvAttentionRequest, signal?: AbortSignal): Promise<FastvAttention> {
  return fastvAttention(request.bundle, request.layer, request.decoder, { signal });
}

/** Forgets every cached row (tests). */
export function clearFastvAttentionCache(): void {
  cache.clear();
}
