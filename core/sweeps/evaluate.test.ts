import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/validate.js';
import { fileContentHash } from './clips.js';
import { evaluateTrial } from './evaluate.js';
import { sweepFixture } from '../../test-support/sweeps.js';

describe('evaluateTrial', () => {
  it('plans FastV from the demo decoder run on the clip, at OmniZip realised counts, like every other method', async () => {
    const fx = sweepFixture();
    const clipPath = path.join(fx.clipsDir, 'a.safetensors');
    const contentHash = await fileContentHash(clipPath);
    const job = (method: string, trial: number) => ({
      trial,
      key: `k${trial}`,
      clipPath,
      contentHash,
      config: resolveConfig({ method, rho_video: 0.6 }),
      metrics: ['kept_fraction', 'video_coverage'],
      flopsModel: 'Qwen2.5-Omni-7B',
      evalCommand: null,
      prefillModel: 'demo',
    });
    const omnizip = await evaluateTrial(job('omnizip', 0));
    const fastv = await evaluateTrial(job('fastv', 1));
    expect(fastv.method).toBe('fastv');
    expect(fastv.counts).toEqual(omnizip.counts);
    expect(fastv.metrics.kept_fraction).toBeCloseTo(omnizip.metrics.kept_fraction, 12);
  }, 120_000);
});
