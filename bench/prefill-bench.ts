/**
 * Prefill benchmark on the reference clip (60 s: 1500 audio + 7680 video tokens, D 3584) with the
 * built-in demo decoder: the full sequence against OmniZip at 45% (rho_audio 0.3, rho_video 0.6)
 * and 35% (0.4, 0.7) retention, measured in a worker thread. Prints a summary table and writes
 * the full JSON report.
 *
 *   npm run bench:prefill -- [--runs N] [--warmup N] [--hidden D] [--layers N] [--provider P] [--out FILE]
 */
import { parseArgs } from 'node:util';
import ort from 'onnxruntime-node';
import { OnnxAnalysisEngine } from '../core/analysis/onnx-engine.js';
import { requiredFrameGeometries } from '../core/planner/plan.js';
import { REFERENCE_CLIP, makeSyntheticBundle } from '../test-support/synthetic/index.js';
import { DEFAULT_CONFIG } from '../core/config/schema.js';
import { GraphBuilder } from '../core/onnx/graph-builder.js';
import { createSession, parseProviderPreference } from '../core/onnx/session.js';
import { prefillInputFromBundle } from '../core/prefill/clip.js';
import { runPrefillInWorker } from '../core/compute/client.js';
import { demoDecoderFlops } from '../core/prefill/demo-decoder.js';
import { demoConfigFor } from '../core/prefill/runner.js';
import type { PrefillReport } from '../core/prefill/types.js';
import { writeFileAtomic } from '../core/util/atomic-write.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    hidden: { type: 'string', default: '512' },
    layers: { type: 'string', default: '4' },
    provider: { type: 'string', default: 'auto' },
    out: { type: 'string', default: 'bench-results/prefill-report.json' },
  },
});

const mb = (bytes: number | null) => (bytes === null ? 'n/a' : `${(bytes / 2 ** 20).toFixed(0)} MB`);
const fmt = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');

function summary(report: PrefillReport): string {
  const full = report.runs[0];
  const lines = [
    `model: ${report.model.name}`,
    `provider: ${report.provider.name} (${report.provider.device}); ${report.settings.warmupRuns} warm-up + ${report.settings.runs} timed runs per sequence`,
    '',
    `memory: a fresh child process per sequence, OS peak counter ${full.memory.peakCounter}${full.memory.peakResetAfterLoad ? ' reset after the model load' : ''}; peak = during the run, RSS + = peak minus the RSS before the run`,
    '',
    'setting     tokens  a/v kept  median ms   p95 ms  speed-up  FLOPs prefill (a/v | seq)  FLOPs paper R=100 (a/v)  peak RSS    RSS +      KV       KL      top1  top5  cos',
    `full      ${String(full.tokens).padStart(8)}   100.0%  ${fmt(full.latency.medianMs, 0).padStart(9)} ${fmt(full.latency.p95Ms, 0).padStart(8)}      1.00x  ${'1.00x | 1.00x'.padStart(24)}  ${'1.00x'.padStart(23)}  ${mb(full.memory.rssPeakBytes).padStart(8)} ${mb(full.memory.rssIncreaseBytes).padStart(8)} ${mb(full.kvCache.bytes).padStart(7)}`,
  ];
  report.comparisons.forEach((c, k) => {
    const run = report.runs[k + 1];
    const f = c.flops;
    lines.push(
      `${c.label.padEnd(8)}  ${String(run.tokens).padStart(8)}  ${(c.retention.audioVideo * 100).toFixed(1).padStart(6)}%  ${fmt(run.latency.medianMs, 0).padStart(9)} ${fmt(run.latency.p95Ms, 0).padStart(8)}  ${fmt(c.speedup.median).padStart(8)}x  ${`${fmt(f.audioVideoOnly.prefillSpeedup)}x | ${fmt(f.wholeSequence.prefillSpeedup)}x`.padStart(24)}  ${`${fmt(f.audioVideoOnly.speedup)}x`.padStart(23)}  ${mb(run.memory.rssPeakBytes).padStart(8)} ${mb(run.memory.rssIncreaseBytes).padStart(8)} ${mb(run.kvCache.bytes).padStart(7)}  ${fmt(c.fidelity.klDivergence, 4).padStart(7)}  ${c.fidelity.top1Agreement}     ${fmt(c.fidelity.top5Overlap, 1)}   ${fmt(c.fidelity.hiddenCosine ?? Number.NaN, 4)}`,
    );
  });
  lines.push('', 'Memory of full vs each setting (RSS increase ratio; KV-cache ratio):');
  for (const c of report.comparisons) lines.push(`  ${c.label.padEnd(6)} ${fmt(c.memory.rssIncreaseRatio)}x less run memory; KV cache ${fmt(c.memory.kvCacheRatio)}x smaller`);
  lines.push('', 'Same formula with the paper\'s model dimensions (a/v tokens only, R = 100; the paper reports FLOPs 39% at 45% and 29% at 35% for 7B):');
  for (const c of report.comparisons) {
    for (const [name, f] of Object.entries(c.paperModelFlops)) {
      lines.push(`  ${c.label.padEnd(6)} ${name.padEnd(16)} FLOPs ratio ${(f.audioVideoOnly.ratio * 100).toFixed(1)}%  (speed-up ${fmt(f.audioVideoOnly.speedup)}x; prefill only ${fmt(f.audioVideoOnly.prefillSpeedup)}x; whole sequence ${fmt(f.wholeSequence.speedup)}x)`);
    }
  }
  lines.push('', ...report.notes, report.model.caveat ?? '');
  return lines.join('\n');
}

