/**
 * Issue 15 item 1, for every way into the prefill benchmark: a user decoder (a manifest's ONNX
 * model) and the CLI's demo decoder are refused before anything is built or loaded when their
 * estimated memory exceeds the limit, and the one-line error says the estimate and the limit.
 * Before, only the studio's demo-decoder path checked; the CLI built or loaded whatever it got.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeSyntheticBundle } from '../../test-support/synthetic/index.js';
import { writeBundle } from '../bundle/writer.js';
import { runCli } from '../cli/main.js';
import { checkPrefillMemory, estimateManifestPrefillMemory } from './memory-budget.js';
import { externalDataLocations, modelWeightSize } from './model-size.js';
import { prefillManifest } from '../../test-support/prefill-manifest.js';

// ---- a minimal ONNX protobuf: one initializer whose data lives in an external file ----------
const varint = (n: number): number[] => {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
};
const field = (n: number, bytes: number[]): number[] => [...varint(n * 8 + 2), ...varint(bytes.length), ...bytes];
const int = (n: number, value: number): number[] => [...varint(n * 8), ...varint(value)];
const text = (s: string): number[] => [...new TextEncoder().encode(s)];
const entry = (key: string, value: string) => field(13, [...field(1, text(key)), ...field(2, text(value))]);
function onnxWithExternalData(locations: string[]): Uint8Array {
  const initializers = locations.flatMap((location, i) =>
    field(5, [...int(1, 1024), ...int(2, 1), ...field(8, text(`w${i}`)), ...entry('location', location), ...entry('offset', '0'), ...int(14, 1)]),
  );
  return new Uint8Array([...int(1, 8), ...field(2, text('test')), ...field(7, [...field(2, text('g')), ...initializers])]);
}

let dir: string;
let bundlePath: string;
const GIB = 1024 ** 3;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'omz-prefill-budget-'));
  bundlePath = path.join(dir, 'clip.safetensors');
  await writeBundle(bundlePath, makeSyntheticBundle({ seconds: 2, hiddenSize: 64, tokensPerFrame: 16, seed: 5 }));
});
afterAll(() => rm(dir, { recursive: true, force: true }));
const savedLimit = process.env.OMNIZIP_PREFILL_MEMORY_LIMIT_MB;
afterEach(() => {
  if (savedLimit === undefined) delete process.env.OMNIZIP_PREFILL_MEMORY_LIMIT_MB;
  else process.env.OMNIZIP_PREFILL_MEMORY_LIMIT_MB = savedLimit;
});

async function cli(argv: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const stderr = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((c: string) => (err.push(String(c)), true)) as typeof process.stderr.write;
  try {
    return { code: await runCli(argv), err: err.join('') };
  } finally {
    process.stderr.write = stderr;
  }
}

/** A manifest next to a small .onnx whose weights are a sparse 3 GiB sidecar (no disk used). */
async function bigUserModel(): Promise<string> {
  const modelDir = await mkdtemp(path.join(dir, 'model-'));
  await writeFile(path.join(modelDir, 'model.onnx'), onnxWithExternalData(['model.onnx.data', 'model.onnx.data', 'extra.bin']));
  await writeFile(path.join(modelDir, 'model.onnx.data'), '');
  await truncate(path.join(modelDir, 'model.onnx.data'), 3 * GIB);
  await writeFile(path.join(modelDir, 'extra.bin'), new Uint8Array(1000));
  const manifest = path.join(modelDir, 'manifest.json');
  await writeFile(
    manifest,
    JSON.stringify(prefillManifest({ hidden_size: 64, num_layers: 2, num_attention_heads: 4, intermediate_size: 128 })),
  );
  return manifest;
}

