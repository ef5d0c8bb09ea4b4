import type ort from 'onnxruntime-node';
import { Tensor } from 'onnxruntime-node';
import { GraphBuilder, attr } from '../onnx/graph-builder.js';
import { createSession } from '../onnx/session.js';
import { OperationCancelledError } from '../media/errors.js';
import { framesToNchw } from './frames-to-tensor.js';
import { SeededRandom } from './random.js';
import { EncoderError, type RunControl, type VisionEncoder } from './types.js';

/**
 * The built-in demo vision encoder. NOT a neural network: per 28x28 cell of each 2-frame temporal
 * patch it measures a 4x4 grid of mean colours, colour spread, horizontal / vertical gradient
 * energy and frame-to-frame change, and maps these 54 statistics to D dimensions with a fixed
 * random projection (seeded, so every machine builds the same model). Tokens of cells that look
 * alike are therefore similar, which is what OmniZip's spatial (density-peak) and temporal
 * (same-position similarity) pruning look at.
 */
const CELL = 28;
const SUB = 4; // 4x4 colour sub-grid per cell
const FEATURES = 3 * SUB * SUB + 3 + 3;
const PATCHES_PER_RUN = 8;

export function buildDemoVisionModel(height: number, width: number, hiddenSize: number, seed: number): Uint8Array {
  if (height % CELL !== 0 || width % CELL !== 0) throw new EncoderError(`demo vision encoder needs sides that are multiples of 28, got ${width}x${height}`);
  const hb = height / CELL;
  const wb = width / CELL;
  const g = new GraphBuilder('omnizip_demo_vision');
  const frames = g.input('frames', 'float32', ['frames', 3, height, width]);
  const axes = (name: string, values: number[]) => g.int64s(name, values);
  const mean = (x: string, dims: number[], keep = 0) => g.node('ReduceMean', [x, axes('axes', dims)], { keepdims: attr.int(keep) });
  const reshape = (x: string, shape: number[]) => g.node('Reshape', [x, axes('shape', shape)]);
  const slice = (x: string, start: number, end: number, axis: number) =>
    g.node('Slice', [x, axes('starts', [start]), axes('ends', [end]), axes('slice_axis', [axis])]);

  // Colour layout: mean RGB of a 4x4 grid of 7x7 sub-cells, over both frames of the patch.
  const sub = mean(reshape(frames, [-1, 2, 3, hb, SUB, CELL / SUB, wb, SUB, CELL / SUB]), [1, 5, 8]);
  const colour = reshape(g.node('Transpose', [sub], { perm: attr.ints([0, 2, 4, 1, 3, 5]) }), [-1, 3 * SUB * SUB]);
  const colourCentred = g.node('Sub', [colour, g.scalar('half', 0.5)]);

  // Colour spread inside the cell (texture / busy-ness).
  const cells = reshape(frames, [-1, 2, 3, hb, CELL, wb, CELL]);
  const cellMean = mean(cells, [1, 4, 6]);
  const cellMeanSq = mean(g.node('Mul', [cells, cells]), [1, 4, 6]);
  const variance = g.node('Relu', [g.node('Sub', [cellMeanSq, g.node('Mul', [cellMean, cellMean])])]);
  const spread = g.node('Sqrt', [g.node('Add', [variance, g.scalar('eps', 1e-6)])]);
  const spreadRows = reshape(g.node('Transpose', [spread], { perm: attr.ints([0, 2, 3, 1]) }), [-1, 3]);

  // Luminance gradients within the cell and change between the patch's two frames.
  const gray = reshape(mean(frames, [1], 1), [-1, 2, hb, CELL, wb, CELL]);
  const absDiff = (a: string, b: string) => g.node('Abs', [g.node('Sub', [a, b])]);
  const gradX = mean(absDiff(slice(gray, 1, CELL, 5), slice(gray, 0, CELL - 1, 5)), [1, 3, 5]);
  const gradY = mean(absDiff(slice(gray, 1, CELL, 3), slice(gray, 0, CELL - 1, 3)), [1, 3, 5]);
  const change = mean(absDiff(slice(gray, 1, 2, 1), slice(gray, 0, 1, 1)), [1, 3, 5]);
  const column = (x: string) => reshape(x, [-1, 1]);

  const features = g.node('Concat', [colourCentred, spreadRows, column(gradX), column(gradY), column(change)], { axis: attr.int(1) });
  // Weight the statistics so that colour layout, texture and motion contribute comparably.
  const weights = new Float32Array(FEATURES).fill(1);
  weights.fill(2, 48, 51);
  weights.fill(6, 51, 54);
  const weighted = g.node('Mul', [features, g.initializer('feature_weights', 'float32', [FEATURES], weights)]);
  const rng = new SeededRandom(seed);
  const projection = g.initializer('projection', 'float32', [FEATURES, hiddenSize], rng.gaussianMatrix(FEATURES, hiddenSize, 1 / Math.sqrt(FEATURES)));
  const bias = g.initializer('bias', 'float32', [hiddenSize], rng.gaussianMatrix(1, hiddenSize, 0.05));
  const tokens = g.node('Add', [g.node('MatMul', [weighted, projection]), bias], {}, 'video_embeds');
  g.output(tokens, 'float32', ['tokens', hiddenSize]);
  return g.toModelBytes({ docString: 'OmniZip Studio demo vision encoder: cell statistics + fixed random projection (not a trained model)' });
}

