/**
 * `npm run bench:sweep`: how fast a sweep runs on the design's 60-s reference clip, as ratios to
 * references measured in the same run (the machine may be shared; absolute times vary).
 *
 *  1. Single-plan time: the median of planClip over varied configs, on the main thread, with the
 *     clip analysed and the planner warmed (the reference).
 *  2. A plan-only sweep (metric: kept_fraction) through the local executor with 2 workers (an
 *     RpcPool of compute workers, trial batches over the worker RPC):
 *     trials per second overall and in steady state (after the workers loaded the clip), and the
 *     ratio of that throughput to 1 / single-plan time (2.0 would be perfect scaling on 2 workers).
 *  3. The Slurm path's per-task overhead: each task is a fresh `omnizip-studio sweep run-shard`
 *     process (Node + tsx start, plan and bundle read, worker start); measured by running shards
 *     of one trial each as the job script does, minus the trial's own time. When `sinfo` answers,
 *     a real 4-task job array is submitted too and its submit-to-done time reported.
 *
 * Options: --trials N (sweep size, default 200), --shards N (Slurm-path tasks timed, default 3).
 * Prints a table and one JSON line (also bench-results/sweep-bench.json).
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { analyzeForPlanning } from '../core/analysis/service.js';
import { REFERENCE_CLIP, makeSyntheticBundle } from '../test-support/synthetic/index.js';
import { writeBundle } from '../core/bundle/writer.js';
import { resolveConfig } from '../core/config/validate.js';
import { planClip, requiredFrameGeometries } from '../core/planner/plan.js';
import { runSweep } from '../core/sweeps/executor.js';
import { createPlan } from '../core/sweeps/plan.js';
import { writeSlurmJob } from '../core/sweeps/slurm.js';
import { parseSweepSpec } from '../core/sweeps/spec.js';
import { readResults } from '../core/sweeps/store.js';
import { sweepStatus } from '../core/sweeps/status.js';
import { mulberry32 } from '../core/util/numeric.js';
import { REPO_ROOT } from '../core/util/shared-paths.js';

const argv = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const TRIALS = option('trials', 200);
const SHARDS = option('shards', 3);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const r2 = (x: number) => Math.round(x * 100) / 100;

async function main(): Promise<void> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'omnizip-sweep-bench-'));
  process.env.OMNIZIP_CACHE_DIR = path.join(root, 'cache');
  const clipFile = path.join(root, 'reference-clip-60s.safetensors');
  const bundle = makeSyntheticBundle(REFERENCE_CLIP);
  await writeBundle(clipFile, bundle);
  console.log(`reference clip: ${bundle.numAudio} audio + ${bundle.numVideo} video tokens, D=${bundle.hiddenSize} (${clipFile})`);

  // Analyse once (cached on disk for the workers), then time single plans on the main thread.
  const analysisStarted = performance.now();
  const { analysis } = await analyzeForPlanning(bundle, { cache: true, frameGeometries: requiredFrameGeometries(bundle) });
  const analysisMs = performance.now() - analysisStarted;
  const rand = mulberry32(7);
  const planMs: number[] = [];
  // Untimed plans first: the workers' trials run JIT-warm after their first few, so must the reference.
  for (let i = 0; i < 20; i++) planClip(bundle, analysis, resolveConfig({ rho_video: 0.3 + 0.6 * rand(), g: Math.floor(16 * rand()) }));
  for (let i = 0; i < 30; i++) {
    const config = resolveConfig({ rho_video: 0.3 + 0.6 * rand(), rho_audio: 0.1 + 0.5 * rand(), g: Math.floor(16 * rand()) });
    const t = performance.now();
    planClip(bundle, analysis, config);
    planMs.push(performance.now() - t);
  }
  const singlePlanMs = median(planMs);

  // A plan-only sweep, 2 workers.
  const spec = parseSweepSpec(
    { clips: [clipFile], space: { rho_video: { low: 0.3, high: 0.9 }, rho_audio: { low: 0.1, high: 0.6 }, g: { low: 0, high: 15 } }, sampler: 'sobol', trials: TRIALS, objectives: ['kept_fraction'] },
    root,
  );
  const dir = path.join(root, 'sweep');
  await createPlan(spec, dir);
  const started = performance.now();
  const finishTimes: number[] = [];
  const summary = await runSweep(dir, { workers: 2, onRecord: () => finishTimes.push(performance.now()) });
  const wallMs = performance.now() - started;
  const overall = summary.done / (wallMs / 1000);
  // Steady state: from the first finished trial (workers up, clip loaded) to the last.
  const steady = finishTimes.length > 2 ? (finishTimes.length - 1) / ((finishTimes[finishTimes.length - 1] - finishTimes[0]) / 1000) : overall;
  const singleRate = 1000 / singlePlanMs;
  const { trials } = await readResults(dir);
  const trialWall = median(trials.map((t) => t.wall_ms));

  // The Slurm path: run-shard processes, one trial per shard.
  const shardSpec = parseSweepSpec({ clips: [clipFile], space: { rho_video: [0.41, 0.52, 0.63, 0.74, 0.85, 0.36, 0.47, 0.58].slice(0, Math.max(1, SHARDS)) }, objectives: ['kept_fraction'] }, root);
  const shardDir = path.join(root, 'shards');
  const shardPlan = await createPlan(shardSpec, shardDir);
  await writeSlurmJob(shardPlan, shardDir, { extra: [], tasks: shardPlan.trials.length, workers: 1 });
  const perTask: number[] = [];
  for (let k = 0; k < shardPlan.trials.length; k++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'omnizip-studio.mjs'), 'sweep', 'run-shard', shardDir, '--shard', String(k)], { encoding: 'utf8', env: process.env });
    if (r.status !== 0) throw new Error(`run-shard ${k} failed: ${r.stderr}`);
    perTask.push(performance.now() - t);
  }
  const shardTrials = (await readResults(shardDir)).trials;
  const overheadMs = median(perTask) - median(shardTrials.map((t) => t.wall_ms));

  // A real job array when a Slurm answers here.
  let slurm: { tasks: number; submitToDoneMs: number; perTaskMs: number } | { skipped: string };
  const sinfo = spawnSync('sinfo', ['-h', '-o', '%t'], { encoding: 'utf8' });
  if (sinfo.error || sinfo.status !== 0 || !/idle|mix|alloc/.test(sinfo.stdout)) {
    slurm = { skipped: sinfo.error ? 'sinfo not installed' : 'no Slurm node answers (start one with .ci/start-slurm.sh)' };
  } else {
    const arrayDir = path.join(root, 'slurm-array');
    const arraySpec = parseSweepSpec({ clips: [clipFile], space: { rho_video: [0.33, 0.44, 0.55, 0.66] }, objectives: ['kept_fraction'] }, root);
    const arrayPlan = await createPlan(arraySpec, arrayDir);
    const { script } = await writeSlurmJob(arrayPlan, arrayDir, { extra: [], tasks: 4, workers: 1 });
    const t = performance.now();
    const submit = spawnSync('sbatch', ['--parsable', script], { encoding: 'utf8' });
    if (submit.status !== 0) throw new Error(`sbatch failed: ${submit.stderr}`);
    while ((await sweepStatus(arrayDir)).done < 4 && performance.now() - t < 300_000) await new Promise((r) => setTimeout(r, 250));
    const ms = performance.now() - t;
    slurm = { tasks: 4, submitToDoneMs: Math.round(ms), perTaskMs: Math.round(ms / 4) };
  }

  const result = {
    bench: 'sweep',
    machine: `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), shared with other jobs`,
    clip: { audio: bundle.numAudio, video: bundle.numVideo, hidden: bundle.hiddenSize },
    analysisMs: Math.round(analysisMs),
    singlePlanMs: r2(singlePlanMs),
    sweep: {
      trials: summary.done,
      workers: 2,
      wallMs: Math.round(wallMs),
      trialsPerSecond: r2(overall),
      steadyTrialsPerSecond: r2(steady),
      medianTrialWallMs: r2(trialWall),
      /** Throughput / (1 / single-plan time): 2.0 = perfect scaling on 2 workers. */
      ratioToSinglePlanRate: r2(overall / singleRate),
      steadyRatioToSinglePlanRate: r2(steady / singleRate),
      /** Steady throughput / (2 workers x 1 / median in-worker trial time): the share of worker time spent planning (measured in the same run, so robust to load swings). */
      steadyEfficiencyVsTrialWall: r2(steady / (2 * (1000 / trialWall))),
    },
    slurmPath: {
      runShardProcessMs: Math.round(median(perTask)),
      perTaskOverheadMs: Math.round(overheadMs),
      overheadInSinglePlans: r2(overheadMs / singlePlanMs),
      jobArray: slurm,
    },
  };
  console.log('');
  console.log(`single plan (main thread, warm, median of 30) ${singlePlanMs.toFixed(1)} ms  -> ${singleRate.toFixed(1)} plans/s (reference)`);
  console.log(`sweep, ${summary.done} trials, 2 workers, plan-only   ${overall.toFixed(1)} trials/s overall (${r2(overall / singleRate)}x the single-plan rate), ${steady.toFixed(1)} trials/s steady (${r2(steady / singleRate)}x)`);
  console.log(`in-worker trial (plan + metrics) median      ${trialWall.toFixed(1)} ms -> steady throughput is ${r2(steady / (2 * (1000 / trialWall)))} of 2 workers planning back to back`);
  console.log(`Slurm path: one run-shard task               ${median(perTask).toFixed(0)} ms, of which overhead ${overheadMs.toFixed(0)} ms (= ${r2(overheadMs / singlePlanMs)} single plans)`);
  console.log(`Slurm job array                              ${'skipped' in slurm ? `skipped: ${slurm.skipped}` : `${slurm.tasks} tasks submitted to done in ${slurm.submitToDoneMs} ms (${slurm.perTaskMs} ms per task)`}`);
  console.log('(machine shared with other engineers: compare ratios, not absolute times)');
  console.log(JSON.stringify(result));
  await mkdir(path.join(REPO_ROOT, 'bench-results'), { recursive: true });
  await writeFile(path.join(REPO_ROOT, 'bench-results', 'sweep-bench.json'), `${JSON.stringify(result, null, 2)}\n`);
}

await main();
