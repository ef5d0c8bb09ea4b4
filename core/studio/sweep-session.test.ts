import path from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readBundle } from '../bundle/reader.js';
import { sweepFixture } from '../../test-support/sweeps.js';
import { hostMethods } from '../protocol/contract.js';
import { exportSweepTrial, loadStudioSweep, startStudioSweep, sweepTrial } from './sweep-session.js';
import { StudioError } from './errors.js';

describe('studio sweep methods', () => {
  it('starts a sweep on an in-memory clip, reports progress, and loads a contract-valid columnar view', async () => {
    const fx = sweepFixture();
    const bundle = await readBundle(path.join(fx.clipsDir, 'a.safetensors'));
    const outDir = path.join(fx.root, 'studio-sweep');
    const stages: string[] = [];
    const params = hostMethods['sweep.start'].params.parse(
      { jobId: 'j1', clipId: 'c1', folder: null, outDir, spec: { space: { rho_video: [0.5, 0.7], g: [0, 3] }, objectives: ['kept_fraction', 'video_coverage'] }, workers: 2 },
      'params',
    );
    const result = await startStudioSweep(params, () => ({ name: 'demo clip', bundlePath: null, bundle }), new AbortController().signal, (_f, s) => stages.push(s));
    expect(result).toMatchObject({ dir: outDir, done: 4, failed: 0, stopped: false });
    expect(stages.at(-1)).toMatch(/^4\/4 trials/);
    // The in-memory clip was written into the sweep folder for the workers.
    expect(readFileSync(path.join(outDir, 'clips', 'demo_clip.safetensors')).length).toBeGreaterThan(0);

    const view = hostMethods['sweep.load'].result.parse(await loadStudioSweep(outDir), 'result');
    expect(view.configs.count).toBe(4);
    expect(view.params.map((p) => p.key)).toEqual(['rho_video', 'g']);
    expect([...view.configs.params[0]].sort()).toEqual([0.5, 0.5, 0.7, 0.7].map(Math.fround));
    expect(view.metrics.find((m) => m.id === 'video_coverage')?.proxy).toBe(true);
    expect(view.trials.trial).toHaveLength(4);
    expect(view.configs.frontMean.length).toBeGreaterThan(0);

    const t = await sweepTrial(outDir, view.trials.trial[0]);
    expect(t.config).toHaveProperty('rho_video');
    const env = new TextDecoder().decode((await exportSweepTrial({ dir: outDir, trial: t.trial, kind: 'env' })).bytes);
    expect(env).toContain(`export OMNIZIP_RHO_VIDEO='${String(t.config.rho_video)}'`);
    const flags = new TextDecoder().decode((await exportSweepTrial({ dir: outDir, trial: t.trial, kind: 'flags' })).bytes);
    expect(flags).toContain(`--rho_video ${String(t.config.rho_video)}`);
  });

  it('refuses a bad spec and a missing directory as studio errors with one line', async () => {
    const fx = sweepFixture();
    const params = { jobId: 'j', clipId: null, folder: fx.clipsDir, outDir: path.join(fx.root, 'x'), spec: { space: { rho_video: [3] }, objectives: ['kept_fraction'] }, workers: 1 };
    const err = await startStudioSweep(params, () => {
      throw new Error('no clip');
    }, new AbortController().signal, () => undefined).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StudioError);
    expect((err as Error).message).toMatch(/^sweep spec: space\.rho_video: config key 'rho_video' must be within \[0, 1\] \(got 3\)$/);
    await expect(loadStudioSweep(path.join(fx.root, 'nowhere'))).rejects.toThrow(/is not a sweep directory/);
  });
});
