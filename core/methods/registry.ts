import { dycokeMethod } from './dycoke.js';
import { fastvMethod } from './fastv.js';
import { omnizipMethod } from './omnizip.js';
import { randomMethod } from './random.js';
import type { CompressionMethod, MethodDescriptor } from './types.js';
import { uniformMethod } from './uniform.js';
import { visionzipMethod } from './visionzip.js';

/**
 * Every compression method the studio plans, in menu order. Adding a method: one file exporting a
 * CompressionMethod (plus its tests), one line here and its id in METHOD_IDS.
 */
export const METHOD_IDS = ['omnizip', 'uniform', 'random', 'dycoke', 'fastv', 'visionzip'] as const;

const METHODS: readonly CompressionMethod[] = [omnizipMethod, uniformMethod, randomMethod, dycokeMethod, fastvMethod, visionzipMethod];

export function registeredMethods(): readonly CompressionMethod[] {
  return METHODS;
}

export function methodById(id: string): CompressionMethod {
  const m = METHODS.find((x) => x.id === id);
  if (!m) throw new Error(`unknown method '${id}' (known: ${METHOD_IDS.join(', ')})`);
  return m;
}

/** Descriptors only (no plan function), for menus and the wire. */
export function methodDescriptors(): MethodDescriptor[] {
  return METHODS.map(({ plan: _plan, ...d }) => d);
}

/** One line per method for `--help` and the parameter panel. */
export function methodSummaries(): string {
  return METHODS.map((m) => m.summary).join(' ');
}
