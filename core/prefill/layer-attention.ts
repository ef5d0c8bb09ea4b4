import ort from 'onnxruntime-node';
import type { FeatureBundle } from '../bundle/types.js';
import { sessionOptions, type ProviderName } from '../onnx/session.js';
import { DEMO_TENSORS, buildDemoDecoderPart, buildInputProjection, demoDecoderSpec, type DemoDecoderConfig } from './demo-decoder.js';
import { PrefillError, throwIfAborted } from './errors.js';
import { modelFeeds, sessionSignature } from './feeds.js';
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

/**
 * FastV prefill as two sessions: the head (layers 1..K, full sequence) and the tail (layers K+1..L
 * on the kept rows). With K = L the tail is empty and the head's result is the whole decoder's.
 */
export class DemoSplitPrefill {
  private constructor(
    readonly config: DemoDecoderConfig,
    readonly layer: number,
    private readonly head: ort.InferenceSession,
    private readonly tail: ort.InferenceSession | null,
  ) {}

  static async create(config: DemoDecoderConfig, layer: number, provider: ProviderName = 'cpu'): Promise<DemoSplitPrefill> {
    const opts = sessionOptions(provider);
    const full = layer >= config.numLayers;
    const head = await ort.InferenceSession.create(
      full ? buildDemoDecoderPart(config, { fromLayer: 0, toLayer: config.numLayers, input: 'embeds', output: 'next_token' }) : buildDemoDecoderPart(config, { fromLayer: 0, toLayer: layer, input: 'embeds', output: 'layer_attention' }),
      opts,
    );
    const tail = full ? null : await ort.InferenceSession.create(buildDemoDecoderPart(config, { fromLayer: layer, toLayer: config.numLayers, input: 'hidden', output: 'next_token' }), opts);
    return new DemoSplitPrefill(config, Math.min(layer, config.numLayers), head, tail);
  }

  /** Next-token logits of the full sequence `seq` with only `kept` rows going past layer K. */
  async run(seq: PrefillSequence, kept: ArrayLike<number>, positions: SequencePositions): Promise<{ logits: Float32Array; lastHidden: Float32Array; tailTokens: number }> {
    const spec = demoDecoderSpec(this.config);
    const out = await this.head.run(modelFeeds(spec, sessionSignature(this.head), seq, positions));
    if (!this.tail) return { logits: out[DEMO_TENSORS.logits].data as Float32Array, lastHidden: out[DEMO_TENSORS.lastHiddenState].data as Float32Array, tailTokens: 0 };
    const rows = keptRows(out[DEMO_TENSORS.hiddenStates].data as Float32Array, seq, kept, `${seq.label} after layer ${this.layer}`);
    const tailSpec = { ...spec, inputs: { ...spec.inputs, inputsEmbeds: DEMO_TENSORS.hiddenStates } };
    const tailOut = await this.tail.run(modelFeeds(tailSpec, sessionSignature(this.tail), rows, positions));
    return { logits: tailOut[DEMO_TENSORS.logits].data as Float32Array, lastHidden: tailOut[DEMO_TENSORS.lastHiddenState].data as Float32Array, tailTokens: rows.tokens };
  }

  async release(): Promise<void> {
    await this.head.release();
    await this.tail?.release();
  }
}
