import { stat } from 'node:fs/promises';
import path from 'node:path';
import { decodeAudio, decodeVideoFrames, AUDIO_SAMPLE_RATE } from './decode.js';
import { MediaProbeError, throwIfAborted } from './errors.js';
import { locateFfmpeg, type FfmpegLocation, type FfmpegTools } from './ffmpeg.js';
import { probeMedia, type MediaInfo } from './probe.js';
import { DEFAULT_MAX_PIXELS, DEFAULT_MIN_PIXELS, FPS_MAX_FRAMES, sampledFrameCount, smartResize } from './smart-resize.js';

export interface LoadMediaOptions extends FfmpegLocation {
  /** Pixel bounds of each sampled frame (Qwen's VIDEO_MIN/MAX_PIXELS). */
  minPixels?: number;
  maxPixels?: number;
  /** Cap on sampled frames (Qwen's FPS_MAX_FRAMES, 768). */
  maxFrames?: number;
  signal?: AbortSignal;
  /** stage is 'probe' | 'video' | 'audio'; fraction in [0, 1] of that stage. */
  onProgress?: (stage: 'probe' | 'video' | 'audio', fraction: number) => void;
}

export interface LoadedVideo {
  /** Sampled frames, RGB24, width x height each (multiples of 28). */
  frames: Uint8Array[];
  width: number;
  height: number;
  /** Seconds spanned by the sampling. */
  durationS: number;
}

export interface LoadedMedia {
  info: MediaInfo;
  tools: FfmpegTools;
  video: LoadedVideo | null;
  /** Mono 16 kHz samples, null when the file has no audio track. */
  audio: Float32Array | null;
  sampleRate: number;
  /** Things the user should know (no audio track, frames repeated, ...). */
  warnings: string[];
}

/**
 * Probes and decodes a media file the way Qwen2.5-Omni's preprocessing sees it: frames sampled at
 * 2 fps (even count, at least 4) and resized to multiples of 28 within pixel bounds, audio as 16 kHz
 * mono.
 */
export async function loadMedia(file: string, options: LoadMediaOptions = {}): Promise<LoadedMedia> {
  const { signal, onProgress } = options;
  const tools = await locateFfmpeg(options);
  const entry = await stat(file).catch(() => null);
  if (!entry) throw new MediaProbeError(file, 'no such file');
  if (!entry.isFile()) throw new MediaProbeError(file, 'is not a regular file');
  if (entry.size === 0) throw new MediaProbeError(file, 'is empty');
  onProgress?.('probe', 0);
  const info = await probeMedia(file, tools, signal);
  onProgress?.('probe', 1);
  const name = path.basename(file);
  const warnings: string[] = [];

  let video: LoadedVideo | null = null;
  if (info.video) {
    const durationS = info.video.durationS ?? info.durationS;
    const frameCount = sampledFrameCount(durationS, options.maxFrames ?? FPS_MAX_FRAMES);
    const size = smartResize(info.video.height, info.video.width, {
      minPixels: options.minPixels ?? DEFAULT_MIN_PIXELS,
      maxPixels: options.maxPixels ?? DEFAULT_MAX_PIXELS,
    });
    const decoded = await decodeVideoFrames(file, tools, { frameCount, width: size.width, height: size.height, durationS }, {
      signal,
      onProgress: (f) => onProgress?.('video', f),
    });
    if (durationS < frameCount / 2) {
      warnings.push(`${name} is ${durationS.toFixed(2)} s long: ${frameCount} frames (the minimum) were sampled over it, denser than 2 fps`);
    }
    if (decoded.decodedCount < frameCount) {
      warnings.push(`${name}: the last ${frameCount - decoded.decodedCount} sampled frame(s) repeat the final decoded frame`);
    }
    video = { frames: decoded.frames, width: decoded.width, height: decoded.height, durationS };
    onProgress?.('video', 1);
  }
  throwIfAborted(signal, `loading ${name}`);

  let audio: Float32Array | null = null;
  if (info.audio) {
    audio = await decodeAudio(file, tools, info.audio.durationS ?? info.durationS, {
      signal,
      onProgress: (f) => onProgress?.('audio', f),
    });
    onProgress?.('audio', 1);
  } else {
    warnings.push(`${name} has no audio track: audio guidance is unavailable, so OmniZip's audio-guided video ratios cannot be computed for it`);
  }
  if (!info.video) warnings.push(`${name} has no video stream: only the audio stage applies`);
  return { info, tools, video, audio, sampleRate: AUDIO_SAMPLE_RATE, warnings };
}
