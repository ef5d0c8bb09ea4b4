/** Synthetic feature bundles for tests and benchmarks (see ./generator.ts for what they contain). */
export { makeSyntheticBundle } from './generator.js';
export { mergedGridFor } from './layout.js';
export { REFERENCE_CLIP, type SyntheticBundleOptions } from './options.js';
