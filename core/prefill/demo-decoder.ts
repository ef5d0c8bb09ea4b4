import { GraphBuilder, attr } from '../onnx/graph-builder.js';
import type { PrefillModelSpec, PositionIdsKind } from './manifest.js';
import { deriveSeed, fillNormal } from './prng.js';
import { OmniZipError } from '../protocol/errors.js';

/**
 * A small decoder-only LLM generated from code, with deterministic weights, so the prefill
 * benchmark runs on any laptop without downloading a model. It is shaped like the Qwen2.5
 * thinker: RMSNorm, grouped-query attention with rotary embeddings driven by the given position
 * ids (1-D, or 3-section M-RoPE), a causal mask, a gated SiLU MLP, residual connections, a final
 * norm and a vocabulary head. Its latency and memory grow with the token count the way a real
 * decoder's do; its weights are random, so its fidelity numbers say nothing about accuracy.
 *
 * Attention is computed in query blocks (like FlashAttention's tiles): each block of queries
 * attends only to the keys up to its own end, so no [seq, seq] score matrix is ever held, and
 * the masked upper triangle costs nothing. Without this the CPU provider materialises
 * heads x seq² floats (2.7 GB at 9180 tokens), and memory would grow quadratically where a
 * FlashAttention model grows linearly. The block count is fixed when the graph is built, so a
 * graph serves sequences up to `maxSequenceLength`.
 */
export interface DemoDecoderConfig {
  hiddenSize: number;
  numLayers: number;
  numAttentionHeads: number;
  numKeyValueHeads: number;
  intermediateSize: number;
  vocabSize: number;
  positionIdsKind: PositionIdsKind;
  /** Longest sequence the graph accepts (rounded up to whole query blocks). */
  maxSequenceLength: number;
  queryBlock: number;
  ropeTheta: number;
  rmsEps: number;
  seed: number;
}

export const DEFAULT_DEMO_DECODER: Readonly<DemoDecoderConfig> = Object.freeze({
  hiddenSize: 512,
  numLayers: 4,
  numAttentionHeads: 8,
  numKeyValueHeads: 2,
  intermediateSize: 1408,
  vocabSize: 8192,
  positionIdsKind: 'mrope',
  maxSequenceLength: 16384,
  queryBlock: 512,
  ropeTheta: 1_000_000,
  rmsEps: 1e-6,
  seed: 20251118,
});

export const DEMO_DECODER_NAME = 'omnizip demo decoder (random weights)';

/** Names of the demo decoder's tensors (also what its manifest maps). */
export const DEMO_TENSORS = Object.freeze({
  inputsEmbeds: 'inputs_embeds',
  positionIds: 'position_ids',
  logits: 'logits',
  lastHiddenState: 'last_hidden_state',
  /** FastV graphs (./layer-attention.ts): the hidden states between the two parts of a split run. */
  hiddenStates: 'hidden_states',
  /** Head-mean post-softmax attention row of the last position at the part's last layer, [seq]. */
  decoderAttention: 'decoder_attention',
});

/**
 * A contiguous slice of the decoder's layers, for FastV: the head runs layers [0, K) on the full
 * sequence and returns the layer-K attention row plus the hidden states; the tail runs [K, L) on
 * the kept rows of those hidden states and ends like the whole decoder. Weights are those of the
 * whole decoder (each layer's weights are drawn from its own seed streams).
 */
export interface DemoDecoderPart {
  fromLayer: number;
  toLayer: number;
  /** `embeds`: `inputs_embeds` like the whole decoder; `hidden`: `hidden_states` from a head part. */
  input: 'embeds' | 'hidden';
  /** `next_token`: logits and last hidden state; `layer_attention`: attention row and hidden states. */
  output: 'next_token' | 'layer_attention';
}

/** Weight streams per layer (q, k, v, o, gate, up, down); the vocabulary head's stream follows the last layer's. */
const STREAMS_PER_LAYER = 7;

export function demoDecoderSpec(config: DemoDecoderConfig): PrefillModelSpec {
  return {
    name: `${DEMO_DECODER_NAME}: d=${config.hiddenSize}, ${config.numLayers} layers, ${config.numAttentionHeads}/${config.numKeyValueHeads} heads, mlp ${config.intermediateSize}, vocab ${config.vocabSize}`,
    modelPath: null,
    inputs: { inputsEmbeds: DEMO_TENSORS.inputsEmbeds, positionIds: DEMO_TENSORS.positionIds, attentionMask: null },
    positionIdsKind: config.positionIdsKind,
    outputs: { logits: DEMO_TENSORS.logits, lastHiddenState: DEMO_TENSORS.lastHiddenState },
    hiddenSize: config.hiddenSize,
    numLayers: config.numLayers,
    numAttentionHeads: config.numAttentionHeads,
    numKeyValueHeads: config.numKeyValueHeads,
    headDim: config.hiddenSize / config.numAttentionHeads,
    intermediateSize: config.intermediateSize,
    kvDtype: 'float32',
  };
}

