/**
 * Long clips at Qwen2.5-Omni-7B size: 30, 60, 120 and 300 s (the last stored as F16, like the
 * 4 min 47 s WorldSense clip users report: 7,500 audio x 38,400 video tokens). Each length runs
 * in its own process (bench/long-clip-child.ts) so its peak RSS is its own; before each, the
 * parent times the in-run reference, one float32 [1500x3584]x[3584x7680] onnxruntime Gemm
 * (GEMM-eq), so every time is also a ratio. Prints time, time per audio x video token pair
 * relative to the 60-s clip (<= 1: grows no faster than the token product), peak RSS, progress
 * events, replan median and cancel latency.
 *
 * Standalone: `node bin/run-ts.mjs bench/long-clip-bench.ts [--seconds 30,60,120,300]`; also the
 * last section of `npm run bench`.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REFERENCE_CLIP, makeSyntheticBundle } from '../test-support/synthetic/index.js';
import { gemmReference } from './gemm-reference.js';

export interface LongClipRow {
  seconds: number;
  dtype: string;
  numAudio: number;
  numVideo: number;
  analysisMs: number;
  gemmEqMs: number;
  analysisGemmEq: number;
  /** (time / token pairs) / (the 60-s clip's time / token pairs), both in GEMM-eq. */
  perPairVs60s: number | null;
  /** The same from wall times alone (no reference): noisier on a shared machine, shown beside it. */
  perPairWallVs60s: number | null;
  progressEvents: number;
  rssWithClipMB: number;
  peakRssAnalysingMB: number;
  replanMedianMs: number;
  cancelLatencyMs: number;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const round2 = (x: number) => Math.round(x * 100) / 100;

function runChild(seconds: number, dtype: string): Promise<Record<string, number | string>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(here, '..', 'bin', 'run-ts.mjs'), path.join(here, 'long-clip-child.ts'), String(seconds), dtype], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) reject(new Error(`long-clip child for ${seconds} s exited with ${code}`));
      else resolve(JSON.parse(line) as Record<string, number | string>);
    });
  });
}

export async function runLongClipBench(lengths: number[]): Promise<LongClipRow[]> {
  // The GEMM-eq operands: the 60-s reference clip's own embeddings.
  const clip = makeSyntheticBundle({ ...REFERENCE_CLIP });
  const gemm = await gemmReference(clip);
  const rows: LongClipRow[] = [];
  for (const seconds of lengths) {
    const gemmEqMs = await gemm.time();
    const r = await runChild(seconds, seconds >= 300 ? 'F16' : 'F32');
    rows.push({
      seconds,
      dtype: String(r.dtype),
      numAudio: Number(r.numAudio),
      numVideo: Number(r.numVideo),
      analysisMs: Number(r.analysisMs),
      gemmEqMs: Math.round(gemmEqMs),
      analysisGemmEq: round2(Number(r.analysisMs) / gemmEqMs),
      perPairVs60s: null,
      perPairWallVs60s: null,
      progressEvents: Number(r.progressEvents),
      rssWithClipMB: Number(r.rssWithClipMB),
      peakRssAnalysingMB: Number(r.peakRssAnalysingMB),
      replanMedianMs: Number(r.replanMedianMs),
      cancelLatencyMs: Number(r.cancelLatencyMs),
    });
  }
  await gemm.release();
  const base = rows.find((r) => r.seconds === 60);
  if (base) {
    const basePerPair = base.analysisGemmEq / (base.numAudio * base.numVideo);
    const baseWallPerPair = base.analysisMs / (base.numAudio * base.numVideo);
    for (const r of rows) {
      r.perPairVs60s = round2(r.analysisGemmEq / (r.numAudio * r.numVideo) / basePerPair);
      r.perPairWallVs60s = round2(r.analysisMs / (r.numAudio * r.numVideo) / baseWallPerPair);
    }
  }
  return rows;
}

export function printLongClipRows(rows: LongClipRow[]): void {
  console.log(`long clips, 7B size (load average ${os.loadavg().map(round2).join(' ')}; shared machine: read the GEMM-eq ratios)`);
  console.log('clip    tokens (a x v)     dtype  analysis                per pair vs 60 s (GEMM-eq | wall)  peak RSS  progress  replan median  cancel latency');
  for (const r of rows) {
    console.log(
      `${`${r.seconds} s`.padEnd(7)} ${`${r.numAudio} x ${r.numVideo}`.padEnd(18)} ${r.dtype.padEnd(6)} ${`${(r.analysisMs / 1000).toFixed(1)} s = ${r.analysisGemmEq} GEMM-eq`.padEnd(23)} ${`${r.perPairVs60s ?? 'n/a'} | ${r.perPairWallVs60s ?? 'n/a'}`.padEnd(34)} ${`${r.peakRssAnalysingMB} MB`.padEnd(9)} ${String(r.progressEvents).padEnd(9)} ${`${r.replanMedianMs} ms`.padEnd(14)} ${r.cancelLatencyMs} ms`,
    );
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--seconds');
  const lengths = at >= 0 ? argv[at + 1].split(',').map(Number) : [30, 60, 120, 300];
  const rows = await runLongClipBench(lengths);
  printLongClipRows(rows);
  console.log(JSON.stringify({ bench: 'long-clips', loadAverage: os.loadavg().map(round2), rows }));
}
