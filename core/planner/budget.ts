import { clamp } from './numeric.js';
import type { NormalizationTrace } from './types.js';

/**
 * The official budget normalisation of per-group video ratios: pin the groups with the lowest and
 * highest initial ratio, scale the others once to meet the budget, clip, then one additive
 * correction pass. It can miss the budget and can invert the order implied by audio retention;
 * both are reproduced on purpose (see omnizip-algorithm.md §6, item 13).
 */

const TOLERANCE = 1e-3;

function firstIndexOf(values: number[], pick: (a: number, b: number) => boolean): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (pick(values[i], values[best])) best = i;
  return best;
}

export interface BudgetInput {
  /** Initial (clamped) ratio per guided group. */
  initial: number[];
  /** Token count per guided group: the weights (core), or all 1 (units, unweighted). */
  weights: number[];
  /** The discard the guided groups must deliver: Σ r·w target. */
  target: number;
  ratioMin: number;
  ratioMax: number;
}

export interface BudgetResult {
  ratios: number[];
  pinned: ('min' | 'max' | null)[];
  trace: NormalizationTrace;
}

/**
 * Shared by both variants: core weights by token count and targets ρv·Σn; units weights every
 * group 1 and targets ρv·n_groups. Call only when the variant's own preconditions hold.
 */
export function normalizeBudget(input: BudgetInput): BudgetResult {
  const { initial, weights, target, ratioMin, ratioMax } = input;
  const ratios = initial.slice();
  const pinned: ('min' | 'max' | null)[] = initial.map(() => null);
  let base = 0;
  for (let i = 0; i < initial.length; i++) base += initial[i] * weights[i];
  const trace: NormalizationTrace = { ran: true, target, base };
  if (Math.abs(base - target) <= TOLERANCE || base <= 0) {
    return { ratios, pinned, trace: { ...trace, ran: false, reason: base <= 0 ? 'initial budget is zero' : 'initial ratios already meet the budget' } };
  }
  const minIdx = firstIndexOf(initial, (a, b) => a < b);
  const maxIdx = firstIndexOf(initial, (a, b) => a > b);
  const others: number[] = [];
  for (let i = 0; i < initial.length; i++) if (i !== minIdx && i !== maxIdx) others.push(i);
  let othersBase = 0;
  for (const i of others) othersBase += initial[i] * weights[i];
  trace.min_idx = minIdx;
  trace.max_idx = maxIdx;
  trace.other_indices = others;
  if (others.length === 0 || othersBase === 0) {
    return { ratios, pinned, trace: { ...trace, ran: false, reason: 'no groups left to rescale besides the pinned min and max' } };
  }
  pinned[minIdx] = 'min';
  pinned[maxIdx] = 'max';
  // When every initial ratio is equal, min and max are the same group and it is counted twice.
  const fixed = initial[minIdx] * weights[minIdx] + initial[maxIdx] * weights[maxIdx];
  const scaling = (target - fixed) / othersBase;
  for (const i of others) ratios[i] = clamp(initial[i] * scaling, ratioMin, ratioMax);
  trace.scaling = scaling;
  trace.after_scaling = ratios.slice();
  let achieved = 0;
  for (let i = 0; i < ratios.length; i++) achieved += ratios[i] * weights[i];
  const diff = target - achieved;
  trace.diff_after_scaling = diff;
  if (Math.abs(diff) > TOLERANCE) {
    let otherWeight = 0;
    for (const i of others) otherWeight += weights[i];
    const adjust = diff / otherWeight;
    trace.adj_per_token = adjust;
    for (const i of others) ratios[i] = clamp(ratios[i] + adjust, ratioMin, ratioMax);
  }
  return { ratios, pinned, trace };
}

/**
 * Studio repair (`budget: exact`): every group's ratio moves by one shared shift λ,
 * r_i = clip(r₀_i + λ, ratio_min, ratio_max), with λ solved by bisection so that Σ r_i·w_i meets the
 * target. A common shift keeps the order audio retention implies (no pinned groups, no inversion);
 * when the target lies outside [ratio_min·Σw, ratio_max·Σw] every group sits at the bound.
 */
export function exactBudget(input: BudgetInput): BudgetResult {
  const { initial, weights, target, ratioMin, ratioMax } = input;
  const pinned: ('min' | 'max' | null)[] = initial.map(() => null);
  const achieved = (shift: number) => initial.reduce((acc, r, i) => acc + clamp(r + shift, ratioMin, ratioMax) * weights[i], 0);
  let base = 0;
  for (let i = 0; i < initial.length; i++) base += initial[i] * weights[i];
  if (initial.length === 0) return { ratios: [], pinned, trace: { ran: false, reason: 'no guided groups', target, base } };
  let lo = ratioMin - Math.max(...initial);
  let hi = ratioMax - Math.min(...initial);
  for (let iter = 0; iter < 200 && hi - lo > 1e-15; iter++) {
    const mid = (lo + hi) / 2;
    if (achieved(mid) < target) lo = mid;
    else hi = mid;
  }
  const shift = Math.abs(achieved(lo) - target) <= Math.abs(achieved(hi) - target) ? lo : hi;
  const ratios = initial.map((r) => clamp(r + shift, ratioMin, ratioMax));
  return { ratios, pinned, trace: { ran: true, reason: 'exact budget: one shared shift of every ratio', target, base, shift, achieved: achieved(shift) } };
}