export class DemoDecoderConfigError extends OmniZipError {
  constructor(message: string) {
    super('bad-config', message);
  }
}

export function checkDemoDecoderConfig(c: DemoDecoderConfig): void {
  const positive = ['hiddenSize', 'numLayers', 'numAttentionHeads', 'numKeyValueHeads', 'intermediateSize', 'vocabSize', 'maxSequenceLength', 'queryBlock'] as const;
  for (const key of positive) {
    if (!Number.isInteger(c[key]) || c[key] <= 0) throw new DemoDecoderConfigError(`demo decoder: ${key} must be a positive integer, got ${c[key]}`);
  }
  if (c.hiddenSize % c.numAttentionHeads !== 0) throw new DemoDecoderConfigError(`demo decoder: hiddenSize ${c.hiddenSize} is not divisible by numAttentionHeads ${c.numAttentionHeads}`);
  if (c.numAttentionHeads % c.numKeyValueHeads !== 0) throw new DemoDecoderConfigError(`demo decoder: numAttentionHeads ${c.numAttentionHeads} is not a multiple of numKeyValueHeads ${c.numKeyValueHeads}`);
  const headDim = c.hiddenSize / c.numAttentionHeads;
  if (headDim % 2 !== 0) throw new DemoDecoderConfigError(`demo decoder: head dim ${headDim} must be even for rotary embeddings`);
  if (c.positionIdsKind === 'mrope' && headDim / 2 < 3) throw new DemoDecoderConfigError(`demo decoder: head dim ${headDim} is too small for 3 M-RoPE sections`);
}

/**
 * M-RoPE sections (temporal, height, width) over the head_dim/2 rotary frequencies, in the
 * proportions of Qwen2.5-Omni's [16, 24, 24] for head_dim 128.
 */
export function mropeSections(headDim: number): [number, number, number] {
  const half = headDim / 2;
  const t = Math.max(1, Math.round((half * 16) / 64));
  const h = Math.max(1, Math.round((half - t) / 2));
  return [t, h, half - t - h];
}

/** Builds the decoder's ONNX bytes. Same config, same bytes. */
export function buildDemoDecoder(config: DemoDecoderConfig): Uint8Array {
  return buildDemoDecoderPart(config, { fromLayer: 0, toLayer: config.numLayers, input: 'embeds', output: 'next_token' });
}

