import type ort from 'onnxruntime-node';
import { Tensor } from 'onnxruntime-node';
import { GraphBuilder, attr } from '../onnx/graph-builder.js';
import { createSession } from '../onnx/session.js';
import { OperationCancelledError } from '../media/errors.js';
import type { LogMel } from '../media/log-mel.js';
import { SeededRandom } from './random.js';
import { EncoderError, audioTokenCount, type AudioEncoder, type AudioTokens, type RunControl } from './types.js';

/**
 * The built-in demo audio encoder. NOT a trained model, but built like the part of Qwen2.5-Omni's
 * audio tower OmniZip reads:
 * - a stride-2 smoothing convolution over the log-mel (100 -> 50 frames/s, as conv2 does);
 * - a fixed random tanh projection of each (mean-normalised) frame to D dimensions;
 * - one self-attention layer whose keys carry a loudness / onset term, so every query attends
 *   more to frames with energy and spectral change (speech, sound events) than to silence;
 * - importance = mean attention each frame receives over all queries (softmax over the whole clip,
 *   like OmniZip's `attn_logits`), then pair-averaged to 25 tokens/s, as are the embeddings.
 * Attention runs in query blocks so long clips need memory linear in their length per block.
 */
const KEY_DIM = 64;
const QUERY_BLOCK = 512;
/**
 * Weight of loudness and onset strength in every attention logit. Both are z-scored over the clip
 * and squashed with tanh so one click cannot take all the attention: loud frames get up to about
 * e^3 (20x) the attention of silent ones, onsets up to e^1 more.
 */
const LOUDNESS_WEIGHT = 1.5;
const ONSET_WEIGHT = 0.5;

export function buildDemoAudioFrontend(hiddenSize: number, numMels: number, seed: number): Uint8Array {
  const g = new GraphBuilder('omnizip_demo_audio_frontend');
  const mel = g.input('input_features', 'float32', [1, numMels, 'mel_frames']);
  const axes = (name: string, values: number[]) => g.int64s(name, values);
  const mean = (x: string, dims: number[]) => g.node('ReduceMean', [x, axes('axes', dims)], { keepdims: attr.int(1) });
  const kernel = new Float32Array(numMels * 3);
  for (let m = 0; m < numMels; m++) kernel.set([0.25, 0.5, 0.25], m * 3);
  const conv = g.node('Conv', [mel, g.initializer('smooth', 'float32', [numMels, 1, 3], kernel)], {
    group: attr.int(numMels),
    strides: attr.ints([2]),
    pads: attr.ints([1, 1]),
    kernel_shape: attr.ints([3]),
  });
  const frames = g.node('Transpose', [g.node('Squeeze', [conv, axes('batch', [0])])], { perm: attr.ints([1, 0]) });

  const zScore = (x: string) => {
    const centred = g.node('Sub', [x, mean(x, [0])]);
    const std = g.node('Sqrt', [g.node('Add', [mean(g.node('Mul', [centred, centred]), [0]), g.scalar('var_eps', 1e-4)])]);
    return g.node('Div', [centred, std]);
  };
  const loudness = mean(frames, [1]);
  const slice = (x: string, start: number, end: number) => g.node('Slice', [x, axes('starts', [start]), axes('ends', [end]), axes('frame_axis', [0])]);
  const rise = g.node('Relu', [g.node('Sub', [slice(frames, 1, 2 ** 31 - 1), slice(frames, 0, -1)])]);
  const onset = g.node('Concat', [g.initializer('first_onset', 'float32', [1, 1], [0]), mean(rise, [1])], { axis: attr.int(0) });
  const squashed = (x: string, weight: number, name: string) => g.node('Mul', [g.node('Tanh', [zScore(x)]), g.scalar(name, weight)]);
  const keyBias = g.node('Add', [squashed(loudness, LOUDNESS_WEIGHT, 'loudness_weight'), squashed(onset, ONSET_WEIGHT, 'onset_weight')]);
  g.output(g.node('Reshape', [keyBias, axes('flat', [-1])], {}, 'key_bias'), 'float32', ['frames']);

  const rng = new SeededRandom(seed);
  const normalised = g.node('Sub', [frames, mean(frames, [0])]);
  const inProj = g.initializer('in_proj', 'float32', [numMels, hiddenSize], rng.gaussianMatrix(numMels, hiddenSize, 2 / Math.sqrt(numMels)));
  const hidden = g.node('Tanh', [g.node('MatMul', [normalised, inProj])], {}, 'hidden');
  g.output(hidden, 'float32', ['frames', hiddenSize]);
  const wq = g.initializer('w_query', 'float32', [hiddenSize, KEY_DIM], rng.gaussianMatrix(hiddenSize, KEY_DIM, 0.5 / Math.sqrt(hiddenSize)));
  const wk = g.initializer('w_key', 'float32', [hiddenSize, KEY_DIM], rng.gaussianMatrix(hiddenSize, KEY_DIM, 0.5 / Math.sqrt(hiddenSize)));
  g.output(g.node('MatMul', [hidden, wq], {}, 'query'), 'float32', ['frames', KEY_DIM]);
  g.output(g.node('MatMul', [hidden, wk], {}, 'key'), 'float32', ['frames', KEY_DIM]);
  return g.toModelBytes({ docString: 'OmniZip Studio demo audio encoder front end (not a trained model)' });
}

