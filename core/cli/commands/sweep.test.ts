import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ISSUE_EXAMPLE_SPEC, sweepFixture } from '../../../test-support/sweeps.js';
import { REPO_ROOT } from '../../util/shared-paths.js';

const cli = (args: string[]) => spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'omnizip-studio.mjs'), ...args], { encoding: 'utf8', env: process.env, timeout: 120_000 });

describe('omnizip-studio sweep', () => {
  it('runs the issue example, reports status, the Pareto front, CSV and Optuna exports, and resumes', () => {
    const fx = sweepFixture();
    const spec = fx.writeSpec(ISSUE_EXAMPLE_SPEC);
    const dir = path.join(fx.root, 'out');
    const run = cli(['sweep', 'run', spec, '--out', dir, '--workers', '2']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/36 trials \(2 clips x 18 configs\), 0 already done, 36 to run/);
    expect(run.stderr).toMatch(/trials\/s/);
    expect(run.stderr).toMatch(/sweep finished: 36 trials done/);

    const status = cli(['sweep', 'status', dir]);
    expect(status.stdout).toMatch(/trials +36: 36 done, 0 running, 0 failed, 0 pending/);

    const pareto = JSON.parse(cli(['sweep', 'pareto', dir, '--json']).stdout) as {
      objectives: Array<{ id: string; direction: string }>;
      fronts: Record<'mean' | 'worst', Array<{ swept: Record<string, number>; mean: Record<string, number>; worst: Record<string, number>; per_clip: unknown[] }>>;
    };
    expect(pareto.objectives).toEqual([
      { id: 'kept_fraction', label: 'kept fraction (sequence)', direction: 'minimize' },
      { id: 'video_coverage', label: 'video coverage (proxy)', direction: 'maximize' },
    ]);
    for (const front of [pareto.fronts.mean, pareto.fronts.worst]) {
      expect(front.length).toBeGreaterThan(0);
      for (const c of front) {
        expect(c.per_clip).toHaveLength(2);
        expect(Object.keys(c.swept)).toEqual(['rho_video', 'g', 'contextual_ratio']);
      }
    }
    for (const c of pareto.fronts.worst) expect(c.worst.kept_fraction).toBeGreaterThanOrEqual(c.mean.kept_fraction);

    const text = cli(['sweep', 'pareto', dir, '--aggregate', 'worst']);
    expect(text.stdout).toMatch(/Pareto front of 18 configs over 2 clips \(worst over clips/);

    const exported = JSON.parse(cli(['sweep', 'export', dir]).stdout) as { trials: number; csv: string; optuna: string };
    expect(exported.trials).toBe(36);
    const csv = readFileSync(exported.csv, 'utf8').trim().split('\n');
    expect(csv).toHaveLength(37);
    expect(csv[0]).toMatch(/^trial,clip_path,content_hash,method,variant,rho_audio,rho_video,/);
    expect(csv[0]).toContain('kept_fraction,video_coverage,wall_ms,host');
    expect(readFileSync(exported.optuna, 'utf8').split('\n')[0]).toMatch(/"op_code": 0/);

    const again = cli(['sweep', 'run', spec, '--out', dir, '--workers', '2']);
    expect(again.status).toBe(0);
    expect(again.stderr).toMatch(/36 already done, 0 to run/);
  });

  it('refuses bad specs and arguments with one line', () => {
    const fx = sweepFixture();
    const cases: Array<[string[], RegExp]> = [
      [['sweep', 'run', fx.writeSpec('clips: [clips]\nspace: {rho_video: [2]}\nobjectives: [kept_fraction]\n'), '--out', path.join(fx.root, 'x')], /^omnizip-studio: sweep spec: space\.rho_video: config key 'rho_video' must be within \[0, 1\] \(got 2\)$/],
      [['sweep', 'run', fx.writeSpec('clips: [nothing/*.safetensors]\nspace: {g: [1]}\nobjectives: [kept_fraction]\n', 'g.yaml'), '--out', path.join(fx.root, 'y')], /^omnizip-studio: sweep spec: clips: 'nothing\/\*\.safetensors' matches no bundles or media files$/],
      [['sweep', 'run', 'spec.yaml'], /--out DIR is required/],
      [['sweep', 'status', path.join(fx.root, 'nowhere')], /is not a sweep directory/],
      [['sweep', 'frobnicate'], /unknown sweep subcommand 'frobnicate'/],
      [['sweep', 'run', 's.yaml', '--out', 'd', '--submit'], /--submit goes with --executor slurm/],
    ];
    for (const [args, pattern] of cases) {
      const r = cli(args);
      expect(r.status).not.toBe(0);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(pattern);
    }
  });

  it('Ctrl-C stops cleanly (exit 130): finished trials stay whole records and count as done', async () => {
    const fx = sweepFixture();
    const spec = fx.writeSpec('clips: [clips]\nspace: {rho_video: {low: 0.3, high: 0.9}, g: {low: 0, high: 15}}\nsampler: sobol\ntrials: 400\nobjectives: [kept_fraction, video_coverage]\n');
    const dir = path.join(fx.root, 'out');
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'omnizip-studio.mjs'), 'sweep', 'run', spec, '--out', dir, '--workers', '2'], { env: process.env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const trialsFile = path.join(dir, 'trials.jsonl');
    const lines = () => (existsSync(trialsFile) ? readFileSync(trialsFile, 'utf8').split('\n').filter(Boolean).length : 0);
    const deadline = Date.now() + 90_000;
    while (lines() < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(130);
    expect(stderr).toMatch(/stopping: finished trials are saved/);
    expect(stderr).toMatch(/sweep stopped: \d+ trials done .*rerun to resume/);
    const text = readFileSync(trialsFile, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const saved = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { key: string });
    expect(saved.length).toBeGreaterThanOrEqual(5);
    expect(saved.length).toBeLessThan(800);
    const status = JSON.parse(cli(['sweep', 'status', dir, '--json']).stdout) as { done: number; running: number; total: number };
    expect(status).toMatchObject({ done: saved.length, running: 0, total: 800 });
  });

  it('lists the metric registry with directions and proxies labelled', () => {
    const r = cli(['sweep', 'metrics']);
    expect(r.stdout).toMatch(/video_coverage +maximize PROXY/);
    expect(r.stdout).toMatch(/prefill_kl +minimize model/);
    expect(r.stdout).toMatch(/kept_fraction +minimize plan/);
  });
});
