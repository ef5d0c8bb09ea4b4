import ort from 'onnxruntime-node';
import type { FeatureBundle } from '../bundle/types.js';
import { sessionOptions, type ProviderName } from '../onnx/session.js';
import { DEMO_TENSORS, buildDemoDecoderPart, buildInputProjection, demoDecoderSpec, type DemoDecoderConfig } from './demo-decoder.js';
import { PrefillError, throwIfAborted } from './errors.js';
import { modelFeeds, sessionSignature } from './feeds.js';
import type { ModelSignature, PrefillModelSpec } from './manifest.js';
import { sequencePositions, type SequencePositions } from './positions.js';
import { TextEmbeddings, fullSequence, type PrefillSequence } from './prefill-sequence.js';

/**
 * FastV's input from the studio's own demo decoder: the attention that every position receives
 * from the last position at decoder layer K (head mean, post-softmax), from a graph that runs only
 * the first K layers on the full sequence. Also FastV's split prefill: the first K layers on the
 * full sequence, the remaining ones on the kept rows only (original positions kept).
 */

export interface FastvLayer {
  /** The 1-based layer the attention is taken at (and the split happens after). */
  layer: number;
  /** Set when the requested K was clamped to the decoder's depth. */
  note: string | null;
}

/**
 * K beyond the decoder's depth is clamped to its last layer (the paper's K = 5 on the 4-layer demo
 * decoder): the ranking then uses the last layer's attention and the split prefill prunes nothing
 * inside the decoder. The plan's notes say so.
 */
export function resolveFastvLayer(requested: number, numLayers: number, decoderName: string): FastvLayer {
  if (!Number.isInteger(requested) || requested < 1) throw new PrefillError(`fastv_layer must be a positive integer, got ${requested}`);
  if (requested <= numLayers) return { layer: requested, note: null };
  return {
    layer: numLayers,
    note: `fastv_layer K=${requested} clamped to ${numLayers} of a ${numLayers}-layer decoder (${decoderName}): FastV ranks by its last layer's attention, every decoder layer sees every token and only the kept count differs.`,
  };
}

/** The bundle's full sequence at the demo decoder's width (the runner's fixed projection, same seed). */
export async function demoInputSequence(bundle: FeatureBundle, config: DemoDecoderConfig, provider: ProviderName = 'cpu'): Promise<PrefillSequence> {
  const seq = fullSequence(bundle, TextEmbeddings.forBundle(bundle));
  if (seq.hiddenSize === config.hiddenSize) return seq;
  const session = await ort.InferenceSession.create(buildInputProjection(seq.hiddenSize, config.hiddenSize, config.seed), sessionOptions(provider));
  try {
    const out = await session.run({ x: new ort.Tensor('float32', seq.embeds, [seq.tokens, seq.hiddenSize]) });
    return { ...seq, embeds: out.y.data as Float32Array, hiddenSize: config.hiddenSize };
  } finally {
    await session.release();
  }
}

export interface LayerAttentionResult {
  /** [seq]: the attention each position receives from the last one at `layer`. */
  row: Float32Array;
  /** [seq, d]: hidden states after `layer` (what the split prefill's tail continues from). */
  hidden: Float32Array;
  layer: number;
}

/** Runs layers 1..K of the demo decoder on `seq` and returns the layer-K attention row and hidden states. */
export async function demoLayerAttention(
  config: DemoDecoderConfig,
  layer: number,
  seq: PrefillSequence,
  positions: SequencePositions,
  options: { provider?: ProviderName; signal?: AbortSignal } = {},
): Promise<LayerAttentionResult> {
  if (seq.hiddenSize !== config.hiddenSize) throw new PrefillError(`sequence '${seq.label}' has width ${seq.hiddenSize}, the demo decoder ${config.hiddenSize}`);
  const session = await ort.InferenceSession.create(buildDemoDecoderPart(config, { fromLayer: 0, toLayer: layer, input: 'embeds', output: 'layer_attention' }), sessionOptions(options.provider ?? 'cpu'));
  try {
    throwIfAborted(options.signal);
    const spec = demoDecoderSpec(config);
    const out = await session.run(modelFeeds(spec, sessionSignature(session), seq, positions));
    return { row: out[DEMO_TENSORS.decoderAttention].data as Float32Array, hidden: out[DEMO_TENSORS.hiddenStates].data as Float32Array, layer };
  } finally {
    await session.release();
  }
}

/** The layer-K attention row of the demo decoder for a bundle's full sequence. */
export async function demoBundleAttention(bundle: FeatureBundle, config: DemoDecoderConfig, layer: number, options: { provider?: ProviderName; signal?: AbortSignal } = {}): Promise<Float32Array> {
  const seq = await demoInputSequence(bundle, config, options.provider);
  throwIfAborted(options.signal);
  return (await demoLayerAttention(config, layer, seq, sequencePositions(bundle), options)).row;
}

