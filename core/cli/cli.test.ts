import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { goldenBundlePath, readGoldenExpected } from '../../test-support/golden.js';
import { describeWithGolden } from '../../test-support/golden-vitest.js';

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(repoRoot, 'bin/omnizip-studio.mjs');

/** Runs the real CLI entry point (as `npx omnizip-studio` does) and captures its output. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd: repoRoot, env: { ...process.env, OMNIZIP_CACHE_DIR: path.join(tmpdir(), 'omnizip-cli-test-cache') } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describeWithGolden('omnizip-studio CLI', () => {
  it('plans a golden bundle exactly as the official implementation (readme_eval)', async () => {
    const expected = readGoldenExpected('readme_eval');
    const dir = await mkdtemp(path.join(tmpdir(), 'omnizip-cli-'));
    const config = path.join(dir, 'config.yaml');
    await writeFile(config, 'rho_audio: 0.3\nrho_video: 0.6\n');
    const out = path.join(dir, 'plan.json');
    const r = await cli('plan', goldenBundlePath('readme_eval'), '--config', config, '--set', 'g=3', '--set', 'contextual_ratio=0.05', '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(await readFile(out, 'utf8'));
    expect(doc.format).toBe('omnizip-plan');
    expect(doc.version).toBe(1);
    expect(doc.config).toMatchObject({ method: 'omnizip', variant: 'official-core', rho_audio: 0.3, rho_video: 0.6, g: 3, contextual_ratio: 0.05, ratio_min: 0.35, ratio_max: 0.75, dpc_k: 5 });
    expect(doc.counts).toEqual(expected.counts);
    expect(doc.audio.kept).toEqual(expected.audio.kept);
    expect(doc.audio.anchors).toEqual(expected.audio.anchors);
    expect(doc.audio.merges).toEqual(expected.audio.merges);
    expect(doc.video.kept).toEqual(expected.video.kept);
    expect(doc.groups.map((g: { ratio_final: number }) => g.ratio_final)).toEqual(expected.groups.map((g) => g.ratio_final));
  });

  it('prints the plan to stdout without --out', async () => {
    const r = await cli('plan', goldenBundlePath('short_1group'), '--set', 'rho_audio=0.5', '--set', 'rho_video=0.5');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).counts).toEqual(readGoldenExpected('short_1group').counts);
  });

  it('summarises a bundle with inspect', async () => {
    const r = await cli('inspect', goldenBundlePath('more_video_chunks'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/200 audio, 512 video/);
    expect(r.stdout).toMatch(/time groups\s+5 \(4 audio-guided\)/);
    const json = JSON.parse((await cli('inspect', goldenBundlePath('more_video_chunks'), '--json')).stdout);
    expect(json.tokens_per_frame).toBe(32);
    expect(json.groups[4]).toEqual({ audio_range: null, video_range: [256, 512], guided: false });
  });

  it('reports bad input in one line with a non-zero status and no stack trace', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'omnizip-cli-bad-'));
    const garbage = path.join(dir, 'garbage.safetensors');
    await writeFile(garbage, 'this is not a safetensors file at all');
    const cases: [string[], RegExp][] = [
      [['plan', garbage], /garbage\.safetensors/],
      [['plan', path.join(dir, 'missing.safetensors')], /missing\.safetensors/],
      [['plan', goldenBundlePath('short_1group'), '--set', 'rho_audio=1.5'], /rho_audio.*\[0, 1\]/],
      [['plan', goldenBundlePath('short_1group'), '--set', 'g=-1'], /'g'/],
      [['plan', goldenBundlePath('short_1group'), '--set', 'ratio_min=0.8'], /ratio_min .* must not exceed ratio_max/],
      [['plan', goldenBundlePath('short_1group'), '--set', 'rho_vidoe=0.5'], /unknown config key 'rho_vidoe'/],
      [['plan'], /expected one bundle/],
      [['frobnicate'], /unknown command/],
      // Names of Object.prototype's members are not commands (they used to crash with a stack trace).
      [['constructor'], /unknown command 'constructor'/],
      [['sweep', 'toString'], /unknown sweep subcommand 'toString'/],
      [['sweep', 'status'], /expected one sweep directory/],
      [['sweep', 'metrics', 'extra'], /unexpected argument 'extra'/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr, args.join(' ')).toMatch(/^omnizip-studio: /);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
