import { readBundleOutline } from '../../bundle/reader.js';
import { detectLayout } from '../../planner/layout.js';
import { defineCommand } from '../command.js';
import { terminalSafe, terminalSafeJson } from '../../util/terminal.js';

/** Bundles up to this size are read on the CLI's own thread (regular-file.ts `blockingUpTo`). */
const INSPECT_BLOCKING_READ_BYTES = 32 * 1024 * 1024;

/** A human summary of a bundle: what the planner will see. */
export const inspectCommand = defineCommand({
  name: 'inspect',
  summary: 'Summarise a feature bundle: tokens per modality, D, dtype, duration, detected time groups.',
  usage: 'inspect BUNDLE [--json]',
  options: { boolean: ['json'] },
  positional: 'bundle',
  async run(args, file) {
    // Every rule checked, but neither the content hash (never shown) nor float32 embeddings
    // (readBundleOutline: widening the demo's half values was most of an inspect run's own work),
    // a small file read on this thread: the process has nothing else to do, and each of libuv's
    // round trips is a wait (a large one is read in chunks that overlap its float32 check).
    const bundle = await readBundleOutline(file, { blockingUpTo: INSPECT_BLOCKING_READ_BYTES });
    const layout = detectLayout(bundle);
    const meta = bundle.metadata;
    const numGuided = Math.min(layout.audioRuns.length, layout.videoRuns.length);
    const groups = Array.from({ length: Math.max(layout.audioRuns.length, layout.videoRuns.length) }, (_, i) => ({
      audio_range: layout.audioRuns[i] ?? null,
      video_range: layout.videoRuns[i] ?? null,
      guided: i < numGuided,
    }));
    const tokensPerSecond = meta.audio_tokens_per_second ?? 25;
    const duration =
      typeof meta.source?.duration_s === 'number'
        ? meta.source.duration_s
        : layout.temporalPatches > 0 && meta.video_fps
          ? (layout.temporalPatches * (meta.frames_per_temporal_patch ?? 2)) / meta.video_fps
          : bundle.numAudio / tokensPerSecond;
    const summary = {
      file,
      model: meta.model ?? null,
      hidden_size: bundle.hiddenSize,
      dtype: { audio: bundle.storedDType.audio, video: bundle.storedDType.video },
      sequence_length: layout.sequenceLength,
      audio_tokens: bundle.numAudio,
      video_tokens: bundle.numVideo,
      other_tokens: layout.sequenceLength - bundle.numAudio - bundle.numVideo,
      grid_thw: meta.grid_thw ?? null,
      tokens_per_frame: layout.tokensPerFrame,
      duration_s: Number(duration.toFixed(3)),
      audio_scores: bundle.audioScores !== null,
      waveform: bundle.waveform ? { samples: bundle.waveform.length, sample_rate: meta.sample_rate ?? null } : null,
      frames: bundle.frames ? { count: bundle.frames.count, height: bundle.frames.height, width: bundle.frames.width } : null,
      groups,
    };
    if (args.flags.has('json')) {
      process.stdout.write(`${terminalSafeJson(summary)}\n`);
      return 0;
    }
    const fmtRange = (r: [number, number] | null) => (r ? `[${r[0]}, ${r[1]})` : '—');
    const lines = [
      `${file}`,
      `  model           ${summary.model ?? 'unknown'}`,
      `  tokens          ${summary.audio_tokens} audio, ${summary.video_tokens} video, ${summary.other_tokens} other (sequence ${summary.sequence_length})`,
      `  hidden size     ${summary.hidden_size} (stored as ${summary.dtype.audio}/${summary.dtype.video})`,
      `  video grid      ${summary.grid_thw ? summary.grid_thw.join(' x ') : '—'}  (${summary.tokens_per_frame} tokens per temporal patch)`,
      `  duration        ${summary.duration_s} s`,
      `  audio scores    ${summary.audio_scores ? 'present' : 'absent'}`,
      `  waveform        ${summary.waveform ? `${summary.waveform.samples} samples @ ${summary.waveform.sample_rate ?? '?'} Hz` : 'absent'}`,
      `  frames          ${summary.frames ? `${summary.frames.count} x ${summary.frames.height}x${summary.frames.width}` : 'absent'}`,
      `  time groups     ${groups.length} (${numGuided} audio-guided)`,
      ...groups.map((g, i) => `    ${String(i).padStart(3)}  video ${fmtRange(g.video_range).padEnd(14)} audio ${fmtRange(g.audio_range).padEnd(14)} ${g.guided ? 'guided' : 'unguided'}`),
    ];
    // Every line may carry strings from the file (its name, metadata): none may drive the terminal.
    process.stdout.write(`${lines.map((line) => terminalSafe(line, { oneLine: true })).join('\n')}\n`);
    return 0;
  },
});