/** Builds one part of the decoder (see DemoDecoderPart); the whole part is the whole decoder, byte for byte. */
export function buildDemoDecoderPart(config: DemoDecoderConfig, part: DemoDecoderPart): Uint8Array {
  checkDemoDecoderConfig(config);
  if (!Number.isInteger(part.fromLayer) || !Number.isInteger(part.toLayer) || part.fromLayer < 0 || part.toLayer > config.numLayers || part.fromLayer >= part.toLayer) {
    throw new DemoDecoderConfigError(`demo decoder: layers [${part.fromLayer}, ${part.toLayer}) are not a non-empty range of its ${config.numLayers} layers`);
  }
  const c = config;
  const d = c.hiddenSize;
  const H = c.numAttentionHeads;
  const kvH = c.numKeyValueHeads;
  const rep = H / kvH;
  const hd = d / H;
  const half = hd / 2;
  const whole = part.fromLayer === 0 && part.toLayer === c.numLayers && part.input === 'embeds' && part.output === 'next_token';
  const g = new GraphBuilder(whole ? 'omnizip_demo_decoder' : `omnizip_demo_decoder_layers_${part.fromLayer}_${part.toLayer}`);
  let stream = 0;
  const weight = (hint: string, rows: number, cols: number, std: number) =>
    g.initializer(hint, 'float32', [rows, cols], fillNormal(new Float32Array(rows * cols), deriveSeed(c.seed, stream++), std));
  const ones = (hint: string, n: number) => g.initializer(hint, 'float32', [n], new Float32Array(n).fill(1));

  const embeds = g.input(part.input === 'embeds' ? DEMO_TENSORS.inputsEmbeds : DEMO_TENSORS.hiddenStates, 'float32', [1, 'seq', d]);
  const positions = g.input(DEMO_TENSORS.positionIds, 'int64', c.positionIdsKind === 'mrope' ? [3, 1, 'seq'] : [1, 'seq']);

  const lastAxis = g.int64s('axis_last', [-1]);
  const eps = g.scalar('rms_eps', c.rmsEps);
  const rmsNorm = (x: string, gamma: string): string => {
    const meanSquare = g.node('ReduceMean', [g.node('Mul', [x, x]), lastAxis], { keepdims: attr.int(1) });
    const inv = g.node('Reciprocal', [g.node('Sqrt', [g.node('Add', [meanSquare, eps])])]);
    return g.node('Mul', [g.node('Mul', [x, inv]), gamma]);
  };

  // x: [seq, d] (batch 1 is squeezed away; the benchmark always runs one sequence).
  let x = g.node('Reshape', [embeds, g.int64s('shape_seq_d', [-1, d])]);
  const seqLen = g.node('Gather', [g.node('Shape', [x]), g.initializer('idx0', 'int64', [], [0])], { axis: attr.int(0) });
  const tokenIndex = g.node('Range', [g.initializer('zero_i64', 'int64', [], [0]), seqLen, g.initializer('one_i64', 'int64', [], [1])]);

  // Rotary angles [seq, half]: position x inverse frequency, per M-RoPE section when 3-D.
  const invFreq = Float32Array.from({ length: half }, (_, i) => Math.pow(c.ropeTheta, -(2 * i) / hd));
  const posFloat = g.node('Cast', [positions], { to: attr.int(1) });
  let angles: string;
  if (c.positionIdsKind === 'mrope') {
    const perAxis = g.node('Mul', [g.node('Reshape', [posFloat, g.int64s('shape_3_seq_1', [3, -1, 1])]), g.initializer('inv_freq', 'float32', [1, 1, half], invFreq)]);
    const [st, sh] = mropeSections(hd);
    // One-hot selector: frequency i takes its angle from the t, h or w position by its section.
    const selector = new Float32Array(3 * half);
    for (let i = 0; i < half; i++) selector[(i < st ? 0 : i < st + sh ? 1 : 2) * half + i] = 1;
    angles = g.node('ReduceSum', [g.node('Mul', [perAxis, g.initializer('mrope_selector', 'float32', [3, 1, half], selector)]), g.int64s('axis0', [0])], { keepdims: attr.int(0) });
  } else {
    angles = g.node('Mul', [g.node('Reshape', [posFloat, g.int64s('shape_seq_1', [-1, 1])]), g.initializer('inv_freq', 'float32', [1, half], invFreq)]);
  }
  const cos = g.node('Concat', [g.node('Cos', [angles]), g.node('Cos', [angles])], { axis: attr.int(-1) });
  const sin = g.node('Concat', [g.node('Sin', [angles]), g.node('Sin', [angles])], { axis: attr.int(-1) });
  const firstHalf = [g.int64s('rot_lo_start', [0]), g.int64s('rot_lo_end', [half]), lastAxis];
  const secondHalf = [g.int64s('rot_hi_start', [half]), g.int64s('rot_hi_end', [hd]), lastAxis];
  // rotate_half convention: (x1, x2) -> (x1 cos - x2 sin, x2 cos + x1 sin).
  const rotary = (t: string): string => {
    const x1 = g.node('Slice', [t, ...firstHalf]);
    const x2 = g.node('Slice', [t, ...secondHalf]);
    const rotated = g.node('Concat', [g.node('Neg', [x2]), x1], { axis: attr.int(-1) });
    return g.node('Add', [g.node('Mul', [t, cos]), g.node('Mul', [rotated, sin])]);
  };

  // Causal masks per query block, shared by all layers: true where key index > query index.
  const blocks = Math.ceil(c.maxSequenceLength / c.queryBlock);
  const axis0 = g.int64s('slice_axis0', [0]);
  const axis2 = g.int64s('slice_axis2', [2]);
  const axis3 = g.int64s('slice_axis3', [3]);
  const blockStarts: string[] = [];
  const blockEnds: string[] = [];
  const blockMasks: string[] = [];
  const zeroStart = g.int64s('block_zero', [0]);
  for (let b = 0; b < blocks; b++) {
    const start = g.int64s(`block${b}_start`, [b * c.queryBlock]);
    const end = g.int64s(`block${b}_end`, [(b + 1) * c.queryBlock]);
    const rows = g.node('Unsqueeze', [g.node('Slice', [tokenIndex, start, end, axis0]), g.int64s(`block${b}_rows_axis`, [1])]);
    const cols = g.node('Unsqueeze', [g.node('Slice', [tokenIndex, zeroStart, end, axis0]), g.int64s(`block${b}_cols_axis`, [0])]);
    blockStarts.push(start);
    blockEnds.push(end);
    blockMasks.push(g.node('Greater', [cols, rows]));
  }
  const masked = g.scalar('mask_value', -1e9);
  const scale = g.scalar('attn_scale', 1 / Math.sqrt(hd));
  const headsShape = (n: number, hint: string) => g.int64s(hint, [-1, n, hd]);

  const projStd = 1 / Math.sqrt(d);
  let attentionRow: string | null = null;
  for (let layer = part.fromLayer; layer < part.toLayer; layer++) {
    stream = layer * STREAMS_PER_LAYER;
    const p = `layer${layer}`;
    const h = rmsNorm(x, ones(`${p}_attn_norm`, d));
    // q: [seq, H, hd] -> [H, seq, hd] -> rotary -> [kvH, rep, seq, hd] (head k*rep+r reads kv head k).
    const q = g.node('Transpose', [g.node('Reshape', [g.node('MatMul', [h, weight(`${p}_wq`, d, H * hd, projStd)]), headsShape(H, `${p}_q_shape`)])], { perm: attr.ints([1, 0, 2]) });
    const k = g.node('Transpose', [g.node('Reshape', [g.node('MatMul', [h, weight(`${p}_wk`, d, kvH * hd, projStd)]), headsShape(kvH, `${p}_k_shape`)])], { perm: attr.ints([1, 0, 2]) });
    const v = g.node('Transpose', [g.node('Reshape', [g.node('MatMul', [h, weight(`${p}_wv`, d, kvH * hd, projStd)]), headsShape(kvH, `${p}_v_shape`)])], { perm: attr.ints([1, 0, 2]) });
    const qGrouped = g.node('Reshape', [g.node('Mul', [rotary(q), scale]), g.int64s(`${p}_q_grouped`, [kvH, rep, -1, hd])]);
    const kT = g.node('Reshape', [g.node('Transpose', [rotary(k)], { perm: attr.ints([0, 2, 1]) }), g.int64s(`${p}_kt_shape`, [kvH, 1, hd, -1])]);
    const vGrouped = g.node('Reshape', [v, g.int64s(`${p}_v_grouped`, [kvH, 1, -1, hd])]);
    if (part.output === 'layer_attention' && layer === part.toLayer - 1) {
      // FastV's score: the last position's query against every key (it sees the whole prefix, so
      // no mask), softmax per head, then the mean over all H heads -> [seq].
      const last = g.node('Sub', [seqLen, g.initializer('fastv_one', 'int64', [], [1])]);
      const lastStart = g.node('Unsqueeze', [last, g.int64s('fastv_unsq_axis', [0])]);
      const lastEnd = g.node('Unsqueeze', [seqLen, g.int64s('fastv_unsq_axis_end', [0])]);
      const qLast = g.node('Slice', [qGrouped, lastStart, lastEnd, axis2]);
      const probs = g.node('Softmax', [g.node('MatMul', [qLast, kT])], { axis: attr.int(-1) });
      attentionRow = g.node('ReduceMean', [probs, g.int64s('fastv_head_axes', [0, 1, 2])], { keepdims: attr.int(0) }, DEMO_TENSORS.decoderAttention);
    }
    const outputs: string[] = [];
    for (let b = 0; b < blocks; b++) {
      // Blocks past the sequence end slice to empty tensors and cost nothing.
      const qb = g.node('Slice', [qGrouped, blockStarts[b], blockEnds[b], axis2]);
      const kb = g.node('Slice', [kT, zeroStart, blockEnds[b], axis3]);
      const vb = g.node('Slice', [vGrouped, zeroStart, blockEnds[b], axis2]);
      const scores = g.node('Where', [blockMasks[b], masked, g.node('MatMul', [qb, kb])]);
      outputs.push(g.node('MatMul', [g.node('Softmax', [scores], { axis: attr.int(-1) }), vb]));
    }
    const attnHeads = outputs.length === 1 ? outputs[0] : g.node('Concat', outputs, { axis: attr.int(2) });
    // [kvH, rep, seq, hd] -> [H, seq, hd] -> [seq, H, hd] -> [seq, d]
    const merged = g.node('Reshape', [
      g.node('Transpose', [g.node('Reshape', [attnHeads, g.int64s(`${p}_heads_shape`, [H, -1, hd])])], { perm: attr.ints([1, 0, 2]) }),
      g.int64s(`${p}_merge_shape`, [-1, d]),
    ]);
    x = g.node('Add', [x, g.node('MatMul', [merged, weight(`${p}_wo`, d, d, projStd)])]);

    const m = rmsNorm(x, ones(`${p}_mlp_norm`, d));
    const gate = g.node('MatMul', [m, weight(`${p}_w_gate`, d, c.intermediateSize, projStd)]);
    const up = g.node('MatMul', [m, weight(`${p}_w_up`, d, c.intermediateSize, projStd)]);
    const act = g.node('Mul', [g.node('Mul', [gate, g.node('Sigmoid', [gate])]), up]);
    x = g.node('Add', [x, g.node('MatMul', [act, weight(`${p}_w_down`, c.intermediateSize, d, 1 / Math.sqrt(c.intermediateSize))])]);
  }

  if (part.output === 'layer_attention') {
    if (attentionRow === null) throw new DemoDecoderConfigError('demo decoder: no attention row was built');
    g.node('Reshape', [x, g.int64s('shape_1_seq_d', [1, -1, d])], {}, DEMO_TENSORS.hiddenStates);
    g.output(DEMO_TENSORS.decoderAttention, 'float32', ['seq']);
    g.output(DEMO_TENSORS.hiddenStates, 'float32', [1, 'seq', d]);
    return g.toModelBytes({ opset: 18, docString: `${DEMO_DECODER_NAME}; seed ${c.seed}; layers ${part.fromLayer}..${part.toLayer - 1} with the last one's attention row` });
  }
  // Only the last position's hidden state and logits leave the graph: the next token is all the
  // fidelity metrics need, and a [seq, vocab] output would dwarf the model itself.
  stream = c.numLayers * STREAMS_PER_LAYER;
  const lastIndex = g.node('Sub', [seqLen, g.initializer('one_i64_b', 'int64', [], [1])]);
  const lastRow = g.node('Gather', [x, g.node('Unsqueeze', [lastIndex, g.int64s('axis0_u', [0])])], { axis: attr.int(0) });
  const hidden = g.node('Identity', [rmsNorm(lastRow, ones('final_norm', d))], {}, DEMO_TENSORS.lastHiddenState);
  // Logit scale 4/sqrt(d) gives a peaked next-token distribution, like a trained model's.
  g.node('MatMul', [hidden, weight('lm_head', d, c.vocabSize, 4 / Math.sqrt(d))], {}, DEMO_TENSORS.logits);
  g.output(DEMO_TENSORS.logits, 'float32', [1, c.vocabSize]);
  g.output(DEMO_TENSORS.lastHiddenState, 'float32', [1, d]);
  return g.toModelBytes({ opset: 18, docString: whole ? `${DEMO_DECODER_NAME}; seed ${c.seed}` : `${DEMO_DECODER_NAME}; seed ${c.seed}; layers ${part.fromLayer}..${part.toLayer - 1}` });
}

