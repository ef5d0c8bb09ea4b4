import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/validate.js';
import { warmupConfigs } from './replan-warmup.js';

describe('replan warm-up configs', () => {
  it('steps rho_video and rho_audio around the setting and keeps every other key', () => {
    const overrides = { method: 'uniform', g: 10, rho_video: 0.7 };
    const configs = warmupConfigs(overrides, 21);
    expect(configs).toHaveLength(21);
    for (const c of configs) {
      expect(c).toMatchObject({ method: 'uniform', g: 10 });
      const resolved = resolveConfig(c);
      expect(Math.abs(resolved.rho_video - 0.7)).toBeLessThanOrEqual(0.12 + 1e-9);
      expect(Math.abs(resolved.rho_audio - 0.3)).toBeLessThanOrEqual(0.1 + 1e-9);
    }
    const moved = new Set(configs.map((c) => `${String(c.rho_video)}|${String(c.rho_audio)}`));
    expect(moved.size).toBeGreaterThan(8);
    expect(configs.some((c) => 'rho_audio' in c)).toBe(true);
  });

  it('stays inside the valid range at the edges', () => {
    for (const c of warmupConfigs({ rho_video: 0.99, rho_audio: 0.01 }, 14)) expect(() => resolveConfig(c)).not.toThrow();
  });

  it('is empty for a setting that does not resolve', () => {
    expect(warmupConfigs({ rho_video: 7 }, 10)).toEqual([]);
  });
});