/**
 * The demo decoder's achieved FLOP/s on the full sequence as a ratio to one onnxruntime MatMul of
 * the same width ([tokens x d] x [d x mlp], the decoder's largest product shape), timed here on
 * the CPU provider after the worker is done, so both see the same machine.
 */
async function achievedVsMatMul(report: PrefillReport): Promise<string> {
  const full = report.runs[0];
  const decoder = demoConfigFor({ hiddenSize: Number(values.hidden), numLayers: Number(values.layers) }, full.tokens);
  const achieved = demoDecoderFlops(decoder, full.tokens) / (full.latency.medianMs / 1000);
  const g = new GraphBuilder('matmul_reference');
  const x = g.input('x', 'float32', ['n', decoder.hiddenSize]);
  const w = g.input('w', 'float32', [decoder.hiddenSize, decoder.intermediateSize]);
  g.output(g.node('MatMul', [x, w], {}, 'y'), 'float32', ['n', decoder.intermediateSize]);
  const session = await createSession(g.toModelBytes(), 'cpu');
  const feeds = {
    x: new ort.Tensor('float32', Float32Array.from({ length: full.tokens * decoder.hiddenSize }, (_, i) => Math.sin(i)), [full.tokens, decoder.hiddenSize]),
    w: new ort.Tensor('float32', new Float32Array(decoder.hiddenSize * decoder.intermediateSize).fill(0.01), [decoder.hiddenSize, decoder.intermediateSize]),
  };
  await session.run(feeds);
  const times: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    await session.run(feeds);
    times.push(performance.now() - t);
  }
  await session.release();
  const medianMs = [...times].sort((a, b) => a - b)[2];
  const reference = (2 * full.tokens * decoder.hiddenSize * decoder.intermediateSize) / (medianMs / 1000);
  const line = {
    decoderGflops: Math.round(achieved / 1e7) / 100,
    matmulGflops: Math.round(reference / 1e7) / 100,
    ratio: Math.round((achieved / reference) * 100) / 100,
    target: 0.5,
  };
  return `demo decoder achieved ${line.decoderGflops} GFLOP/s on the full sequence (${full.tokens} tokens) = ${line.ratio} x an in-run onnxruntime MatMul of the same width [${full.tokens} x ${decoder.hiddenSize}] x [${decoder.hiddenSize} x ${decoder.intermediateSize}] (${line.matmulGflops} GFLOP/s; target >= 0.5)\n${JSON.stringify({ bench: 'prefill-efficiency', ...line })}`;
}

const started = performance.now();
const bundle = makeSyntheticBundle(REFERENCE_CLIP);
console.error(`reference clip: ${bundle.numAudio} audio + ${bundle.numVideo} video tokens, L = ${bundle.tokenTypes.length}, D = ${bundle.hiddenSize}`);
const input = await prefillInputFromBundle(
  bundle,
  [
    { label: '45%', config: { ...DEFAULT_CONFIG, rho_audio: 0.3, rho_video: 0.6 } },
    { label: '35%', config: { ...DEFAULT_CONFIG, rho_audio: 0.4, rho_video: 0.7 } },
  ],
  {
    onProgress: (stage) => console.error(`  ${stage}`),
    // The onnxruntime analysis engine: the TypeScript reference takes minutes on this clip.
    analyze: (b, config, signal) => new OnnxAnalysisEngine().analyze(b, { frameGeometries: requiredFrameGeometries(b, config), signal }),
  },
);
console.error(`sequences ready in ${((performance.now() - started) / 1000).toFixed(1)} s; measuring in a worker thread`);
const report = await runPrefillInWorker(
  {
    source: { kind: 'sequences', input },
    model: { kind: 'demo', config: { hiddenSize: Number(values.hidden), numLayers: Number(values.layers) } },
    provider: parseProviderPreference(values.provider as string),
    runs: Number(values.runs),
    warmupRuns: Number(values.warmup),
  },
  { onProgress: (p) => console.error(`  [${(p.fraction * 100).toFixed(0).padStart(3)}%] ${p.stage}`) },
);
await writeFileAtomic(values.out as string, `${JSON.stringify(report, null, 2)}\n`);
console.log(summary(report));
if (report.provider.name === 'cpu') console.log(`\n${await achievedVsMatMul(report)}`);
console.log(`\nfull report: ${values.out}; total ${((performance.now() - started) / 1000).toFixed(1)} s`);
