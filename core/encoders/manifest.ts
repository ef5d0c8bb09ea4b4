import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_MAX_PIXELS, DEFAULT_MIN_PIXELS } from '../media/smart-resize.js';
import { OmniZipError } from '../protocol/errors.js';

/**
 * The JSON manifest describing user-supplied ONNX encoders (docs/encoders.md). Paths are relative
 * to the manifest's folder.
 */
export interface VisionManifest {
  /** Resolved absolute path of the .onnx file. */
  path: string;
  /**
   * 'qwen_patches': the real tower's input, pixel_values [gridT*gridH*gridW, 3*2*14*14] plus grid_thw
   * int64 [1, 3]; 'frames_nchw': frames [F, 3, H, W] (F even).
   */
  inputLayout: 'qwen_patches' | 'frames_nchw';
  inputs: { pixels: string; gridThw: string | null };
  outputs: { embeds: string };
  imageMean: [number, number, number];
  imageStd: [number, number, number];
  patchSize: number;
  temporalPatchSize: number;
  spatialMergeSize: number;
  minPixels: number;
  maxPixels: number;
  /** Temporal patches per session run (memory vs. progress granularity). */
  patchesPerRun: number;
}

export interface AudioManifest {
  path: string;
  /** 'mel_time': [128, T]; 'batch_mel_time': [1, 128, T]. */
  featureLayout: 'mel_time' | 'batch_mel_time';
  inputs: { features: string };
  outputs: { embeds: string; scores: string };
  numMelBins: number;
}

export interface EncoderManifest {
  file: string;
  model: string;
  hiddenSize: number;
  vision: VisionManifest;
  audio: AudioManifest;
}

export class EncoderManifestError extends OmniZipError {
  constructor(file: string, key: string, problem: string) {
    super('bad-manifest', `${file}: ${key} ${problem}`);
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Qwen2-VL / Qwen2.5-Omni normalise with the OpenAI CLIP statistics. */
const CLIP_MEAN: [number, number, number] = [0.48145466, 0.4578275, 0.40821073];
const CLIP_STD: [number, number, number] = [0.26862954, 0.26130258, 0.27577711];

class Reader {
  constructor(
    private readonly file: string,
    private readonly prefix: string,
    private readonly obj: Json,
  ) {}

  private key(k: string): string {
    return this.prefix ? `${this.prefix}.${k}` : k;
  }

  fail(k: string, problem: string): never {
    throw new EncoderManifestError(this.file, `'${this.key(k)}'`, problem);
  }

  object(k: string): Reader {
    const v = this.obj[k];
    if (!isObject(v)) this.fail(k, v === undefined ? 'is missing' : 'must be an object');
    return new Reader(this.file, this.key(k), v);
  }

  string(k: string, fallback?: string): string {
    const v = this.obj[k] ?? fallback;
    if (typeof v !== 'string' || v === '') this.fail(k, v === undefined ? 'is missing' : 'must be a non-empty string');
    return v;
  }

  optionalString(k: string): string | null {
    const v = this.obj[k];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string' || v === '') this.fail(k, 'must be a non-empty string or null');
    return v;
  }

  positiveInt(k: string, fallback?: number): number {
    const v = this.obj[k] ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) this.fail(k, v === undefined ? 'is missing' : `must be a positive integer, got ${JSON.stringify(v)}`);
    return v;
  }

  triple(k: string, fallback: [number, number, number], positive: boolean): [number, number, number] {
    const v = this.obj[k] ?? fallback;
    if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'number' && Number.isFinite(x) && (!positive || x > 0))) {
      this.fail(k, `must be 3 ${positive ? 'positive ' : ''}numbers (R, G, B)`);
    }
    return v as [number, number, number];
  }

  choice<T extends string>(k: string, options: readonly T[], fallback: T): T {
    const v = this.obj[k] ?? fallback;
    if (!options.includes(v as T)) this.fail(k, `must be one of ${options.map((o) => `"${o}"`).join(', ')}, got ${JSON.stringify(v)}`);
    return v as T;
  }
}

export function parseManifest(text: string, file: string): EncoderManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new EncoderManifestError(file, 'content', `is not valid JSON (${(err as Error).message})`);
  }
  if (!isObject(raw)) throw new EncoderManifestError(file, 'content', 'must be a JSON object');
  const root = new Reader(file, '', raw);
  if (raw.format !== undefined && raw.format !== 'omnizip-encoders') root.fail('format', 'must be "omnizip-encoders"');
  const dir = path.dirname(path.resolve(file));
  const v = root.object('vision');
  const a = root.object('audio');
  const inputLayout = v.choice('input_layout', ['qwen_patches', 'frames_nchw'] as const, 'qwen_patches');
  const vIn = v.object('inputs');
  const vOut = v.object('outputs');
  const aIn = a.object('inputs');
  const aOut = a.object('outputs');
  const minPixels = v.positiveInt('min_pixels', DEFAULT_MIN_PIXELS);
  const maxPixels = v.positiveInt('max_pixels', DEFAULT_MAX_PIXELS);
  if (minPixels > maxPixels) v.fail('min_pixels', `(${minPixels}) exceeds max_pixels (${maxPixels})`);
  const vision: VisionManifest = {
    path: path.resolve(dir, v.string('path')),
    inputLayout,
    inputs: {
      pixels: vIn.string('pixels'),
      gridThw: inputLayout === 'qwen_patches' ? vIn.string('grid_thw') : vIn.optionalString('grid_thw'),
    },
    outputs: { embeds: vOut.string('embeds') },
    imageMean: v.triple('image_mean', CLIP_MEAN, false),
    imageStd: v.triple('image_std', CLIP_STD, true),
    patchSize: v.positiveInt('patch_size', 14),
    temporalPatchSize: v.positiveInt('temporal_patch_size', 2),
    spatialMergeSize: v.positiveInt('spatial_merge_size', 2),
    minPixels,
    maxPixels,
    patchesPerRun: v.positiveInt('patches_per_run', 4),
  };
  if (vision.patchSize * vision.spatialMergeSize !== 28 || vision.temporalPatchSize !== 2) {
    v.fail('patch_size', 'x spatial_merge_size must be 28 and temporal_patch_size 2 (the Qwen2.5-Omni geometry the bundle layout assumes)');
  }
  const audio: AudioManifest = {
    path: path.resolve(dir, a.string('path')),
    featureLayout: a.choice('feature_layout', ['mel_time', 'batch_mel_time'] as const, 'mel_time'),
    inputs: { features: aIn.string('features') },
    outputs: { embeds: aOut.string('embeds'), scores: aOut.string('scores') },
    numMelBins: a.positiveInt('num_mel_bins', 128),
  };
  if (audio.numMelBins !== 128) a.fail('num_mel_bins', 'must be 128 (the studio computes Whisper-style 128-bin log-mel features)');
  return { file, model: root.string('model', 'custom ONNX encoders'), hiddenSize: root.positiveInt('hidden_size'), vision, audio };
}

export async function readManifest(file: string): Promise<EncoderManifest> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new EncoderManifestError(file, 'file', `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parseManifest(text, file);
}
