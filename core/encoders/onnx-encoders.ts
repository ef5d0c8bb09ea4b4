import { readFile } from 'node:fs/promises';
import type ort from 'onnxruntime-node';
import { Tensor } from 'onnxruntime-node';
import { OperationCancelledError } from '../media/errors.js';
import type { LogMel } from '../media/log-mel.js';
import { ProviderSelector, createSession, type ProviderPreference } from '../onnx/session.js';
import { framesToNchw, framesToQwenPatches } from './frames-to-tensor.js';
import { readManifest, type AudioManifest, type EncoderManifest, type VisionManifest } from './manifest.js';
import { audioTokenCount, EncoderError, type AudioEncoder, type AudioTokens, type EncoderSet, type RunControl, type VisionEncoder } from './types.js';

/** The model's inputs or outputs do not match what the manifest says; lists every mismatch. */
export class EncoderModelMismatchError extends EncoderError {
  constructor(modelFile: string, problems: string[]) {
    super(`${modelFile} does not match its manifest entry:\n  - ${problems.join('\n  - ')}`, 'model-mismatch');
  }
}

type Meta = ort.InferenceSession.ValueMetadata;

function describeMeta(meta: Meta): string {
  return meta.isTensor ? `${meta.name} (${meta.type} [${meta.shape.join(', ')}])` : `${meta.name} (not a tensor)`;
}

/** Checks one declared value against the session's metadata; appends problems in plain words. */
function checkValue(
  problems: string[],
  kind: 'input' | 'output',
  all: readonly Meta[],
  name: string,
  role: string,
  type: string,
  ranks: number[],
  fixedDims: Record<number, number> = {},
): void {
  const meta = all.find((m) => m.name === name);
  if (!meta) {
    problems.push(`the manifest's ${role} ${kind} '${name}' is not among the model's ${kind}s: ${all.map(describeMeta).join(', ') || 'none'}`);
    return;
  }
  if (!meta.isTensor) {
    problems.push(`${kind} '${name}' (${role}) is not a tensor`);
    return;
  }
  if (meta.type !== type) problems.push(`${kind} '${name}' (${role}) has type ${meta.type}, expected ${type}`);
  // An empty shape means the model does not declare one: nothing to check.
  if (meta.shape.length === 0) return;
  if (!ranks.includes(meta.shape.length)) {
    problems.push(`${kind} '${name}' (${role}) has rank ${meta.shape.length} [${meta.shape.join(', ')}], expected rank ${ranks.join(' or ')}`);
    return;
  }
  for (const [axisText, expected] of Object.entries(fixedDims)) {
    const axis = Number(axisText) < 0 ? meta.shape.length + Number(axisText) : Number(axisText);
    const actual = meta.shape[axis];
    if (typeof actual === 'number' && actual !== expected) {
      problems.push(`${kind} '${name}' (${role}) has size ${actual} on axis ${axis}, expected ${expected}`);
    }
  }
}

async function openModel(file: string, provider: ProviderPreference, selector: ProviderSelector): Promise<ort.InferenceSession> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new EncoderError(`cannot read encoder model ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const choice = await selector.select(provider);
  try {
    return await createSession(bytes, choice.provider);
  } catch (err) {
    throw new EncoderError(`${file} is not a loadable ONNX model: ${(err as Error).message.split('\n')[0]}`);
  }
}

class OnnxVisionEncoder implements VisionEncoder {
  constructor(
    private readonly session: ort.InferenceSession,
    private readonly manifest: VisionManifest,
    readonly hiddenSize: number,
    private readonly gridRank: number,
  ) {}

  async encode(frames: Uint8Array[], width: number, height: number, control: RunControl = {}): Promise<Float32Array> {
    const m = this.manifest;
    const tokensPerPatch = (height / 28) * (width / 28);
    const patches = frames.length / 2;
    const out = new Float32Array(patches * tokensPerPatch * this.hiddenSize);
    for (let p = 0; p < patches; p += m.patchesPerRun) {
      if (control.signal?.aborted) throw new OperationCancelledError('video encoding');
      const batch = frames.slice(p * 2, Math.min(patches, p + m.patchesPerRun) * 2);
      const feeds: Record<string, ort.Tensor> = {};
      if (m.inputLayout === 'qwen_patches') {
        const { data, rows, cols, gridThw } = framesToQwenPatches(batch, width, height, m.imageMean, m.imageStd, {
          patchSize: m.patchSize,
          temporalPatchSize: m.temporalPatchSize,
          mergeSize: m.spatialMergeSize,
        });
        feeds[m.inputs.pixels] = new Tensor('float32', data, [rows, cols]);
        feeds[m.inputs.gridThw as string] = new Tensor('int64', BigInt64Array.from(gridThw.map(BigInt)), this.gridRank === 1 ? [3] : [1, 3]);
      } else {
        feeds[m.inputs.pixels] = new Tensor('float32', framesToNchw(batch, width, height, m.imageMean, m.imageStd), [batch.length, 3, height, width]);
      }
      const result = await this.session.run(feeds);
      const embeds = result[m.outputs.embeds].data as Float32Array;
      const expected = (batch.length / 2) * tokensPerPatch * this.hiddenSize;
      if (embeds.length !== expected) {
        throw new EncoderError(
          `${m.path}: output '${m.outputs.embeds}' has ${embeds.length} values for ${batch.length / 2} temporal patches of ${tokensPerPatch} tokens, expected ${expected} (tokens x hidden_size ${this.hiddenSize})`,
        );
      }
      out.set(embeds, p * tokensPerPatch * this.hiddenSize);
      control.onProgress?.(Math.min(1, (p + m.patchesPerRun) / patches));
    }
    return out;
  }
}

class OnnxAudioEncoder implements AudioEncoder {
  constructor(
    private readonly session: ort.InferenceSession,
    private readonly manifest: AudioManifest,
    readonly hiddenSize: number,
  ) {}

  async encode(mel: LogMel, control: RunControl = {}): Promise<AudioTokens> {
    const m = this.manifest;
    if (control.signal?.aborted) throw new OperationCancelledError('audio encoding');
    const dims = m.featureLayout === 'mel_time' ? [mel.numMels, mel.numFrames] : [1, mel.numMels, mel.numFrames];
    const result = await this.session.run({ [m.inputs.features]: new Tensor('float32', mel.data, dims) });
    const embeds = result[m.outputs.embeds].data as Float32Array;
    const scores = result[m.outputs.scores].data as Float32Array;
    if (embeds.length % this.hiddenSize !== 0) {
      throw new EncoderError(`${m.path}: output '${m.outputs.embeds}' has ${embeds.length} values, not a multiple of hidden_size ${this.hiddenSize}`);
    }
    const numTokens = embeds.length / this.hiddenSize;
    if (scores.length !== numTokens) {
      throw new EncoderError(`${m.path}: output '${m.outputs.scores}' has ${scores.length} values but '${m.outputs.embeds}' has ${numTokens} tokens (one score per token expected)`);
    }
    const expected = audioTokenCount(mel.numFrames);
    if (numTokens !== expected) {
      throw new EncoderError(`${m.path}: produced ${numTokens} audio tokens for ${mel.numFrames} mel frames; Qwen2.5-Omni's tower gives ${expected} (25 tokens/s)`);
    }
    control.onProgress?.(1);
    return { embeds: new Float32Array(embeds), scores: new Float32Array(scores), numTokens };
  }
}

