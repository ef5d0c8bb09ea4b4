import type { OmniZipConfig } from '../core/config/schema.js';
import { resolveConfig } from '../core/config/validate.js';
import { mulberry32 } from '../core/util/numeric.js';

/**
 * The replan benches' configs: `count` random settings (seed 2511, so every bench and every run
 * times the same ones) across the ranges a researcher sweeps, a fifth of them official-units.
 */
export function randomReplanConfigs(count: number): OmniZipConfig[] {
  const random = mulberry32(2511);
  return Array.from({ length: count }, () =>
    resolveConfig({
      rho_audio: Math.round(random() * 90) / 100,
      rho_video: Math.round(random() * 90) / 100,
      g: Math.floor(random() * 16),
      contextual_ratio: Math.round(random() * 10) / 100,
      variant: random() < 0.8 ? 'official-core' : 'official-units',
    }),
  );
}
