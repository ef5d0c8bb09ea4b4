/** Feature bundles: the format's reader, writer, validation, display summary and synthetic clips. */
export { BundleError, type BundleErrorSubject, type BundleErrorSubjectKind } from './errors.js';
export { bundleContentHash, parseBundle, readBundle, type ParseBundleOptions } from './reader.js';
export { serializeBundle, writeBundle, type SerializeBundleOptions } from './writer.js';
export { summarizeBundle, modalityRuns, type BundleSummary, type TokenRun } from './summary.js';
export { makeSyntheticBundle, mergedGridFor, REFERENCE_CLIP, type SyntheticBundleOptions } from './synthetic.js';
export {
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  DEFAULT_SPATIAL_MERGE_SIZE,
  findNonFinite,
  tokensPerTemporalPatch,
  validateBundleMetadata,
  validateFeatureBundle,
} from './validate.js';
export * from './types.js';
