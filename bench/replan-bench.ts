/**
 * Replanning on a long clip as the studio does it: the clip read from its file, its analysis from
 * the on-disk cache (computed once), the planner warmed, then 30 random configs twice (the second
 * pass, JIT-warm, is reported) and a slider sweep (one config key changing at a time, as a slider
 * drag does). Run it with `node --cpu-prof` to see where a replan's time goes.
 * Usage: node bin/run-ts.mjs bench/replan-bench.ts [SECONDS=300]
 */
import os from 'node:os';
import { analyzeForPlanning } from '../core/analysis/service.js';
import { readBundle } from '../core/bundle/reader.js';
import { resolveConfig } from '../core/config/validate.js';
import { planClip, requiredFrameGeometries, warmPlanner } from '../core/planner/plan.js';
import { randomReplanConfigs } from './replan-configs.js';
import { ensureBenchClip } from './long-clip-file.js';

const seconds = Number(process.argv[2] ?? 300);
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];
const round2 = (x: number) => Math.round(x * 100) / 100;

const file = await ensureBenchClip(seconds);
let t = performance.now();
const bundle = await readBundle(file);
const readMs = performance.now() - t;
t = performance.now();
const { analysis, cache } = await analyzeForPlanning(bundle, { provider: 'cpu', frameGeometries: requiredFrameGeometries(bundle) });
const analysisMs = performance.now() - t;
t = performance.now();
warmPlanner(bundle, analysis);
const warmMs = performance.now() - t;

const randomConfigs = randomReplanConfigs(30);
// What bench:ui's slider drives: rho_video and rho_audio steps around the defaults.
const sliderConfigs = Array.from({ length: 60 }, (_, i) =>
  resolveConfig(i % 3 === 2 ? { rho_audio: 0.2 + 0.05 * (i % 6) } : { rho_video: 0.5 + 0.02 * (i % 12) }),
);
function times(configs: ReturnType<typeof resolveConfig>[]): number[] {
  const ms: number[] = [];
  for (const config of configs) {
    const s = performance.now();
    planClip(bundle, analysis, config);
    ms.push(performance.now() - s);
  }
  return ms;
}
times(randomConfigs);
const random2 = times(randomConfigs);
const slider = times(sliderConfigs);
const row = {
  bench: 'replan',
  seconds,
  numAudio: bundle.numAudio,
  numVideo: bundle.numVideo,
  loadAverage: os.loadavg().map(round2),
  readMs: Math.round(readMs),
  analysis: { cache, ms: Math.round(analysisMs) },
  warmPlannerMs: Math.round(warmMs),
  randomConfigs: { median: round2(percentile(random2, 50)), p95: round2(percentile(random2, 95)) },
  sliderSweep: { median: round2(percentile(slider, 50)), p95: round2(percentile(slider, 95)) },
};
console.log(`replanning, ${seconds} s clip (${bundle.numAudio} audio + ${bundle.numVideo} video tokens; load average ${row.loadAverage.join(' ')}, shared machine)`);
console.log(`  30 random configs (2nd pass): median ${row.randomConfigs.median} ms, p95 ${row.randomConfigs.p95} ms`);
console.log(`  slider sweep (60 steps):      median ${row.sliderSweep.median} ms, p95 ${row.sliderSweep.p95} ms`);
console.log(`  read ${row.readMs} ms, analysis (${cache}) ${row.analysis.ms} ms, warmPlanner ${row.warmPlannerMs} ms`);
console.log(JSON.stringify(row));
