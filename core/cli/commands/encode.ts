import type { EmbeddingDType } from '../../bundle/types.js';
import { EMBEDDING_DTYPES } from '../../protocol/enums.js';
import { runEncodeJob } from '../../encoders/encode-job.js';
import { parseProviderPreference } from '../../onnx/session.js';
import { integerOption, single } from '../args.js';
import { abortOnSigint, defineCommand } from '../command.js';
import { UsageError } from '../errors.js';

const usage =
  'encode MEDIA [--encoders demo|MANIFEST.json] [--ffmpeg PATH] [--ffprobe PATH] [--provider auto|cpu|webgpu|cuda] ' +
  '[--dtype F32|F16|BF16] [--max-frames N] [--display-size PX] [--waveform-rate HZ] [--quiet] --out BUNDLE';

/** Media file -> feature bundle through the demo or user-supplied ONNX encoders. */
export const encodeCommand = defineCommand({
  name: 'encode',
  summary: 'Encode a video/audio file into a feature bundle with the built-in demo encoders or ONNX encoders from a manifest (needs ffmpeg).',
  usage,
  options: { valued: ['encoders', 'ffmpeg', 'ffprobe', 'provider', 'dtype', 'max-frames', 'display-size', 'waveform-rate', 'out'], boolean: ['quiet'] },
  positional: 'media file',
  async run(args, media) {
    const out = single(args, 'out');
    if (!out) throw new UsageError(`--out BUNDLE is required (usage: ${usage})`);
    const dtype = (single(args, 'dtype') ?? 'F32').toUpperCase();
    if (!(EMBEDDING_DTYPES as readonly string[]).includes(dtype)) throw new UsageError(`--dtype must be F32, F16 or BF16, got '${dtype}'`);
    const provider = single(args, 'provider');
    const quiet = args.flags.has('quiet') || !process.stderr.isTTY;
    let lastShown = -1;
    const summary = await abortOnSigint((signal) =>
      runEncodeJob(
        {
          media,
          out,
          encoders: single(args, 'encoders') ?? 'demo',
          ffmpeg: single(args, 'ffmpeg'),
          ffprobe: single(args, 'ffprobe'),
          provider: provider === undefined ? undefined : parseProviderPreference(provider),
          dtype: dtype as EmbeddingDType,
          maxFrames: integerOption(args, 'max-frames', 1),
          displayMaxSide: integerOption(args, 'display-size', 1),
          waveformRate: integerOption(args, 'waveform-rate', 1),
        },
        {
          signal,
          onProgress: (p) => {
            const percent = Math.floor(p.overall * 100);
            if (quiet || percent === lastShown) return;
            lastShown = percent;
            process.stderr.write(`\r${p.stage.padEnd(12)} ${String(percent).padStart(3)}%`);
          },
        },
      ),
    );
    if (!quiet) process.stderr.write('\r\x1b[K');
    for (const warning of summary.warnings) process.stderr.write(`omnizip-studio: warning: ${warning}\n`);
    const t = summary.timings;
    process.stdout.write(
      `${summary.out}: ${summary.numAudio} audio + ${summary.numVideo} video tokens` +
        `${summary.gridThw ? ` (grid_thw ${summary.gridThw.join('x')})` : ''}, D=${summary.hiddenSize}, ${(summary.bytes / 1e6).toFixed(2)} MB; ` +
        `decode ${t.decodeMs.toFixed(0)} ms, log-mel ${t.logMelMs.toFixed(0)} ms, video ${t.videoEncodeMs.toFixed(0)} ms, audio ${t.audioEncodeMs.toFixed(0)} ms, total ${(t.totalMs + t.writeMs).toFixed(0)} ms\n`,
    );
    return 0;
  },
});
