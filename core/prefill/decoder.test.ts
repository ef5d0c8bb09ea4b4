import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_DEMO_DECODER } from '../../test-support/demo-decoder.js';
import { makeSyntheticBundle } from '../../test-support/synthetic/index.js';
import { TOKEN_AUDIO, TOKEN_OTHER, TOKEN_VIDEO } from '../bundle/types.js';
import { writeBundle } from '../bundle/writer.js';
import { runCli } from '../cli/main.js';
import { DEFAULT_CONFIG } from '../config/schema.js';
import { GraphBuilder } from '../onnx/graph-builder.js';
import { prefillInputFromBundle } from './clip.js';
import { runPrefillInWorker } from '../compute/client.js';
import { CancelledError } from '../protocol/errors.js';
import { buildDemoDecoder, type DemoDecoderConfig } from './demo-decoder.js';
import { ModelSignatureError } from './errors.js';
import { sequencePositions } from './positions.js';
import { runPrefillBenchmark, type PrefillInput } from './runner.js';
import { prefillManifest } from '../../test-support/prefill-manifest.js';

const tiny: DemoDecoderConfig = TINY_DEMO_DECODER;

// 4 s clip: 100 audio + 4 x 16 video tokens, D = 64.
const bundle = makeSyntheticBundle({ seconds: 4, hiddenSize: 64, tokensPerFrame: 16, seed: 7 });
const nothingPruned = { ...DEFAULT_CONFIG, rho_audio: 0, rho_video: 0, ratio_min: 0, ratio_max: 0 };
const halfPruned = { ...DEFAULT_CONFIG, rho_audio: 0.4, rho_video: 0.7 };

async function runDecoder(config: DemoDecoderConfig, embeds: Float32Array, n: number, positions: BigInt64Array): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(buildDemoDecoder(config));
  try {
    const out = await session.run({
      inputs_embeds: new ort.Tensor('float32', embeds, [1, n, config.hiddenSize]),
      position_ids: new ort.Tensor('int64', positions, config.positionIdsKind === 'mrope' ? [3, 1, n] : [1, n]),
    });
    return out.logits.data as Float32Array;
  } finally {
    await session.release();
  }
}

function inputs(n: number, d: number, seed: number): { embeds: Float32Array; positions: BigInt64Array } {
  const embeds = Float32Array.from({ length: n * d }, (_, i) => Math.sin(i * 0.731 + seed));
  const positions = BigInt64Array.from({ length: 3 * n }, (_, i) => BigInt(i % n));
  return { embeds, positions };
}

describe('demo decoder', () => {
  it('is deterministic: same config, same bytes and the same logits', async () => {
    const a = buildDemoDecoder(tiny);
    const b = buildDemoDecoder(tiny);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(buildDemoDecoder({ ...tiny, seed: 1 })).equals(Buffer.from(a))).toBe(false);
    const { embeds, positions } = inputs(100, 32, 1);
    const first = await runDecoder(tiny, embeds, 100, positions);
    const second = await runDecoder(tiny, embeds, 100, positions);
    expect(first.length).toBe(256);
    expect(Array.from(second)).toEqual(Array.from(first));
  });

  it('gives the same output whatever the query block size (blocked causal attention is exact)', async () => {
    const { embeds, positions } = inputs(130, 32, 2);
    const blocked = await runDecoder({ ...tiny, queryBlock: 16 }, embeds, 130, positions);
    const single = await runDecoder({ ...tiny, queryBlock: 512 }, embeds, 130, positions);
    for (let i = 0; i < blocked.length; i++) expect(blocked[i]).toBeCloseTo(single[i], 3);
  });

  it('attends to the whole prefix and uses the position ids', async () => {
    const { embeds, positions } = inputs(60, 32, 3);
    const base = await runDecoder(tiny, embeds, 60, positions);
    const shifted = await runDecoder(tiny, embeds, 60, BigInt64Array.from(positions, (p) => p + 7n));
    // Rotary attention depends on relative positions only: a uniform shift changes nothing.
    for (let i = 0; i < base.length; i++) expect(shifted[i]).toBeCloseTo(base[i], 3);
    const gapped = await runDecoder(tiny, embeds, 60, BigInt64Array.from(positions, (p, i) => (i % 60 >= 30 ? p + 40n : p)));
    expect(Math.max(...Array.from(gapped, (x, i) => Math.abs(x - base[i])))).toBeGreaterThan(1e-3);
    // The last position sees every earlier token: changing the first token changes the logits.
    const changed = embeds.slice();
    changed.fill(0, 0, 32);
    const other = await runDecoder(tiny, changed, 60, positions);
    expect(Math.max(...Array.from(other, (x, i) => Math.abs(x - base[i])))).toBeGreaterThan(1e-4);
  });
});

