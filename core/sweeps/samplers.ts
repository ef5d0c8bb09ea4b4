/**
 * Samplers: turn the spec's space into points (config overrides). grid = every combination of
 * the lists (a range contributes `steps` evenly spaced values, ends included); random = independent uniform (or log-uniform) draws from a seeded PRNG; sobol =
 * a Sobol low-discrepancy sequence, one dimension per swept key. List dimensions under random
 * and sobol are categorical: a uniform in [0, 1) picks one of the values.
 */
import { mulberry32 } from '../util/numeric.js';
import { sobolPoints, SOBOL_MAX_DIMENSIONS } from './sobol.js';
import { SweepSpecError } from './errors.js';
import type { Dimension, SweepSpec } from './spec.js';

export type Point = Record<string, unknown>;

/** Most grid points a spec may expand to; beyond it the spec is almost certainly a mistake. */
export const MAX_GRID_POINTS = 1_000_000;

/** A dimension's grid values: its list, or `steps` evenly spaced points of its range (log-spaced for log ranges), ends included. */
export function gridValues(d: Dimension): unknown[] {
  if (d.kind === 'values') return d.values;
  const points = Array.from({ length: d.steps }, (_, i) => valueAt(d, i / (d.steps - 1)));
  return [...new Set(points)];
}

export function gridPoints(space: Dimension[]): Point[] {
  const values = space.map(gridValues);
  let size = 1;
  for (const v of values) size *= v.length;
  if (size > MAX_GRID_POINTS) throw new SweepSpecError(`sweep spec: space: the grid has ${size} points (more than ${MAX_GRID_POINTS}); use sampler random or sobol`, 'space');
  let points: Point[] = [{}];
  space.forEach((d, k) => {
    points = points.flatMap((p) => values[k].map((v) => ({ ...p, [d.key]: v })));
  });
  return points;
}

/** Maps u in [0, 1) onto a dimension. Rounded to 6 significant digits so keys read cleanly and dedupe. */
export function valueAt(d: Dimension, u: number): unknown {
  if (d.kind === 'values') return d.values[Math.min(d.values.length - 1, Math.floor(u * d.values.length))];
  if (d.integer) {
    const lo = Math.ceil(d.low);
    const hi = Math.floor(d.high);
    if (d.log) return Math.min(hi, Math.max(lo, Math.round(Math.exp(Math.log(Math.max(lo, 1e-12)) + u * (Math.log(hi) - Math.log(Math.max(lo, 1e-12)))))));
    return Math.min(hi, lo + Math.floor(u * (hi - lo + 1)));
  }
  const x = d.log ? Math.exp(Math.log(d.low) + u * (Math.log(d.high) - Math.log(d.low))) : d.low + u * (d.high - d.low);
  return Math.min(d.high, Math.max(d.low, Number(x.toPrecision(6))));
}

export function randomPoints(space: Dimension[], count: number, seed: number): Point[] {
  const rand = mulberry32(seed);
  return Array.from({ length: count }, () => Object.fromEntries(space.map((d) => [d.key, valueAt(d, rand())])));
}

export function sobolSample(space: Dimension[], count: number): Point[] {
  if (space.length > SOBOL_MAX_DIMENSIONS) {
    throw new SweepSpecError(`sweep spec: space: sobol supports up to ${SOBOL_MAX_DIMENSIONS} swept keys (got ${space.length})`, 'space');
  }
  return sobolPoints(count, space.length).map((u) => Object.fromEntries(space.map((d, i) => [d.key, valueAt(d, u[i])])));
}

export function samplePoints(spec: Pick<SweepSpec, 'space' | 'sampler' | 'trials' | 'seed'>): Point[] {
  if (spec.sampler === 'grid') return gridPoints(spec.space);
  const n = spec.trials ?? 0;
  return spec.sampler === 'random' ? randomPoints(spec.space, n, spec.seed) : sobolSample(spec.space, n);
}
