import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSyntheticBundle } from '../../../test-support/synthetic/index.js';
import { writeBundle } from '../../bundle/writer.js';
import { DEMO_DECODER_DEFAULT_SIZE } from '../../prefill/demo-size.js';
import type { PrefillReport } from '../../prefill/types.js';
import { runCli } from '../main.js';

let dir: string;
let bundlePath: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'omz-prefill-cli-'));
  bundlePath = path.join(dir, 'clip.safetensors');
  await writeBundle(bundlePath, makeSyntheticBundle({ seconds: 2, hiddenSize: 32, tokensPerFrame: 16, seed: 5 }));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = process.stdout.write.bind(process.stdout);
  const stderr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((c: string) => (out.push(String(c)), true)) as typeof process.stdout.write;
  process.stderr.write = ((c: string) => (err.push(String(c)), true)) as typeof process.stderr.write;
  try {
    const code = await runCli(argv);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  }
}

// Issue 14, defect 2: the CLI printed only JSON, and its demo decoder (d 512 x 4) was not the
// studio's (d 256 x 2), so the two never gave comparable figures.
describe('prefill command output', () => {
  it('prints a readable table by default, with the studio’s demo decoder size and the timing scheme', async () => {
    const r = await cli(['prefill', bundlePath, '--provider', 'cpu', '--runs', '2', '--warmup', '1']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^model: .*d=${DEMO_DECODER_DEFAULT_SIZE.hiddenSize}, ${DEMO_DECODER_DEFAULT_SIZE.numLayers} layers`));
    expect(r.out).toContain('1 warm-up + 2 timed runs per sequence, interleaved (seed ');
    const lines = r.out.split('\n');
    const header = lines.find((l) => l.startsWith('sequence'));
    expect(header).toMatch(/^sequence\s+tokens\s+retained a\+v\s+median ms\s+p95 ms\s+speed-up\s+FLOPs speed-up/);
    expect(lines.some((l) => /^full\s+\d+\s+100\.0%/.test(l))).toBe(true);
    expect(lines.some((l) => /^compressed\s+\d+\s+\d+\.\d%.* !/.test(l))).toBe(true); // 2 runs: flagged
    expect(r.out).toContain("! only 2 timed runs: the 'compressed' speed-up has no spread to judge it by");
    expect(() => JSON.parse(r.out)).toThrow();
  }, 120_000);

  it('prints the JSON report with --json, and says what --out wrote', async () => {
    const r = await cli(['prefill', bundlePath, '--provider', 'cpu', '--runs', '1', '--warmup', '0', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as PrefillReport;
    expect(report.format).toBe('omnizip-prefill');
    expect(report.model.hiddenSize).toBe(DEMO_DECODER_DEFAULT_SIZE.hiddenSize);
    expect(report.model.numLayers).toBe(DEMO_DECODER_DEFAULT_SIZE.numLayers);
    expect(report.comparisons[0].timing.reliable).toBe(false);
    const out = path.join(dir, 'report.json');
    const w = await cli(['prefill', bundlePath, '--provider', 'cpu', '--runs', '1', '--warmup', '0', '--out', out]);
    expect(w.code).toBe(0);
    expect(w.err).toBe(`wrote the prefill report (JSON) to ${out}\n`);
    expect(w.out).toMatch(/^model: /);
  }, 120_000);
});