/**
 * Received attention of one parameter-free self-attention step over each temporal patch's tokens:
 * P = softmax_j(x_i·x_j / √D) per query row i, score_j = Σ_i P[i, j]. The demo encoder has no
 * attention of its own; this gives its bundles a `video_scores` with VisionZip's definition
 * (attention received within the patch) so the VisionZip baseline runs on the encoder path.
 */
export function patchReceivedAttention(tokens: Float32Array, tokensPerPatch: number, hiddenSize: number): Float32Array {
  const n = tokens.length / hiddenSize;
  const out = new Float32Array(n);
  const scale = 1 / Math.sqrt(hiddenSize);
  const row = new Float64Array(tokensPerPatch);
  for (let start = 0; start + tokensPerPatch <= n; start += tokensPerPatch) {
    for (let i = 0; i < tokensPerPatch; i++) {
      const qi = (start + i) * hiddenSize;
      let max = -Infinity;
      for (let j = 0; j < tokensPerPatch; j++) {
        const kj = (start + j) * hiddenSize;
        let dot = 0;
        for (let d = 0; d < hiddenSize; d++) dot += tokens[qi + d] * tokens[kj + d];
        row[j] = dot * scale;
        if (row[j] > max) max = row[j];
      }
      let sum = 0;
      for (let j = 0; j < tokensPerPatch; j++) {
        row[j] = Math.exp(row[j] - max);
        sum += row[j];
      }
      for (let j = 0; j < tokensPerPatch; j++) out[start + j] += row[j] / sum;
    }
  }
  return out;
}

export class DemoVisionEncoder implements VisionEncoder {
  readonly receivedAttentionSource = 'demo vision encoder: parameter-free self-attention over each temporal patch (softmax(x·xᵀ/√D), summed over queries)';
  private readonly sessions = new Map<string, Promise<ort.InferenceSession>>();

  constructor(
    readonly hiddenSize: number,
    private readonly seed: number,
  ) {}

  private session(height: number, width: number): Promise<ort.InferenceSession> {
    const key = `${height}x${width}`;
    let session = this.sessions.get(key);
    if (!session) {
      session = createSession(buildDemoVisionModel(height, width, this.hiddenSize, this.seed), 'cpu');
      this.sessions.set(key, session);
    }
    return session;
  }

  async encode(frames: Uint8Array[], width: number, height: number, control: RunControl = {}): Promise<Float32Array> {
    if (frames.length % 2 !== 0) throw new EncoderError(`demo vision encoder needs an even number of frames, got ${frames.length}`);
    const session = await this.session(height, width);
    const tokensPerPatch = (height / CELL) * (width / CELL);
    const patches = frames.length / 2;
    const out = new Float32Array(patches * tokensPerPatch * this.hiddenSize);
    for (let p = 0; p < patches; p += PATCHES_PER_RUN) {
      if (control.signal?.aborted) throw new OperationCancelledError('video encoding');
      const batch = frames.slice(p * 2, Math.min(patches, p + PATCHES_PER_RUN) * 2);
      const input = new Tensor('float32', framesToNchw(batch, width, height), [batch.length, 3, height, width]);
      const result = await session.run({ frames: input });
      out.set(result.video_embeds.data as Float32Array, p * tokensPerPatch * this.hiddenSize);
      control.onProgress?.(Math.min(1, (p + PATCHES_PER_RUN) / patches));
    }
    return out;
  }

  receivedAttention(tokens: Float32Array, tokensPerPatch: number): Float32Array {
    return patchReceivedAttention(tokens, tokensPerPatch, this.hiddenSize);
  }

  async dispose(): Promise<void> {
    for (const s of this.sessions.values()) await (await s).release();
    this.sessions.clear();
  }
}
