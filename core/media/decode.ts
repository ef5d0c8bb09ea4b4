import { spawn } from 'node:child_process';
import path from 'node:path';
import { FfmpegUnavailableError, MediaDecodeError, OperationCancelledError } from './errors.js';
import type { FfmpegTools } from './ffmpeg.js';

export type DecodeProgress = (fraction: number) => void;

export interface StreamOptions {
  signal?: AbortSignal;
  /** Called with the fraction of the expected bytes received so far. */
  onProgress?: DecodeProgress;
}

/**
 * Runs ffmpeg and hands its stdout over in fixed-size records (one video frame, or one block of
 * samples) as they arrive: nothing goes through temp files and a long clip never needs its raw
 * decode buffered twice.
 */
function streamRecords(
  file: string,
  tools: FfmpegTools,
  args: string[],
  recordBytes: number,
  expectedRecords: number,
  onRecord: (record: Buffer) => boolean,
  options: StreamOptions,
  what: string,
): Promise<{ records: number; stderr: string; tail: Buffer }> {
  return new Promise((resolve, reject) => {
    const { signal, onProgress } = options;
    if (signal?.aborted) {
      reject(new OperationCancelledError(what));
      return;
    }
    const child = spawn(tools.ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let records = 0;
    let stderr = '';
    let stopped = false;
    const onAbort = (): void => {
      child.kill('SIGKILL');
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      if (stopped) return;
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes < recordBytes) return;
      let buffer = Buffer.concat(pending, pendingBytes);
      let offset = 0;
      while (buffer.length - offset >= recordBytes && !stopped) {
        if (!onRecord(buffer.subarray(offset, offset + recordBytes))) {
          // Enough data: stop reading; ffmpeg gets SIGPIPE-like termination.
          stopped = true;
          child.kill('SIGKILL');
        }
        offset += recordBytes;
        records++;
      }
      buffer = buffer.subarray(offset);
      pending = buffer.length > 0 ? [Buffer.from(buffer)] : [];
      pendingBytes = buffer.length;
      if (expectedRecords > 0) onProgress?.(Math.min(1, records / expectedRecords));
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString('utf8')).slice(-4000);
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      signal?.removeEventListener('abort', onAbort);
      if (err.code === 'ENOENT' || err.code === 'EACCES') {
        reject(new FfmpegUnavailableError(`cannot run '${tools.ffmpeg}' (${err.code}): install ffmpeg (\`apt-get install ffmpeg\`) or set OMNIZIP_FFMPEG`));
      } else reject(err);
    });
    child.on('close', (code) => {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) {
        reject(new OperationCancelledError(what));
        return;
      }
      if (!stopped && code !== 0) {
        const tail = stderr.trim().split('\n').slice(-3).join(' | ') || `exit code ${code}`;
        reject(new MediaDecodeError(file, `ffmpeg could not decode it (${tail})`));
        return;
      }
      resolve({ records, stderr, tail: Buffer.concat(pending, pendingBytes) });
    });
  });
}

export interface VideoDecodePlan {
  /** Frames to produce. */
  frameCount: number;
  /** Output size (after ffmpeg's auto-rotation and scaling). */
  width: number;
  height: number;
  /** Seconds covered by the sampling; frames are spread evenly over it. */
  durationS: number;
}

export interface DecodedVideo {
  /** One RGB24 buffer per frame, width*height*3 bytes each. */
  frames: Uint8Array[];
  width: number;
  height: number;
  /** Frames the file actually yielded before the last one was repeated to reach frameCount. */
  decodedCount: number;
}

/**
 * Samples `plan.frameCount` frames spread evenly over the clip's time (ffmpeg's fps filter works on
 * timestamps, so variable-frame-rate files are sampled by time, not by frame index) and scales them
 * to plan.width x plan.height RGB.
 */