/**
 * Fixed random projection from the bundle's hidden size D to the demo decoder's d, applied once
 * per sequence before timing (a real thinker takes D directly; this layer is not part of it).
 * Entries ~ N(0, 1/D) keep row norms comparable (Johnson-Lindenstrauss), so cosine structure
 * between tokens survives.
 */
export function buildInputProjection(inputSize: number, outputSize: number, seed: number): Uint8Array {
  const g = new GraphBuilder('omnizip_demo_projection');
  const x = g.input('x', 'float32', ['n', inputSize]);
  const w = g.initializer('projection', 'float32', [inputSize, outputSize], fillNormal(new Float32Array(inputSize * outputSize), deriveSeed(seed, 0x70726f6a), 1 / Math.sqrt(inputSize)));
  g.node('MatMul', [x, w], {}, 'y');
  g.output('y', 'float32', ['n', outputSize]);
  return g.toModelBytes({ opset: 18 });
}

/**
 * Floating-point operations (2 per multiply-add) of one demo-decoder prefill over `tokens` tokens:
 * the projections, the gated MLP, causal attention (each query against the keys up to itself)
 * and the last row's vocabulary head. Norms, rotary and softmax are left out (linear, small).
 */
export function demoDecoderFlops(config: DemoDecoderConfig, tokens: number): number {
  const d = config.hiddenSize;
  const hd = d / config.numAttentionHeads;
  const kvWidth = config.numKeyValueHeads * hd;
  const n = tokens;
  const projections = 2 * n * (d * d + 2 * d * kvWidth + d * d);
  const mlp = 2 * n * 3 * d * config.intermediateSize;
  const causalPairs = (n * (n + 1)) / 2;
  const attention = 2 * 2 * causalPairs * hd * config.numAttentionHeads;
  return config.numLayers * (projections + mlp + attention) + 2 * d * config.vocabSize;
}