/** Rows `kept` (sorted indices into `seq`) of a [seq, d] matrix, with their original positions. */
export function keptRows(hidden: Float32Array, seq: PrefillSequence, kept: ArrayLike<number>, label: string): PrefillSequence {
  const d = seq.hiddenSize;
  const embeds = new Float32Array(kept.length * d);
  const positions = new Int32Array(kept.length);
  for (let i = 0; i < kept.length; i++) {
    const r = kept[i];
    if (r < 0 || r >= seq.tokens || (i > 0 && r <= kept[i - 1])) throw new PrefillError(`kept rows must be sorted, distinct rows of the ${seq.tokens}-row sequence; row ${i} is ${r}`);
    embeds.set(hidden.subarray(r * d, (r + 1) * d), i * d);
    positions[i] = seq.sequencePositions[r];
  }
  return { label, embeds, hiddenSize: d, sequencePositions: positions, tokens: kept.length, audioVideoTokens: seq.audioVideoTokens };
}

/** One part of FastV's split decoder: its graph and the spec its feeds and outputs follow. */
export interface SplitPart {
  model: Uint8Array;
  spec: PrefillModelSpec;
}

/**
 * The demo decoder split after `layer` for FastV: the head (layers 1..K on the full sequence,
 * ending in the hidden states) and the tail (layers K+1..L on the kept rows, starting from them).
 * With K = L the head is the whole decoder and there is no tail. Built once per run and shared by
 * the memory pass and the timed sessions: building a graph is not free, and it is not prefill.
 */
export function demoSplitParts(config: DemoDecoderConfig, layer: number): { head: SplitPart; tail: SplitPart | null } {
  const spec = demoDecoderSpec(config);
  if (layer >= config.numLayers) return { head: { model: buildDemoDecoderPart(config, { fromLayer: 0, toLayer: config.numLayers, input: 'embeds', output: 'next_token' }), spec }, tail: null };
  return {
    // The head's hidden states stand in for logits in the memory child's signature check (rank 3, float32).
    head: { model: buildDemoDecoderPart(config, { fromLayer: 0, toLayer: layer, input: 'embeds', output: 'layer_attention' }), spec: { ...spec, outputs: { logits: DEMO_TENSORS.hiddenStates, lastHiddenState: null } } },
    tail: { model: buildDemoDecoderPart(config, { fromLayer: layer, toLayer: config.numLayers, input: 'hidden', output: 'next_token' }), spec: { ...spec, inputs: { ...spec.inputs, inputsEmbeds: DEMO_TENSORS.hiddenStates } } },
  };
}

/** A split part's session with its spec and signature read once, not on every timed run. */
interface SplitSession {
  session: ort.InferenceSession;
  spec: PrefillModelSpec;
  signature: ModelSignature;
}

async function splitSession(part: SplitPart, provider: ProviderName): Promise<SplitSession> {
  const session = await ort.InferenceSession.create(part.model, sessionOptions(provider));
  return { session, spec: part.spec, signature: sessionSignature(session) };
}

/**
 * FastV prefill as two sessions: the head (layers 1..K, full sequence) and the tail (layers K+1..L
 * on the kept rows). With K = L the tail is empty and the head's result is the whole decoder's.
 */
export class DemoSplitPrefill {
  private constructor(
    readonly config: DemoDecoderConfig,
    readonly layer: number,
    private readonly head: SplitSession,
    private readonly tail: SplitSession | null,
  ) {}

  /** Sessions for the split after `layer`, from `parts` when the caller already built them. */
  static async create(config: DemoDecoderConfig, layer: number, provider: ProviderName = 'cpu', parts = demoSplitParts(config, layer)): Promise<DemoSplitPrefill> {
    const head = await splitSession(parts.head, provider);
    const tail = parts.tail ? await splitSession(parts.tail, provider) : null;
    return new DemoSplitPrefill(config, Math.min(layer, config.numLayers), head, tail);
  }

  /** Next-token logits of the full sequence `seq` with only `kept` rows going past layer K. */
  async run(seq: PrefillSequence, kept: ArrayLike<number>, positions: SequencePositions): Promise<{ logits: Float32Array; lastHidden: Float32Array; tailTokens: number }> {
    const head = this.head;
    const out = await head.session.run(modelFeeds(head.spec, head.signature, seq, positions));
    if (!this.tail) return { logits: out[DEMO_TENSORS.logits].data as Float32Array, lastHidden: out[DEMO_TENSORS.lastHiddenState].data as Float32Array, tailTokens: 0 };
    const rows = keptRows(out[DEMO_TENSORS.hiddenStates].data as Float32Array, seq, kept, `${seq.label} after layer ${this.layer}`);
    const tail = this.tail;
    const tailOut = await tail.session.run(modelFeeds(tail.spec, tail.signature, rows, positions));
    return { logits: tailOut[DEMO_TENSORS.logits].data as Float32Array, lastHidden: tailOut[DEMO_TENSORS.lastHiddenState].data as Float32Array, tailTokens: rows.tokens };
  }

  async release(): Promise<void> {
    await this.head.session.release();
    await this.tail?.session.release();
  }
}
