/**
 * `npm run bench:precision`: can the audio x video maxima be found below the float32 GEMM floor
 * with a reduced-precision product, and stay exact? Measures, in one run, on the 60-s reference
 * clip (1500 audio x 7680 video tokens, D 3584):
 * 1. the in-run reference, one float32 [1500x3584]x[3584x7680] onnxruntime Gemm ("GEMM-eq");
 * 2. the cross-modal product in the engine's tiles with each kernel onnxruntime's CPU provider
 *    has for it (float32 Gemm, 8-bit MatMulInteger u8 x s8, float16 MatMul), interleaved round by
 *    round so load on the shared machine hits them alike; ratios are medians of per-round ratios;
 * 3. for 8-bit, the rigorous error bound per (audio, video) pair from the quantisation residuals
 *    (|â·v̂ − sa·sv·qa·qv| ≤ ‖ra‖·‖v̂‖ + ‖sa·qa‖·‖rv‖, Cauchy-Schwarz) against the error actually
 *    seen, and the share of pairs the bound cannot rule out of a per-frame maximum, which all
 *    have to be recomputed in float32 to keep the maxima exact.
 * The floor for an exact int8 path is then int8 time + candidate share x float32 time.
 *
 * Options: --rounds N (default 5).
 */
import ort from 'onnxruntime-node';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { REFERENCE_CLIP, makeSyntheticBundle } from '../test-support/synthetic/index.js';
import { AUDIO_VIDEO_EPS } from '../core/onnx/analysis-graphs.js';
import { GraphBuilder, attr } from '../core/onnx/graph-builder.js';
import { createSession } from '../core/onnx/session.js';

const argv = process.argv.slice(2);
const roundsArg = argv.indexOf('--rounds');
const ROUNDS = roundsArg >= 0 ? Number(argv[roundsArg + 1]) : 5;
const TILE = 1024;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round2 = (x: number) => Math.round(x * 100) / 100;

function gemmModel(): Uint8Array {
  const g = new GraphBuilder('f32_gemm');
  const a = g.input('a', 'float32', ['m', 'k']);
  const b = g.input('b', 'float32', ['n', 'k']);
  g.output(g.node('Gemm', [a, b], { transB: attr.int(1) }, 'o'), 'float32', ['m', 'n']);
  return g.toModelBytes();
}
function int8Model(): Uint8Array {
  const g = new GraphBuilder('u8s8');
  const a = g.input('a', 'uint8', ['m', 'k']);
  const b = g.input('b', 'int8', ['k', 'n']);
  const zp = g.initializer('a_zero_point', 'uint8', [], [128]);
  g.output(g.node('MatMulInteger', [a, b, zp], {}, 'o'), 'int32', ['m', 'n']);
  return g.toModelBytes();
}
function halfModel(): Uint8Array {
  const g = new GraphBuilder('f16');
  const a = g.input('a', 'float16', ['m', 'k']);
  const b = g.input('b', 'float16', ['k', 'n']);
  g.output(g.node('MatMul', [a, b], {}, 'o'), 'float16', ['m', 'n']);
  return g.toModelBytes();
}

/** Rows divided by (‖row‖ + 1e-6), as the analysis graphs do (in float64 here, then rounded). */
function normalizeRows(x: Float32Array, rows: number, d: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += x[r * d + k] ** 2;
    const inv = 1 / (Math.sqrt(s) + AUDIO_VIDEO_EPS);
    for (let k = 0; k < d; k++) out[r * d + k] = x[r * d + k] * inv;
  }
  return out;
}

interface Quantized {
  q: Int8Array;
  scale: Float64Array;
  /** ‖row − scale·q‖ */
  residualNorm: Float64Array;
  /** ‖scale·q‖ */
  dequantNorm: Float64Array;
  norm: Float64Array;
}
/** Symmetric per-row int8 quantisation to [-127, 127]. */
function quantize(x: Float32Array, rows: number, d: number): Quantized {
  const q = new Int8Array(x.length);
  const scale = new Float64Array(rows);
  const residualNorm = new Float64Array(rows);
  const dequantNorm = new Float64Array(rows);
  const norm = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let m = 0;
    for (let k = 0; k < d; k++) m = Math.max(m, Math.abs(x[r * d + k]));
    const s = m > 0 ? m / 127 : 1;
    let rr = 0, dq = 0, nn = 0;
    for (let k = 0; k < d; k++) {
      const v = x[r * d + k];
      const qi = Math.round(v / s);
      q[r * d + k] = qi;
      rr += (v - s * qi) ** 2;
      dq += (s * qi) ** 2;
      nn += v * v;
    }
    scale[r] = s;
    residualNorm[r] = Math.sqrt(rr);
    dequantNorm[r] = Math.sqrt(dq);
    norm[r] = Math.sqrt(nn);
  }
  return { q, scale, residualNorm, dequantNorm, norm };
}

function transposeTile<T extends Int8Array | Uint16Array>(src: T, start: number, count: number, d: number, make: (n: number) => T): T {
  const out = make(count * d);
  for (let j = 0; j < count; j++) for (let k = 0; k < d; k++) out[k * count + j] = src[(start + j) * d + k];
  return out;
}

