import { parseProviderPreference } from '../../onnx/session.js';
import { runPrefillJob } from '../../prefill/job.js';
import type { DemoDecoderConfig } from '../../prefill/demo-decoder.js';
import { DEMO_DECODER_DEFAULT_SIZE } from '../../prefill/demo-size.js';
import { prefillSummary } from '../../prefill/summary.js';
import type { PrefillModelChoice } from '../../prefill/types.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { integerOption, single } from '../args.js';
import { abortOnSigint, defineCommand } from '../command.js';
import { configFromArgs } from '../config-args.js';
import { UsageError } from '../errors.js';

export const prefillCommand = defineCommand({
  name: 'prefill',
  summary: 'Measure prefill latency, memory, KV size and next-token fidelity of an ONNX decoder on the full vs the compressed sequence (a table; JSON with --json, the JSON report to --out).',
  usage:
    'prefill BUNDLE [--config FILE] [--set key=value ...] [--model MANIFEST.json] [--runs N] [--warmup N] [--provider auto|cpu|webgpu|cuda] [--demo-hidden N] [--demo-layers N] [--json] [--out FILE] [--progress]',
  options: { valued: ['config', 'set', 'model', 'runs', 'warmup', 'provider', 'demo-hidden', 'demo-layers', 'out'], boolean: ['progress', 'json'] },
  positional: 'bundle',
  async run(args, bundleFile) {
    const config = await configFromArgs(args);
    const manifest = single(args, 'model');
    const hidden = integerOption(args, 'demo-hidden', 8);
    const layers = integerOption(args, 'demo-layers', 1);
    if (manifest && (hidden !== undefined || layers !== undefined)) throw new UsageError('--demo-hidden/--demo-layers apply to the demo decoder, not to a --model manifest');
    // The studio's Inference panel starts from the same size, so the two give comparable figures.
    const demoOverrides: Partial<DemoDecoderConfig> = {
      hiddenSize: hidden ?? DEMO_DECODER_DEFAULT_SIZE.hiddenSize,
      numLayers: layers ?? DEMO_DECODER_DEFAULT_SIZE.numLayers,
    };
    const model: PrefillModelChoice = manifest ? { kind: 'manifest', path: manifest } : { kind: 'demo', config: demoOverrides };

    const report = await abortOnSigint((signal) =>
      runPrefillJob(
        {
          source: { kind: 'bundle-file', path: bundleFile, settings: [{ label: 'compressed', config }] },
          model,
          provider: parseProviderPreference(single(args, 'provider') ?? 'auto'),
          runs: integerOption(args, 'runs', 1) ?? 5,
          warmupRuns: integerOption(args, 'warmup', 0) ?? 1,
        },
        {
          signal,
          onProgress: args.flags.has('progress') ? (p) => process.stderr.write(`[${(p.fraction * 100).toFixed(0).padStart(3)}%] ${p.stage}\n`) : undefined,
        },
      ),
    );
    const json = `${JSON.stringify(report, null, 2)}\n`;
    const out = single(args, 'out');
    if (out) {
      await writeFileAtomic(out, json);
      process.stderr.write(`wrote the prefill report (JSON) to ${out}\n`);
    }
    process.stdout.write(args.flags.has('json') ? (out ? '' : json) : prefillSummary(report));
    return 0;
  },
});
