/**
 * Throwaway replans run in the background after a clip's first plan, so the user's first slider
 * moves run optimised planner code. Measured on the 300-s 7B clip (test-results probe, issue 16
 * goal 3): the first 20–40 plans of a fresh process are 2–8× slower than later ones while V8
 * compiles the planner's hot loops, which put the studio's replan median at 5–8 ms against
 * 2.3 ms once warm. The configs step the two ratios the sliders move around the user's own
 * setting, so the same method and code paths get compiled.
 */
import { resolveConfig } from '../config/validate.js';

/** How many throwaway plans a clip gets: past the ~20–40 at which the planner's times settle. */
export const REPLAN_WARMUP_PLANS = 32;

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/**
 * `count` configs around `overrides`: rho_video and rho_audio stepped in turn across ±0.12 and
 * ±0.1 of the setting (within [0.05, 0.95]), every other key as given. Empty when `overrides`
 * does not resolve (the plan itself will say why).
 */
export function warmupConfigs(overrides: Record<string, unknown>, count: number): Record<string, unknown>[] {
  let base;
  try {
    base = resolveConfig(overrides);
  } catch {
    return [];
  }
  const configs: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const step = (i % 7) - 3;
    configs.push(
      i % 3 === 2
        ? { ...overrides, rho_audio: clamp(base.rho_audio + step / 30, 0.05, 0.95) }
        : { ...overrides, rho_video: clamp(base.rho_video + step / 25, 0.05, 0.95) },
    );
  }
  return configs;
}
