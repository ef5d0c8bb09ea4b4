import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { embeddingMatrices, type BundleMetadata, type FeatureBundle } from '../bundle/types.js';
import { MediaDecodeError, throwIfAborted } from '../media/errors.js';
import type { FfmpegLocation } from '../media/ffmpeg.js';
import { loadMedia } from '../media/load-media.js';
import { LogMelError, whisperLogMelCancellable, type LogMel } from '../media/log-mel.js';
import { decimateWaveform, shrinkFrames } from './display.js';
import { qwenOmniTokenTypes } from './token-layout.js';
import type { EncoderSet } from './types.js';

export type EncodeStage = 'probe' | 'decode-video' | 'decode-audio' | 'log-mel' | 'encode-video' | 'encode-audio';

export interface EncodeProgress {
  stage: EncodeStage;
  /** Fraction of the stage done. */
  stageFraction: number;
  /** Rough fraction of the whole job done, for one progress bar. */
  overall: number;
}

export interface EncodeMediaOptions extends FfmpegLocation {
  encoders: EncoderSet;
  /** Cap on sampled frames (default 768, Qwen's FPS_MAX_FRAMES). */
  maxFrames?: number;
  /** Longest side of the display frames stored in the bundle (default 256 px). */
  displayMaxSide?: number;
  /** Sample rate of the display waveform stored in the bundle (default 16000). */
  waveformRate?: number;
  signal?: AbortSignal;
  onProgress?: (progress: EncodeProgress) => void;
}

export interface EncodeTimings {
  decodeMs: number;
  logMelMs: number;
  videoEncodeMs: number;
  audioEncodeMs: number;
  totalMs: number;
}

export interface EncodeResult {
  bundle: FeatureBundle;
  warnings: string[];
  timings: EncodeTimings;
}

/** Share of the whole job each stage takes, measured on the demo clip with the demo encoders. */
const STAGE_SPAN: Record<EncodeStage, [number, number]> = {
  probe: [0, 0.02],
  'decode-video': [0.02, 0.3],
  'decode-audio': [0.3, 0.38],
  'log-mel': [0.38, 0.45],
  'encode-video': [0.45, 0.8],
  'encode-audio': [0.8, 1],
};

async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Media file -> feature bundle: decode as Qwen2.5-Omni preprocesses, run the vision and audio
 * encoders, lay the tokens out as the thinker's prompt does with use_audio_in_video, and attach
 * display frames and waveform.
 */
export async function encodeMedia(file: string, options: EncodeMediaOptions): Promise<EncodeResult> {
  const { encoders, signal } = options;
  const report = (stage: EncodeStage, f: number) => {
    const [a, b] = STAGE_SPAN[stage];
    options.onProgress?.({ stage, stageFraction: f, overall: a + (b - a) * f });
  };
  const started = performance.now();
  const media = await loadMedia(file, {
    ffmpeg: options.ffmpeg,
    ffprobe: options.ffprobe,
    minPixels: encoders.minPixels,
    maxPixels: encoders.maxPixels,
    maxFrames: options.maxFrames,
    signal,
    onProgress: (stage, f) => report(stage === 'probe' ? 'probe' : stage === 'video' ? 'decode-video' : 'decode-audio', f),
  });
  const decoded = performance.now();
  const warnings = [...media.warnings];
  const D = encoders.hiddenSize;

  let logMelMs = 0;
  let audioEncodeMs = 0;
  let audioEmbeds: Float32Array = new Float32Array(0);
  let audioScores: Float32Array | null = null;
  let numAudio = 0;
  let melFrames = 0;
  if (media.audio) {
    const t0 = performance.now();
    let mel: LogMel;
    try {
      mel = await whisperLogMelCancellable(media.audio, { signal, onProgress: (f) => report('log-mel', f) });
    } catch (err) {
      if (err instanceof LogMelError) throw new MediaDecodeError(file, err.message);
      throw err;
    }
    melFrames = mel.numFrames;
    logMelMs = performance.now() - t0;
    throwIfAborted(signal, 'encoding');
    const t1 = performance.now();
    const tokens = await encoders.audio.encode(mel, { signal, onProgress: (f) => report('encode-audio', f) });
    audioEncodeMs = performance.now() - t1;
    audioEmbeds = tokens.embeds;
    audioScores = tokens.scores;
    numAudio = tokens.numTokens;
  }

  let videoEncodeMs = 0;
  let videoEmbeds: Float32Array = new Float32Array(0);
  let numVideo = 0;
  let videoScores: Float32Array | null = null;
  let gridThw: [number, number, number] | undefined;
  let tokensPerPatch = 0;
  if (media.video) {
    const { frames, width, height } = media.video;
    const t0 = performance.now();
    videoEmbeds = await encoders.vision.encode(frames, width, height, { signal, onProgress: (f) => report('encode-video', f) });
    videoEncodeMs = performance.now() - t0;
    gridThw = [frames.length / 2, height / 14, width / 14];
    tokensPerPatch = (height / 28) * (width / 28);
    numVideo = videoEmbeds.length / D;
    if (numVideo !== gridThw[0] * tokensPerPatch) {
      throw new Error(`vision encoder returned ${numVideo} tokens for grid_thw [${gridThw.join(', ')}] (expected ${gridThw[0] * tokensPerPatch})`);
    }
    videoScores = encoders.vision.receivedAttention?.(videoEmbeds, tokensPerPatch) ?? null;
  }

  const waveformRate = options.waveformRate ?? 16000;
  const metadata: BundleMetadata = {
    format: 'omnizip-feature-bundle',
    version: 1,
    model: encoders.model,
    ...(gridThw ? { grid_thw: gridThw } : {}),
    spatial_merge_size: 2,
    frames_per_temporal_patch: 2,
    video_fps: 2.0,
    audio_tokens_per_second: 25,
    seconds_per_chunk: 2,
    ...(media.audio ? { sample_rate: waveformRate } : {}),
    source: { name: path.basename(file), sha256: await sha256OfFile(file), duration_s: Number(media.info.durationS.toFixed(3)) },
    created_by: 'omnizip-studio encode',
    encoder: encoders.description,
    mel_frames: melFrames,
    warnings,
    ...(videoScores && encoders.vision.receivedAttentionSource ? { video_scores_source: encoders.vision.receivedAttentionSource } : {}),
  };
  const bundle: FeatureBundle = {
    ...embeddingMatrices(audioEmbeds, videoEmbeds, D),
    audioScores,
    videoScores,
    tokenTypes: qwenOmniTokenTypes({ numTemporalPatches: gridThw?.[0] ?? 0, tokensPerPatch, numAudio }),
    waveform: media.audio ? decimateWaveform(media.audio, media.sampleRate, waveformRate) : null,
    frames: media.video ? shrinkFrames(media.video.frames, media.video.width, media.video.height, options.displayMaxSide ?? 256) : null,
    metadata,
    storedDType: { audio: 'F32', video: 'F32' },
  };
  return {
    bundle,
    warnings,
    timings: { decodeMs: decoded - started, logMelMs, videoEncodeMs, audioEncodeMs, totalMs: performance.now() - started },
  };
}