describe('M-RoPE positions of the full sequence', () => {
  it('follows the interleaved layout: audio counts up, video steps 25 per temporal patch, text continues after the block', () => {
    const { mrope, linear } = sequencePositions(bundle);
    const L = bundle.tokenTypes.length;
    expect(linear[L - 1]).toBe(L - 1);
    const firstMedia = bundle.tokenTypes.findIndex((t) => t !== TOKEN_OTHER);
    expect(mrope[firstMedia]).toBe(firstMedia); // leading text tokens count 0..firstMedia-1
    const videoT: number[] = [];
    const audio: number[] = [];
    for (let p = 0; p < L; p++) {
      if (bundle.tokenTypes[p] === TOKEN_VIDEO) videoT.push(mrope[p] - firstMedia);
      if (bundle.tokenTypes[p] === TOKEN_AUDIO) audio.push(mrope[p] - firstMedia);
    }
    expect(audio).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([...new Set(videoT)]).toEqual([0, 25, 50, 75]);
    const lastText = L - 1;
    expect(bundle.tokenTypes[lastText]).toBe(TOKEN_OTHER);
    expect(mrope[lastText]).toBe(mrope[2 * L + lastText]);
    expect(mrope[lastText]).toBeGreaterThan(firstMedia + 99);
  });
});