/** softmax(q k^T / sqrt(dk) + key_bias) for one block of queries: context rows and attention received. */
export function buildDemoAudioAttention(hiddenSize: number): Uint8Array {
  const g = new GraphBuilder('omnizip_demo_audio_attention');
  const q = g.input('query', 'float32', ['block', KEY_DIM]);
  const k = g.input('key', 'float32', ['frames', KEY_DIM]);
  const v = g.input('hidden', 'float32', ['frames', hiddenSize]);
  const bias = g.input('key_bias', 'float32', ['frames']);
  const logits = g.node('Add', [g.node('Mul', [g.node('MatMul', [q, g.node('Transpose', [k], { perm: attr.ints([1, 0]) })]), g.scalar('inv_sqrt_dk', 1 / Math.sqrt(KEY_DIM))]), bias]);
  const probs = g.node('Softmax', [logits], { axis: attr.int(-1) });
  g.output(g.node('MatMul', [probs, v], {}, 'context'), 'float32', ['block', hiddenSize]);
  g.output(g.node('ReduceSum', [probs, g.int64s('queries', [0])], { keepdims: attr.int(0) }, 'received'), 'float32', ['frames']);
  return g.toModelBytes({ docString: 'OmniZip Studio demo audio encoder attention layer' });
}

export class DemoAudioEncoder implements AudioEncoder {
  private sessions: Promise<[ort.InferenceSession, ort.InferenceSession]> | null = null;

  constructor(
    readonly hiddenSize: number,
    private readonly seed: number,
  ) {}

  private load(numMels: number): Promise<[ort.InferenceSession, ort.InferenceSession]> {
    this.sessions ??= Promise.all([
      createSession(buildDemoAudioFrontend(this.hiddenSize, numMels, this.seed), 'cpu'),
      createSession(buildDemoAudioAttention(this.hiddenSize), 'cpu'),
    ]);
    return this.sessions;
  }

  async encode(mel: LogMel, control: RunControl = {}): Promise<AudioTokens> {
    const numTokens = audioTokenCount(mel.numFrames);
    if (numTokens === 0) throw new EncoderError(`audio of ${mel.numFrames} mel frames (${mel.numFrames * 10} ms) is too short for one audio token (needs at least 3 frames)`);
    const [frontend, attention] = await this.load(mel.numMels);
    const front = await frontend.run({ input_features: new Tensor('float32', mel.data, [1, mel.numMels, mel.numFrames]) });
    const D = this.hiddenSize;
    const hidden = front.hidden.data as Float32Array;
    const query = front.query.data as Float32Array;
    const frames = hidden.length / D;
    const received = new Float64Array(frames);
    const contextual = new Float32Array(hidden);
    for (let start = 0; start < frames; start += QUERY_BLOCK) {
      if (control.signal?.aborted) throw new OperationCancelledError('audio encoding');
      const end = Math.min(frames, start + QUERY_BLOCK);
      const result = await attention.run({
        query: new Tensor('float32', query.subarray(start * KEY_DIM, end * KEY_DIM), [end - start, KEY_DIM]),
        key: front.key,
        hidden: front.hidden,
        key_bias: front.key_bias,
      });
      const context = result.context.data as Float32Array;
      for (let i = 0; i < context.length; i++) contextual[start * D + i] += context[i];
      const part = result.received.data as Float32Array;
      for (let t = 0; t < frames; t++) received[t] += part[t];
      control.onProgress?.(end / frames);
    }
    // Pair-average frames to tokens (AvgPool1d(2, 2)); an odd last frame is dropped, as in Qwen.
    const embeds = new Float32Array(numTokens * D);
    const scores = new Float32Array(numTokens);
    for (let j = 0; j < numTokens; j++) {
      for (let d = 0; d < D; d++) embeds[j * D + d] = 0.5 * (contextual[2 * j * D + d] + contextual[(2 * j + 1) * D + d]);
      scores[j] = (0.5 * (received[2 * j] + received[2 * j + 1])) / frames;
    }
    return { embeds, scores, numTokens };
  }

  async dispose(): Promise<void> {
    if (!this.sessions) return;
    for (const s of await this.sessions) await s.release();
    this.sessions = null;
  }
}