function toHalfBits(x: Float32Array): Uint16Array {
  // Only the kernel's speed is measured with these; round-to-nearest is not needed.
  const bits = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const out = new Uint16Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const b = bits[i];
    const e = ((b >>> 23) & 0xff) - 127 + 15;
    out[i] = ((b >>> 16) & 0x8000) | (e <= 0 ? 0 : e >= 31 ? 0x7c00 : (e << 10) | ((b >>> 13) & 0x3ff));
  }
  return out;
}

/**
 * One numpy float32 GEMM of the same shape, timed inside a python child (after a warm-up), when
 * python3 with numpy is installed: the GEMM-equivalent. Null when it is not available.
 */
function numpyGemmMs(m: number, k: number, n: number): number | null {
  const script = `import numpy as np, time
a = np.random.rand(${m}, ${k}).astype(np.float32); b = np.random.rand(${k}, ${n}).astype(np.float32)
a @ b
t = time.perf_counter(); a @ b; print((time.perf_counter() - t) * 1000)`;
  const run = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
  const value = Number(run.stdout?.trim());
  return run.status === 0 && Number.isFinite(value) ? value : null;
}

async function main(): Promise<void> {
  const clip = makeSyntheticBundle({ ...REFERENCE_CLIP });
  const { numAudio: na, numVideo: nv, hiddenSize: d } = clip;
  const tpf = REFERENCE_CLIP.tokensPerFrame ?? 128;
  const a = normalizeRows(clip.audioEmbeds, na, d);
  const v = normalizeRows(clip.videoEmbeds, nv, d);
  const qa = quantize(a, na, d);
  const qv = quantize(v, nv, d);
  const audioU8 = new Uint8Array(na * d);
  for (let i = 0; i < audioU8.length; i++) audioU8[i] = qa.q[i] + 128;
  const audioHalf = toHalfBits(a);
  const videoHalf = toHalfBits(v);

  const [gemm, int8, half] = await Promise.all([createSession(gemmModel(), 'cpu'), createSession(int8Model(), 'cpu'), createSession(halfModel(), 'cpu')]);
  const tiles: Array<{ start: number; count: number; f32: ort.Tensor; s8: ort.Tensor; f16: ort.Tensor }> = [];
  for (let start = 0; start < nv; start += TILE) {
    const count = Math.min(TILE, nv - start);
    tiles.push({
      start,
      count,
      f32: new ort.Tensor('float32', v.subarray(start * d, (start + count) * d), [count, d]),
      s8: new ort.Tensor('int8', transposeTile(qv.q, start, count, d, (n) => new Int8Array(n)), [d, count]),
      f16: new ort.Tensor('float16', transposeTile(videoHalf, start, count, d, (n) => new Uint16Array(n)), [d, count]),
    });
  }
  const audioF32 = new ort.Tensor('float32', a, [na, d]);
  const audioS8 = new ort.Tensor('uint8', audioU8, [na, d]);
  const audioF16 = new ort.Tensor('float16', audioHalf, [na, d]);
  const wholeVideo = new ort.Tensor('float32', v, [nv, d]);

  // Exactness of the 8-bit kernel (AVX2's u8 x s8 path can saturate 16-bit pair sums): a few rows.
  let int8Mismatches = 0;
  const checkRows = [0, 1, Math.floor(na / 2), na - 1];
  const exactSim = new Float32Array(na * nv);
  const approx = new Float32Array(na * nv);
  for (const t of tiles) {
    const exact = (await gemm.run({ a: audioF32, b: t.f32 })).o.data as Float32Array;
    const ints = (await int8.run({ a: audioS8, b: t.s8 })).o.data as Int32Array;
    for (let i = 0; i < na; i++) {
      for (let j = 0; j < t.count; j++) {
        exactSim[i * nv + t.start + j] = exact[i * t.count + j];
        approx[i * nv + t.start + j] = ints[i * t.count + j] * qa.scale[i] * qv.scale[t.start + j];
      }
    }
    for (const i of checkRows) {
      for (let j = 0; j < t.count; j++) {
        let dot = 0;
        for (let k = 0; k < d; k++) dot += qa.q[i * d + k] * qv.q[(t.start + j) * d + k];
        if (dot !== ints[i * t.count + j]) int8Mismatches++;
      }
    }
  }

  // Error actually seen vs the rigorous bound; candidates per (audio token, frame).
  let maxErr = 0, maxBound = 0, sumBound = 0, boundViolations = 0, candidates = 0, pairs = 0, singleCandidate = 0;
  const frames = Math.floor(nv / tpf);
  const bound = (i: number, j: number) => qa.residualNorm[i] * qv.norm[j] + qa.dequantNorm[i] * qv.residualNorm[j];
  for (let i = 0; i < na; i++) {
    for (let f = 0; f < frames; f++) {
      let floor = -Infinity;
      for (let j = f * tpf; j < (f + 1) * tpf; j++) floor = Math.max(floor, approx[i * nv + j] - bound(i, j));
      let c = 0;
      for (let j = f * tpf; j < (f + 1) * tpf; j++) {
        const b = bound(i, j);
        const err = Math.abs(exactSim[i * nv + j] - approx[i * nv + j]);
        maxErr = Math.max(maxErr, err);
        maxBound = Math.max(maxBound, b);
        sumBound += b;
        if (err > b) boundViolations++;
        if (approx[i * nv + j] + b >= floor) c++;
      }
      candidates += c;
      pairs += tpf;
      if (c === 1) singleCandidate++;
    }
  }

  // Timing, interleaved: the one-shot GEMM-eq, then the tiled cross-modal product per kernel.
  const kernels: Record<string, () => Promise<void>> = {
    'GEMM-eq (one f32 Gemm [1500x3584]x[3584x7680])': async () => void (await gemm.run({ a: audioF32, b: wholeVideo })),
    'f32 Gemm, engine tiles': async () => { for (const t of tiles) await gemm.run({ a: audioF32, b: t.f32 }); },
    'int8 MatMulInteger u8 x s8, engine tiles': async () => { for (const t of tiles) await int8.run({ a: audioS8, b: t.s8 }); },
    'f16 MatMul, engine tiles': async () => { for (const t of tiles) await half.run({ a: audioF16, b: t.f16 }); },
  };
  const names = Object.keys(kernels);
  for (const n of names) await kernels[n]();
  const ms: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const numpyMs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const numpy = numpyGemmMs(na, d, nv);
    if (numpy !== null) numpyMs.push(numpy);
    for (const n of names) {
      const t = performance.now();
      await kernels[n]();
      ms[n].push(performance.now() - t);
    }
  }
  const ref = ms[names[0]];
  const ratio = (n: string) => median(ms[n].map((m, r) => m / ref[r]));
  const candidateShare = candidates / pairs;
  const int8Ratio = ratio(names[2]);
  const f32Ratio = ratio(names[1]);
  const numpyRatio = numpyMs.length === ROUNDS ? median(numpyMs.map((m, r) => m / ref[r])) : null;
  const result = {
    bench: 'precision',
    /** The numpy GEMM as a multiple of the onnxruntime one (null: no python3/numpy here). */
    numpyGemmInOrtGemmEq: numpyRatio === null ? null : round2(numpyRatio),
    numpyGemmMs: numpyMs.length ? Math.round(median(numpyMs)) : null,
    loadAverage: os.loadavg().map(round2),
    rounds: ROUNDS,
    clip: { numAudio: na, numVideo: nv, hiddenSize: d, tokensPerFrame: tpf },
    kernelsMs: Object.fromEntries(names.map((n) => [n, Math.round(median(ms[n]))])),
    kernelsGemmEq: Object.fromEntries(names.map((n) => [n, round2(ratio(n))])),
    int8: {
      exactOnCheckedRows: int8Mismatches === 0,
      mismatchesOnCheckedRows: `${int8Mismatches} of ${checkRows.length * nv}`,
      maxErrorSeen: maxErr,
      meanBound: sumBound / pairs,
      maxBound,
      boundViolations,
      candidateShare: round2(candidateShare),
      rowFrameWithOneCandidate: round2(singleCandidate / (na * frames)),
      exactPathFloorGemmEq: round2(int8Ratio + candidateShare * f32Ratio),
    },
  };
  console.log(`load average ${result.loadAverage.join(' ')} (shared machine); medians of ${ROUNDS} interleaved rounds`);
  for (const n of names) console.log(`${n.padEnd(50)} ${String(result.kernelsMs[n]).padStart(6)} ms  ${result.kernelsGemmEq[n].toFixed(2)} GEMM-eq`);
  if (numpyRatio !== null) console.log(`${'numpy f32 a @ b, same shape'.padEnd(50)} ${String(result.numpyGemmMs).padStart(6)} ms  ${numpyRatio.toFixed(2)} GEMM-eq (onnxruntime)`);
  console.log(`int8 MatMulInteger equals the exact integer product on ${checkRows.length} checked rows: ${result.int8.exactOnCheckedRows} (${result.int8.mismatchesOnCheckedRows} differ: AVX2's u8 x s8 pair sums saturate at 16 bits)`);
  console.log(`int8 error: max seen ${maxErr.toExponential(2)}, rigorous bound mean ${result.int8.meanBound.toExponential(2)} (max ${maxBound.toExponential(2)}), violations ${boundViolations}`);
  console.log(`pairs the bound cannot rule out of their frame maximum: ${(candidateShare * 100).toFixed(1)}% (rows x frames settled by the bound alone: ${(result.int8.rowFrameWithOneCandidate * 100).toFixed(1)}%)`);
  console.log(`floor of an exact int8 path (int8 product + float32 recompute of candidates): ${result.int8.exactPathFloorGemmEq} GEMM-eq vs float32 ${round2(f32Ratio)}`);
  console.log(JSON.stringify(result));
  await Promise.all([gemm.release(), int8.release(), half.release()]);
}

await main();
