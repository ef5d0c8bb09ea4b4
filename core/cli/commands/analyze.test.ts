import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeBundle } from '../../bundle/writer.js';
import { makeSyntheticBundle } from '../../../test-support/synthetic/index.js';
import { runCli } from '../main.js';

const tmp = await mkdtemp(path.join(os.tmpdir(), 'omnizip-analyze-cli-'));
const bundleFile = path.join(tmp, 'clip.safetensors');
const previousCacheDir = process.env.OMNIZIP_CACHE_DIR;

beforeAll(async () => {
  process.env.OMNIZIP_CACHE_DIR = path.join(tmp, 'cache');
  await writeBundle(bundleFile, makeSyntheticBundle({ seconds: 4, hiddenSize: 64, tokensPerFrame: 16, seed: 2 }));
});
afterAll(async () => {
  if (previousCacheDir === undefined) delete process.env.OMNIZIP_CACHE_DIR;
  else process.env.OMNIZIP_CACHE_DIR = previousCacheDir;
  await rm(tmp, { recursive: true, force: true });
});

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { code: await runCli(argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('omnizip-studio analyze', () => {
  it('computes on a miss, reads the cache on a hit, and reports provider, device, time and memory', async () => {
    const first = await run(['analyze', bundleFile, '--json', '--provider', 'cpu']);
    expect(first.code).toBe(0);
    const a = JSON.parse(first.stdout);
    expect(a).toMatchObject({ cache: 'miss', engine: 'onnxruntime', provider: 'cpu', numAudio: 100, hiddenSize: 64, frameGeometries: [16, 8] });
    expect(a.device).toMatch(/^CPU: /);
    expect(a.peakRssMB).toBeGreaterThan(10);
    expect(a.analysisMs).toBeGreaterThan(0);
    const second = JSON.parse((await run(['analyze', bundleFile, '--json'])).stdout);
    expect(second).toMatchObject({ cache: 'hit', provider: 'cpu', cacheFile: a.cacheFile });
    const text = await run(['analyze', bundleFile, '--no-cache']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^provider\s+cpu$/m);
    expect(text.stdout).toMatch(/^device\s+CPU: /m);
    expect(text.stdout).toMatch(/^cache\s+disabled/m);
    expect(text.stdout).toMatch(/^wall\s+[\d.]+ ms analysis/m);
    expect(text.stdout).toMatch(/^peak RSS\s+\d+ MB$/m);
  });

  it('rejects bad input with one line and a non-zero status', async () => {
    const typo = await run(['analyze', bundleFile, '--provider', 'gpu']);
    expect(typo.code).not.toBe(0);
    expect(typo.stderr).toBe("omnizip-studio: unknown execution provider 'gpu' (expected one of: auto, cpu, webgpu, cuda)\n");
    const none = await run(['analyze']);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/^omnizip-studio: expected one bundle/);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
  });
});
