/**
 * `npm run bench:startup`: the part of a CLI run that is neither analysis nor planning (process
 * start, imports, provider probing, bundle load, exit) for `analyze` of the 60-s reference clip,
 * as a ratio to the in-run GEMM-eq (one float32 [1500x3584]x[3584x7680] onnxruntime Gemm, timed
 * right before each run), and `inspect` on the demo bundle as a ratio to a bare `node -e 0`.
 * Runs are interleaved and medians taken: the machine may be shared. Each stage of the
 * non-analysis part (from the marks `analyze --json` reports) is printed with its share, so a
 * regression can be placed: Node's start and the imports, the bundle load, opening the
 * onnxruntime sessions (provider choice, graph building, optimisation), the rest of the analysis step, the report,
 * and what the process spends outside its own clock (start before its time origin, exit).
 *
 * Options: --runs N (default 3), --cli PATH (default bin/omnizip-studio.mjs; point it at a
 * precompiled entry to measure that instead).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REFERENCE_CLIP, makeSyntheticBundle } from '../test-support/synthetic/index.js';
import { writeBundle } from '../core/bundle/writer.js';
import { gemmReference } from './gemm-reference.js';

const argv = process.argv.slice(2);
const option = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const RUNS = Number(option('--runs') ?? 3);
const CLI = path.resolve(option('--cli') ?? 'bin/omnizip-studio.mjs');
const DEMO = path.resolve('assets/demo/demo.safetensors');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const round2 = (x: number) => Math.round(x * 100) / 100;

/** The marks `analyze --json` reports (ms since the child's time origin); absent from older builds. */
interface RunMarks {
  commandStarted: number;
  bundleLoaded: number;
  sessionsReady: number | null;
  analysisEnded: number;
  reportAt: number;
}

/** The non-analysis stages of one run, in ms; they add up to the run's wall time minus computeMs. */
function stagesOf(wallMs: number, computeMs: number, m: RunMarks): Record<string, number> {
  return {
    'node start + imports': m.commandStarted,
    'bundle load': m.bundleLoaded - m.commandStarted,
    // With --no-cache the analyze command opens the sessions as a stage after the load.
    'sessions (provider, graphs)': Math.max(0, (m.sessionsReady ?? m.bundleLoaded) - m.bundleLoaded),
    'analysis step minus compute': m.analysisEnded - Math.max(m.bundleLoaded, m.sessionsReady ?? 0) - computeMs,
    'report': m.reportAt - m.analysisEnded,
    'exit + outside the clock': wallMs - m.reportAt,
  };
}

function timed(args: string[]): { ms: number; stdout: string } {
  const t = performance.now();
  const run = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  const ms = performance.now() - t;
  if (run.status !== 0) throw new Error(`${args.join(' ')} exited with ${run.status}: ${run.stderr}`);
  return { ms, stdout: run.stdout };
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'omnizip-startup-'));
try {
  const clip = makeSyntheticBundle({ ...REFERENCE_CLIP });
  const bundleFile = path.join(dir, 'reference-clip-60s.safetensors');
  await writeBundle(bundleFile, clip);
  const gemm = await gemmReference(clip);

  const startupGemmEq: number[] = [];
  const startupMs: number[] = [];
  const loadMs: number[] = [];
  const inspectRatio: number[] = [];
  const stageRuns: Record<string, number>[] = [];
  for (let r = 0; r < RUNS; r++) {
    const gemmMs = await gemm.time();
    const run = timed([CLI, 'analyze', bundleFile, '--provider', 'cpu', '--no-cache', '--json']);
    const report = JSON.parse(run.stdout) as { computeMs: number; loadMs: number; marks?: RunMarks };
    if (report.marks) stageRuns.push(Object.fromEntries(Object.entries(stagesOf(run.ms, report.computeMs, report.marks)).map(([k, v]) => [k, v / gemmMs])));
    // Everything but the engine's own compute: process, imports, probing, sessions, load, exit.
    startupMs.push(run.ms - report.computeMs);
    startupGemmEq.push((run.ms - report.computeMs) / gemmMs);
    loadMs.push(report.loadMs);
    const bare = timed(['-e', '0']).ms;
    inspectRatio.push(timed([CLI, 'inspect', DEMO]).ms / bare);
  }
  await gemm.release();
  const result = {
    bench: 'startup',
    cli: path.relative(process.cwd(), CLI),
    loadAverage: os.loadavg().map(round2),
    runs: RUNS,
    analyzeStartupMs: Math.round(median(startupMs)),
    analyzeStartupGemmEq: round2(median(startupGemmEq)),
    bundleLoadMs: Math.round(median(loadMs)),
    inspectVsBareNode: round2(median(inspectRatio)),
    targets: { analyzeStartupGemmEq: 0.3, inspectVsBareNode: 2 },
    /** Median GEMM-eq of each non-analysis stage (null: the CLI reports no marks). */
    stagesGemmEq: stageRuns.length ? Object.fromEntries(Object.keys(stageRuns[0]).map((k) => [k, Math.round(median(stageRuns.map((s) => s[k])) * 1000) / 1000])) : null,
  };
  console.log(`analyze 60-s clip, not analysis: ${result.analyzeStartupMs} ms = ${result.analyzeStartupGemmEq} GEMM-eq (target <= 0.3); bundle load ${result.bundleLoadMs} ms`);
  if (result.stagesGemmEq) {
    const total = Object.values(result.stagesGemmEq).reduce((a, b) => a + b, 0);
    for (const [stage, gemmEq] of Object.entries(result.stagesGemmEq)) {
      console.log(`  ${stage.padEnd(28)} ${gemmEq.toFixed(3)} GEMM-eq  ${total > 0 ? Math.round((100 * gemmEq) / total) : 0}%`);
    }
  }
  console.log(`inspect demo: ${result.inspectVsBareNode} x a bare node -e 0 (target <= 2)`);
  console.log(JSON.stringify(result));
} finally {
  await rm(dir, { recursive: true, force: true });
}
