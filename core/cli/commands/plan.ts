import { analyzeForPlanning } from '../../analysis/service.js';
import { ensureSpeechActivity } from '../../analysis/speech-activity.js';
import { readBundle } from '../../bundle/reader.js';
import { bundleForPlanning } from '../../methods/fastv-scores.js';
import { notABundleMessage } from '../../media/file-kind.js';
import { toPlanDocument } from '../../planner/document.js';
import { planClip, requiredFrameGeometries } from '../../planner/plan.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { single } from '../args.js';
import { defineCommand } from '../command.js';
import { configFromArgs } from '../config-args.js';
import { UsageError } from '../errors.js';

export const planCommand = defineCommand({
  name: 'plan',
  summary: 'Plan a feature bundle with a config and print (or write) the omnizip-plan JSON.',
  usage: 'plan BUNDLE [--config FILE.yaml|json] [--set key=value ...] [--out FILE] [--no-cache] [--provider auto|cpu|webgpu|cuda] [--fastv-model MANIFEST]',
  options: { valued: ['config', 'set', 'out', 'provider', 'fastv-model'], boolean: ['no-cache'] },
  positional: 'bundle',
  async run(args, file) {
    const notBundle = notABundleMessage(file);
    if (notBundle) throw new UsageError(notBundle);
    const config = await configFromArgs(args);
    const fastvModel = single(args, 'fastv-model');
    // FastV without a dumped attention row: run the decoder (demo, or the manifest's) on the clip.
    const bundle = await bundleForPlanning(await readBundle(file), config, fastvModel ? { kind: 'manifest', path: fastvModel } : { kind: 'demo' });
    const { analysis, cacheWarning } = await analyzeForPlanning(bundle, {
      cache: !args.flags.has('no-cache'),
      provider: single(args, 'provider') ?? 'auto',
      frameGeometries: requiredFrameGeometries(bundle, config),
    });
    if (cacheWarning) process.stderr.write(`omnizip-studio: warning: ${cacheWarning}\n`);
    // The Silero VAD speech reference is an async model run: done before the (synchronous) planner needs it.
    if (config.audio_score === 'speech_activity') await ensureSpeechActivity(bundle);
    const doc = toPlanDocument(bundle, planClip(bundle, analysis, config));
    const text = `${JSON.stringify(doc, null, 2)}\n`;
    const out = single(args, 'out');
    if (out) {
      await writeFileAtomic(out, text);
      const c = doc.counts;
      process.stdout.write(`wrote ${out}: omnizip-plan of ${file}, kept ${c.audio.kept}/${c.audio.total} audio, ${c.video.kept}/${c.video.total} video, ${c.sequence.kept}/${c.sequence.total} sequence tokens\n`);
    } else process.stdout.write(text);
    return 0;
  },
});
