import { stat } from 'node:fs/promises';
import { writeBundle } from '../bundle/writer.js';
import type { EmbeddingDType } from '../bundle/types.js';
import type { ProviderPreference } from '../onnx/session.js';
import { createDemoEncoders } from './demo-encoders.js';
import { encodeMedia, type EncodeProgress, type EncodeTimings } from './encode-media.js';
import { loadOnnxEncoders } from './onnx-encoders.js';
import type { EncoderSet } from './types.js';

/** Everything needed to encode one clip; plain data so it can cross a worker boundary. */
export interface EncodeJobRequest {
  media: string;
  out: string;
  /** 'demo' or the path of an encoder manifest (JSON). */
  encoders: string;
  ffmpeg?: string;
  ffprobe?: string;
  provider?: ProviderPreference;
  dtype?: EmbeddingDType;
  maxFrames?: number;
  displayMaxSide?: number;
  waveformRate?: number;
}

export interface EncodeJobSummary {
  out: string;
  bytes: number;
  model: string;
  numAudio: number;
  numVideo: number;
  hiddenSize: number;
  gridThw: [number, number, number] | null;
  sequenceLength: number;
  warnings: string[];
  timings: EncodeTimings & { writeMs: number };
}

export async function openEncoders(spec: string, provider?: ProviderPreference): Promise<EncoderSet> {
  return spec === 'demo' ? createDemoEncoders() : loadOnnxEncoders(spec, { provider });
}

/** Encodes `request.media` and writes the bundle to `request.out` (atomically). */
export async function runEncodeJob(request: EncodeJobRequest, control: { signal?: AbortSignal; onProgress?: (p: EncodeProgress) => void } = {}): Promise<EncodeJobSummary> {
  const encoders = await openEncoders(request.encoders, request.provider);
  try {
    const result = await encodeMedia(request.media, {
      encoders,
      ffmpeg: request.ffmpeg,
      ffprobe: request.ffprobe,
      maxFrames: request.maxFrames,
      displayMaxSide: request.displayMaxSide,
      waveformRate: request.waveformRate,
      signal: control.signal,
      onProgress: control.onProgress,
    });
    const { bundle } = result;
    const t0 = performance.now();
    await writeBundle(request.out, bundle, { dtype: request.dtype ?? 'F32' });
    const writeMs = performance.now() - t0;
    return {
      out: request.out,
      bytes: (await stat(request.out)).size,
      model: encoders.model,
      numAudio: bundle.numAudio,
      numVideo: bundle.numVideo,
      hiddenSize: bundle.hiddenSize,
      gridThw: bundle.metadata.grid_thw ?? null,
      sequenceLength: bundle.tokenTypes.length,
      warnings: result.warnings,
      timings: { ...result.timings, writeMs },
    };
  } finally {
    await encoders.dispose();
  }
}