describe('model weight size', () => {
  it('reads the external-data files an ONNX model names, each counted once', async () => {
    const manifest = await bigUserModel();
    const modelDir = path.dirname(manifest);
    expect(externalDataLocations(onnxWithExternalData(['a.data', 'b.data', 'a.data']))).toEqual(['a.data', 'b.data']);
    const size = await modelWeightSize(path.join(modelDir, 'model.onnx'));
    expect(size.externalFiles.map((f) => path.basename(f)).sort()).toEqual(['extra.bin', 'model.onnx.data']);
    expect(size.bytes).toBeGreaterThan(3 * GIB + 1000);
    expect(size.bytes).toBeLessThan(3 * GIB + 2000);
  });

  it('measures a file it cannot parse by its size, and a missing one as nothing (onnxruntime names it)', async () => {
    const garbage = path.join(dir, 'garbage.onnx');
    await writeFile(garbage, new Uint8Array([0xff, 0xff, 0xff]));
    expect(await modelWeightSize(garbage)).toEqual({ bytes: 3, externalFiles: [] });
    expect(await modelWeightSize(path.join(dir, 'absent.onnx'))).toEqual({ bytes: 0, externalFiles: [] });
    // A named pipe is not a model: measured as nothing at once, instead of blocking on open.
    const fifo = path.join(dir, 'pipe.onnx');
    execFileSync('mkfifo', [fifo]);
    expect(await modelWeightSize(fifo)).toEqual({ bytes: 0, externalFiles: [] });
  });

  it('estimates a user decoder as twice its weights plus twice one pass of activations', () => {
    const spec = { hiddenSize: 3584, numLayers: 28, numAttentionHeads: 28, numKeyValueHeads: 4, headDim: 128, intermediateSize: 18944 };
    const estimate = estimateManifestPrefillMemory(spec, 9180, 30 * GIB);
    expect(estimate.weightBytes).toBe(30 * GIB);
    expect(estimate.totalBytes).toBe(2 * 30 * GIB + 2 * estimate.activationBytes);
    // One layer's live tensors (2.8 GB) plus 28 layers of KV (1.1 GB) over 9180 tokens.
    expect(estimate.activationBytes).toBeGreaterThan(3.5e9);
    expect(estimate.activationBytes).toBeLessThan(4e9);
    expect(() => checkPrefillMemory(estimate, 'the thinker', 16 * GIB)).toThrow(/^prefill refused: the thinker needs about 6\d\.\d GiB .* more than the 16\.0 GiB limit/);
    expect(() => checkPrefillMemory(estimate, 'the thinker', 100 * GIB)).not.toThrow();
  });
});

describe('prefill CLI memory bound', () => {
  it('refuses a user decoder whose files do not fit, before onnxruntime loads them', async () => {
    process.env.OMNIZIP_PREFILL_MEMORY_LIMIT_MB = '1024';
    const manifest = await bigUserModel();
    const started = performance.now();
    const { code, err } = await cli(['prefill', bundlePath, '--model', manifest, '--provider', 'cpu', '--runs', '1']);
    expect(code).toBe(1);
    expect(err).toMatch(/^omnizip-studio: prefill refused: model\.onnx \(2 layers, hidden size 64, 3\.0 GiB of model files\) on \d+ tokens needs about 6\.0 GiB \(estimate: 3\.0 GiB of weights, \d+ MiB of activations per pass\), more than the 1\.0 GiB limit \(OMNIZIP_PREFILL_MEMORY_LIMIT_MB/);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('refuses a demo decoder that does not fit, before building it', async () => {
    process.env.OMNIZIP_PREFILL_MEMORY_LIMIT_MB = '64';
    const { code, err } = await cli(['prefill', bundlePath, '--demo-hidden', '1024', '--demo-layers', '8', '--provider', 'cpu', '--runs', '1']);
    expect(code).toBe(1);
    expect(err).toMatch(/^omnizip-studio: prefill refused: the demo decoder with width 1024 and 8 layers on \d+ tokens needs about \d+(\.\d)? (GiB|MiB) \(estimate: .*\), more than the 64 MiB limit/);
  });
});