export async function decodeVideoFrames(file: string, tools: FfmpegTools, plan: VideoDecodePlan, options: StreamOptions = {}): Promise<DecodedVideo> {
  const { frameCount, width, height, durationS } = plan;
  const rate = (frameCount / durationS).toFixed(6);
  const frameBytes = width * height * 3;
  const frames: Uint8Array[] = [];
  const args = [
    '-v', 'error', '-nostdin', '-i', file,
    '-map', '0:v:0', '-an', '-sn', '-dn',
    '-vf', `fps=fps=${rate}:round=near,scale=${width}:${height}:flags=bicubic,format=rgb24`,
    '-frames:v', String(frameCount),
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1',
  ];
  const { stderr } = await streamRecords(
    file, tools, args, frameBytes, frameCount,
    (record) => {
      frames.push(new Uint8Array(record));
      return frames.length < frameCount;
    },
    options, `decoding video of ${path.basename(file)}`,
  );
  const decodedCount = frames.length;
  if (decodedCount === 0) {
    const detail = stderr.trim().split('\n').pop();
    throw new MediaDecodeError(file, `no video frame could be decoded${detail ? ` (${detail})` : ''}`);
  }
  // Container durations and the fps filter's rounding can leave the last frame or two short;
  // a bigger shortfall means the file stops before its header says (truncated download).
  const tolerated = Math.max(2, Math.ceil(frameCount * 0.1));
  if (frameCount - decodedCount > tolerated) {
    throw new MediaDecodeError(
      file,
      `video ends early: got ${decodedCount} of ${frameCount} frames expected over ${durationS.toFixed(2)} s (truncated or corrupt file?)`,
    );
  }
  while (frames.length < frameCount) frames.push(frames[frames.length - 1]);
  return { frames, width, height, decodedCount };
}

export const AUDIO_SAMPLE_RATE = 16000;

/**
 * Decodes the first audio stream to mono float32 at 16 kHz (ffmpeg averages the channels and
 * resamples), as Qwen2.5-Omni's processor loads audio.
 */
export async function decodeAudio(file: string, tools: FfmpegTools, expectedDurationS: number | null, options: StreamOptions = {}): Promise<Float32Array> {
  const blockSamples = 16000;
  const blocks: Float32Array[] = [];
  const args = ['-v', 'error', '-nostdin', '-i', file, '-map', '0:a:0', '-vn', '-sn', '-dn', '-ac', '1', '-ar', String(AUDIO_SAMPLE_RATE), '-f', 'f32le', 'pipe:1'];
  const expectedBlocks = expectedDurationS ? Math.ceil((expectedDurationS * AUDIO_SAMPLE_RATE) / blockSamples) : 0;
  // Read in 1-s records (few callbacks); the last partial second comes back as the tail.
  const { tail } = await streamRecords(
    file, tools, args, blockSamples * 4, expectedBlocks,
    (record) => {
      blocks.push(new Float32Array(record.buffer.slice(record.byteOffset, record.byteOffset + record.length)));
      return true;
    },
    options, `decoding audio of ${path.basename(file)}`,
  );
  const tailSamples = Math.floor(tail.length / 4);
  const total = blocks.length * blockSamples + tailSamples;
  const samples = new Float32Array(total);
  blocks.forEach((b, i) => samples.set(b, i * blockSamples));
  if (tailSamples > 0) samples.set(new Float32Array(tail.buffer.slice(tail.byteOffset, tail.byteOffset + tailSamples * 4)), blocks.length * blockSamples);
  if (total === 0) throw new MediaDecodeError(file, 'the audio stream holds no decodable samples');
  if (expectedDurationS) {
    const expected = expectedDurationS * AUDIO_SAMPLE_RATE;
    if (total < expected * 0.9 - AUDIO_SAMPLE_RATE / 10) {
      throw new MediaDecodeError(
        file,
        `audio ends early: got ${(total / AUDIO_SAMPLE_RATE).toFixed(2)} s of ${expectedDurationS.toFixed(2)} s (truncated or corrupt file?)`,
      );
    }
  }
  return samples;
}
