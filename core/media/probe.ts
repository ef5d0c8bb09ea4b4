import path from 'node:path';
import { MediaProbeError } from './errors.js';
import { runTool, type FfmpegTools } from './ffmpeg.js';

export interface VideoStreamInfo {
  codec: string;
  /** Coded size, before rotation. */
  codedWidth: number;
  codedHeight: number;
  /** Display rotation in degrees (0, 90, 180, 270) from the display matrix or rotate tag. */
  rotation: number;
  /** Size as shown (ffmpeg auto-rotates when decoding, so this is what frames come out as). */
  width: number;
  height: number;
  /** Average frame rate (frames / duration), null when the container does not say. */
  averageFps: number | null;
  /** True when the average and the base frame rate disagree: timestamps, not indices, drive sampling. */
  variableFrameRate: boolean;
  durationS: number | null;
}

export interface AudioStreamInfo {
  codec: string;
  sampleRate: number;
  channels: number;
  durationS: number | null;
}

export interface MediaInfo {
  file: string;
  formatName: string;
  /** Container duration, else the longest stream's. */
  durationS: number;
  video: VideoStreamInfo | null;
  audio: AudioStreamInfo | null;
}

interface ProbeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  duration?: string;
  sample_rate?: string;
  channels?: number;
  disposition?: { attached_pic?: number };
  tags?: Record<string, string>;
  side_data_list?: Array<{ side_data_type?: string; rotation?: number }>;
}

interface ProbeOutput {
  streams?: ProbeStream[];
  format?: { format_name?: string; duration?: string };
}

function parseRate(rate: string | undefined): number | null {
  if (!rate) return null;
  const [num, den] = rate.split('/').map(Number);
  if (!Number.isFinite(num) || num <= 0) return null;
  const value = den === undefined ? num : num / den;
  return Number.isFinite(value) && value > 0 ? value : null;
}

function parseSeconds(value: string | undefined): number | null {
  if (value === undefined) return null;
  const s = Number(value);
  return Number.isFinite(s) && s > 0 ? s : null;
}

/** Rotation in degrees as ffprobe reports it (display matrix, else the legacy rotate tag), in [0, 360). */
function streamRotation(stream: ProbeStream): number {
  const matrix = stream.side_data_list?.find((d) => d.rotation !== undefined);
  let degrees = matrix?.rotation !== undefined ? matrix.rotation : Number(stream.tags?.rotate ?? 0);
  if (!Number.isFinite(degrees)) degrees = 0;
  const quarter = Math.round(degrees / 90);
  return (((quarter % 4) + 4) % 4) * 90;
}

/** Reads streams, duration and rotation with ffprobe. Throws MediaProbeError naming the file. */
export async function probeMedia(file: string, tools: FfmpegTools, signal?: AbortSignal): Promise<MediaInfo> {
  const run = await runTool(
    tools.ffprobe,
    ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '--', file],
    signal,
    `probing ${path.basename(file)}`,
  );
  if (run.code !== 0) {
    const reason = run.stderr.trim().split('\n').pop() ?? `ffprobe exited with ${run.code}`;
    throw new MediaProbeError(file, `not readable media (${reason.replace(`${file}: `, '')})`);
  }
  let parsed: ProbeOutput;
  try {
    parsed = JSON.parse(run.stdout.toString('utf8')) as ProbeOutput;
  } catch {
    throw new MediaProbeError(file, 'ffprobe returned output that is not JSON');
  }
  const streams = parsed.streams ?? [];
  // Cover art in audio files is a "video" stream with attached_pic; it is not a video.
  const videoStream = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic && (s.width ?? 0) > 0);
  const audioStream = streams.find((s) => s.codec_type === 'audio');
  if (!videoStream && !audioStream) {
    throw new MediaProbeError(file, 'no video or audio stream (is it a media file?)');
  }

  let video: VideoStreamInfo | null = null;
  if (videoStream) {
    const rotation = streamRotation(videoStream);
    const codedWidth = videoStream.width ?? 0;
    const codedHeight = videoStream.height ?? 0;
    const swap = rotation % 180 === 90;
    const averageFps = parseRate(videoStream.avg_frame_rate);
    const baseFps = parseRate(videoStream.r_frame_rate);
    video = {
      codec: videoStream.codec_name ?? 'unknown',
      codedWidth,
      codedHeight,
      rotation,
      width: swap ? codedHeight : codedWidth,
      height: swap ? codedWidth : codedHeight,
      averageFps,
      variableFrameRate: averageFps !== null && baseFps !== null && Math.abs(averageFps - baseFps) > 0.01 * baseFps,
      durationS: parseSeconds(videoStream.duration),
    };
  }
  let audio: AudioStreamInfo | null = null;
  if (audioStream) {
    audio = {
      codec: audioStream.codec_name ?? 'unknown',
      sampleRate: Number(audioStream.sample_rate ?? 0),
      channels: audioStream.channels ?? 0,
      durationS: parseSeconds(audioStream.duration),
    };
  }
  const durationS =
    parseSeconds(parsed.format?.duration) ?? Math.max(video?.durationS ?? 0, audio?.durationS ?? 0);
  if (!(durationS > 0)) throw new MediaProbeError(file, 'duration is unknown or zero (truncated or empty file?)');
  return { file, formatName: parsed.format?.format_name ?? 'unknown', durationS, video, audio };
}