export interface LoadOnnxEncodersOptions {
  provider?: ProviderPreference;
  selector?: ProviderSelector;
}

/** Opens both towers named by a manifest and checks their inputs/outputs against it. */
export async function loadOnnxEncoders(manifestOrFile: EncoderManifest | string, options: LoadOnnxEncodersOptions = {}): Promise<EncoderSet> {
  const manifest = typeof manifestOrFile === 'string' ? await readManifest(manifestOrFile) : manifestOrFile;
  const selector = options.selector ?? new ProviderSelector();
  const provider = options.provider ?? 'auto';
  const D = manifest.hiddenSize;
  const v = manifest.vision;
  const a = manifest.audio;
  const visionSession = await openModel(v.path, provider, selector);
  const audioSession = await openModel(a.path, provider, selector).catch(async (err: unknown) => {
    await visionSession.release();
    throw err;
  });

  const visionProblems: string[] = [];
  if (v.inputLayout === 'qwen_patches') {
    checkValue(visionProblems, 'input', visionSession.inputMetadata, v.inputs.pixels, 'pixels', 'float32', [2], { 1: 3 * v.temporalPatchSize * v.patchSize * v.patchSize });
    checkValue(visionProblems, 'input', visionSession.inputMetadata, v.inputs.gridThw as string, 'grid_thw', 'int64', [1, 2], { [-1]: 3 });
  } else {
    checkValue(visionProblems, 'input', visionSession.inputMetadata, v.inputs.pixels, 'pixels', 'float32', [4], { 1: 3 });
  }
  checkValue(visionProblems, 'output', visionSession.outputMetadata, v.outputs.embeds, 'embeds', 'float32', [2, 3], { [-1]: D });
  const audioProblems: string[] = [];
  checkValue(audioProblems, 'input', audioSession.inputMetadata, a.inputs.features, 'features', 'float32', [a.featureLayout === 'mel_time' ? 2 : 3], {
    [a.featureLayout === 'mel_time' ? 0 : 1]: a.numMelBins,
  });
  checkValue(audioProblems, 'output', audioSession.outputMetadata, a.outputs.embeds, 'embeds', 'float32', [2, 3], { [-1]: D });
  checkValue(audioProblems, 'output', audioSession.outputMetadata, a.outputs.scores, 'scores', 'float32', [1, 2]);
  const extraInputs = (session: ort.InferenceSession, declared: (string | null)[]) =>
    session.inputNames.filter((n) => !declared.includes(n)).map((n) => `the model needs input '${n}', which the manifest does not map`);
  visionProblems.push(...extraInputs(visionSession, [v.inputs.pixels, v.inputs.gridThw]));
  audioProblems.push(...extraInputs(audioSession, [a.inputs.features]));
  if (visionProblems.length > 0 || audioProblems.length > 0) {
    await visionSession.release();
    await audioSession.release();
    throw new EncoderModelMismatchError(visionProblems.length > 0 ? v.path : a.path, visionProblems.length > 0 ? visionProblems : audioProblems);
  }
  const gridMeta = visionSession.inputMetadata.find((x) => x.name === v.inputs.gridThw);
  const gridRank = gridMeta?.isTensor && gridMeta.shape.length === 1 ? 1 : 2;
  return {
    model: manifest.model,
    description: `ONNX encoders from ${manifest.file} (vision ${v.path}, audio ${a.path})`,
    hiddenSize: D,
    vision: new OnnxVisionEncoder(visionSession, v, D, gridRank),
    audio: new OnnxAudioEncoder(audioSession, a, D),
    minPixels: v.minPixels,
    maxPixels: v.maxPixels,
    dispose: async () => {
      await visionSession.release();
      await audioSession.release();
    },
  };
}