describe('prefill benchmark', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'omnizip-prefill-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('with nothing pruned, the compressed run reproduces the full run exactly', async () => {
    const input = await prefillInputFromBundle(bundle, [{ label: 'none pruned', config: nothingPruned }]);
    expect(input.compressed[0].tokens).toBe(input.full.tokens);
    expect(Array.from(input.compressed[0].embeds)).toEqual(Array.from(input.full.embeds));
    const report = await runPrefillBenchmark(input, { model: { kind: 'demo', config: tiny }, provider: 'cpu', runs: 2, warmupRuns: 0 });
    const c = report.comparisons[0];
    expect(c.fidelity.klDivergence).toBe(0);
    expect(c.fidelity.top1Agreement).toBe(1);
    expect(c.fidelity.top5Overlap).toBe(1);
    expect(c.fidelity.hiddenCosine).toBeCloseTo(1, 6);
    expect(c.retention.sequence).toBe(1);
    expect(c.memory.kvCacheRatio).toBe(1);
    expect(report.runs[0].nextTokenTop5).toEqual(report.runs[1].nextTokenTop5);
    expect(report.model.inputProjection).toEqual({ from: 64, to: 32 });
    expect(report.model.caveat).toMatch(/say nothing about answer accuracy/);
  });

  it('measures a compressed run: fewer tokens, smaller KV cache, all figures present', async () => {
    const input = await prefillInputFromBundle(bundle, [{ label: '35%', config: halfPruned }]);
    const report = await runPrefillBenchmark(input, { model: { kind: 'demo', config: tiny }, provider: 'cpu', runs: 3, warmupRuns: 1 });
    const [full, compressed] = report.runs;
    expect(compressed.tokens).toBeLessThan(full.tokens);
    expect(full.kvCache.bytes).toBe(2 * 2 * 2 * full.tokens * 8 * 4);
    expect(full.latency.runs).toBe(3);
    expect(full.warmupMs).toHaveLength(1);
    const c = report.comparisons[0];
    expect(c.retention.audioVideo).toBeCloseTo(compressed.audioVideoTokens / (bundle.numAudio + bundle.numVideo), 12);
    expect(c.memory.kvCacheRatio).toBeCloseTo(full.tokens / compressed.tokens, 12);
    expect(c.fidelity.klDivergence).toBeGreaterThan(0);
    expect(c.flops.audioVideoOnly.ratio).toBeLessThan(1);
    expect(c.paperModelFlops['Qwen2.5-Omni-7B'].dims.hiddenSize).toBe(3584);
    expect(report.provider.name).toBe('cpu');
  });

  it('rejects a model whose signature does not match its manifest, naming the tensor', async () => {
    const g = new GraphBuilder('wrong');
    const x = g.input('inputs_embeds', 'float32', [1, 'seq', 48]);
    g.input('position_ids', 'int64', [1, 'seq']);
    g.output(g.node('ReduceMean', [x, g.int64s('ax', [1])], {}, 'logits'), 'float32', [1, 1, 48]);
    await writeFile(path.join(dir, 'wrong.onnx'), g.toModelBytes());
    const manifest = prefillManifest({ model: 'wrong.onnx', hidden_size: 64, num_layers: 1, num_attention_heads: 4, intermediate_size: 128 });
    await writeFile(path.join(dir, 'wrong.json'), JSON.stringify(manifest));
    const input = await prefillInputFromBundle(bundle, [{ label: 'x', config: halfPruned }]);
    const run = runPrefillBenchmark(input, { model: { kind: 'manifest', path: path.join(dir, 'wrong.json') }, provider: 'cpu', runs: 1, warmupRuns: 0 });
    await expect(run).rejects.toThrow(ModelSignatureError);
    await expect(run).rejects.toThrow(`${path.join(dir, 'wrong.onnx')}: input 'inputs_embeds' expected [batch, seq, 64] float32, found [1, seq, 48] float32`);

    // The CLI reports it as one line with a non-zero exit.
    await writeBundle(path.join(dir, 'clip.safetensors'), bundle);
    const errors: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (errors.push(String(chunk)), true)) as typeof process.stderr.write;
    let code: number;
    try {
      code = await runCli(['prefill', path.join(dir, 'clip.safetensors'), '--model', path.join(dir, 'wrong.json'), '--provider', 'cpu', '--runs', '1']);
    } finally {
      process.stderr.write = write;
    }
    expect(code).toBe(1);
    expect(errors.join('')).toMatch(/^omnizip-studio: .*wrong\.onnx: input 'inputs_embeds' expected \[batch, seq, 64\] float32, found \[1, seq, 48\] float32\n$/);
  });

  it('runs in a worker thread with progress, and can be cancelled', async () => {
    const input: PrefillInput = await prefillInputFromBundle(bundle, [{ label: '35%', config: halfPruned }]);
    const stages: string[] = [];
    const report = await runPrefillInWorker(
      { source: { kind: 'sequences', input }, model: { kind: 'demo', config: tiny }, provider: 'cpu', runs: 1, warmupRuns: 0 },
      { onProgress: (p) => stages.push(p.stage) },
    );
    expect(report.comparisons).toHaveLength(1);
    expect(stages).toContain('done');
    expect(stages.some((s) => s.startsWith('full: run 1/1'))).toBe(true);

    const controller = new AbortController();
    const cancelled = runPrefillInWorker(
      { source: { kind: 'sequences', input }, model: { kind: 'demo', config: tiny }, provider: 'cpu', runs: 50, warmupRuns: 0 },
      { signal: controller.signal, onProgress: (p) => p.stage.includes('run 2/50') && controller.abort() },
    );
    await expect(cancelled).rejects.toThrow(CancelledError);
  });
});
