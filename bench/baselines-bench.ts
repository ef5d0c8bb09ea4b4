/**
 * `npm run bench:baselines`: every registered method on the demo bundle and on the 60-s reference
 * clip at the same config: kept audio / video counts next to OmniZip's, and plan time (median of
 * a few runs, and as a ratio to OmniZip's measured in the same run: the machine may be shared).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeForPlanning } from '../core/analysis/service.js';
import { readBundle } from '../core/bundle/reader.js';
import { REFERENCE_CLIP, makeSyntheticBundle } from '../test-support/synthetic/index.js';
import type { FeatureBundle } from '../core/bundle/types.js';
import { resolveConfig } from '../core/config/validate.js';
import { bundleForPlanning } from '../core/methods/fastv-scores.js';
import { registeredMethods } from '../core/methods/registry.js';
import { planClip, requiredFrameGeometries } from '../core/planner/plan.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const RUNS = 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function run(name: string, bundle: FeatureBundle, overrides: Record<string, unknown>): Promise<void> {
  const { analysis } = await analyzeForPlanning(bundle, { cache: false, frameGeometries: requiredFrameGeometries(bundle) });
  console.log(`\n${name}: ${bundle.numAudio} audio + ${bundle.numVideo} video tokens, config ${JSON.stringify(overrides)}`);
  console.log('method      audio kept  video kept  seq kept   plan ms (median)  x OmniZip  notes');
  let reference = 0;
  for (const m of registeredMethods()) {
    const config = resolveConfig({ ...overrides, method: m.id });
    try {
      const times: number[] = [];
      // FastV: the demo decoder's layer-K run on the clip, once (cached), timed apart from planning.
      const started = performance.now();
      const planned = await bundleForPlanning(bundle, config);
      const decoderMs = planned === bundle ? null : performance.now() - started;
      let plan = planClip(planned, analysis, config);
      for (let i = 0; i < RUNS; i++) {
        plan = planClip(planned, analysis, config);
        times.push(plan.planMs);
      }
      const ms = median(times);
      if (m.id === 'omnizip') reference = ms;
      const c = plan.counts;
      const notes = [...(decoderMs === null ? [] : [`decoder run ${decoderMs.toFixed(0)} ms (once per clip + K)`]), ...plan.notes.filter((n) => /unreachable|proxy|missed|ties|exceeds/.test(n)).map((n) => n.slice(0, 60))].join(' | ');
      console.log(
        `${m.id.padEnd(11)} ${String(c.audio.kept).padStart(10)}  ${String(c.video.kept).padStart(10)}  ${String(c.sequence.kept).padStart(8)}   ${ms.toFixed(2).padStart(15)}  ${(ms / reference).toFixed(2).padStart(9)}  ${notes}`,
      );
    } catch (err) {
      console.log(`${m.id.padEnd(11)} unavailable: ${(err as Error).message}`);
    }
  }
}

const demo = await readBundle(path.join(here, '..', 'assets', 'demo', 'demo.safetensors'));
const clip = makeSyntheticBundle(REFERENCE_CLIP);
for (const overrides of [{ rho_audio: 0.3, rho_video: 0.6 }, { rho_audio: 0.5, rho_video: 0.75 }]) {
  await run('demo', demo, overrides);
  await run('reference clip (60 s)', clip, overrides);
}
console.log('\nTimes were measured on a shared machine; compare the ratios, not the milliseconds.');
