import { analyzeForPlanning } from '../../analysis/service.js';
import { readBundle } from '../../bundle/reader.js';
import { bundleForPlanning } from '../../methods/fastv-scores.js';
import { toPlanDocument } from '../../planner/document.js';
import { planClip } from '../../planner/plan.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { parseArgs, single } from '../args.js';
import { configFromArgs } from '../config-args.js';
import { UsageError } from '../errors.js';
import type { CliCommand } from './index.js';

const usage = 'plan BUNDLE [--config FILE.yaml|json] [--set key=value ...] [--out FILE] [--no-cache] [--provider auto|cpu|webgpu|cuda] [--fastv-model MANIFEST]';

export const planCommand: CliCommand = {
  name: 'plan',
  summary: 'Plan a feature bundle with a config and print (or write) the omnizip-plan JSON.',
  usage,
  async run(argv) {
    const args = parseArgs(argv, { valued: ['config', 'set', 'out', 'provider', 'fastv-model'], boolean: ['no-cache'] }, usage);
    if (args.positionals.length !== 1) throw new UsageError(`expected one bundle (usage: ${usage})`);
    const config = await configFromArgs(args);
    const fastvModel = single(args, 'fastv-model');
    // FastV without a dumped attention row: run the decoder (demo, or the manifest's) on the clip.
    const bundle = await bundleForPlanning(await readBundle(args.positionals[0]), config, fastvModel ? { kind: 'manifest', path: fastvModel } : { kind: 'demo' });
    const { analysis, cacheWarning } = await analyzeForPlanning(bundle, {
      cache: !args.flags.has('no-cache'),
      provider: single(args, 'provider') ?? 'auto',
      config,
    });
    if (cacheWarning) process.stderr.write(`omnizip-studio: warning: ${cacheWarning}\n`);
    const doc = toPlanDocument(bundle, planClip(bundle, analysis, config));
    const text = `${JSON.stringify(doc, null, 2)}\n`;
    const out = single(args, 'out');
    if (out) await writeFileAtomic(out, text);
    else process.stdout.write(text);
    return 0;
  },
};
