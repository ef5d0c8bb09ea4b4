import { parseProviderPreference } from '../../onnx/session.js';
import { runPrefillJob } from '../../prefill/job.js';
import type { DemoDecoderConfig } from '../../prefill/demo-decoder.js';
import type { PrefillModelChoice } from '../../prefill/types.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { integerOption, parseArgs, single } from '../args.js';
import { configFromArgs } from '../config-args.js';
import { UsageError } from '../errors.js';
import type { CliCommand } from './index.js';

const usage =
  'prefill BUNDLE [--config FILE] [--set key=value ...] [--model MANIFEST.json] [--runs N] [--warmup N] [--provider auto|cpu|webgpu|cuda] [--demo-hidden N] [--demo-layers N] [--out FILE] [--progress]';

export const prefillCommand: CliCommand = {
  name: 'prefill',
  summary: 'Measure prefill latency, memory, KV size and next-token fidelity of an ONNX decoder on the full vs the compressed sequence (JSON).',
  usage,
  async run(argv) {
    const args = parseArgs(
      argv,
      { valued: ['config', 'set', 'model', 'runs', 'warmup', 'provider', 'demo-hidden', 'demo-layers', 'out'], boolean: ['progress'] },
      usage,
    );
    if (args.positionals.length !== 1) throw new UsageError(`expected one bundle (usage: ${usage})`);
    const config = await configFromArgs(args);
    const manifest = single(args, 'model');
    const demoOverrides: Partial<DemoDecoderConfig> = {};
    const hidden = integerOption(args, 'demo-hidden', 8);
    const layers = integerOption(args, 'demo-layers', 1);
    if (hidden !== undefined) demoOverrides.hiddenSize = hidden;
    if (layers !== undefined) demoOverrides.numLayers = layers;
    if (manifest && (hidden !== undefined || layers !== undefined)) throw new UsageError('--demo-hidden/--demo-layers apply to the demo decoder, not to a --model manifest');
    const model: PrefillModelChoice = manifest ? { kind: 'manifest', path: manifest } : { kind: 'demo', config: demoOverrides };

    const controller = new AbortController();
    const onSigint = () => controller.abort();
    process.once('SIGINT', onSigint);
    try {
      const report = await runPrefillJob(
        {
          source: { kind: 'bundle-file', path: args.positionals[0], settings: [{ label: 'compressed', config }] },
          model,
          provider: parseProviderPreference(single(args, 'provider') ?? 'auto'),
          runs: integerOption(args, 'runs', 1) ?? 5,
          warmupRuns: integerOption(args, 'warmup', 0) ?? 1,
        },
        {
          signal: controller.signal,
          onProgress: args.flags.has('progress') ? (p) => process.stderr.write(`[${(p.fraction * 100).toFixed(0).padStart(3)}%] ${p.stage}\n`) : undefined,
        },
      );
      const text = `${JSON.stringify(report, null, 2)}\n`;
      const out = single(args, 'out');
      if (out) await writeFileAtomic(out, text);
      else process.stdout.write(text);
      return 0;
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};
