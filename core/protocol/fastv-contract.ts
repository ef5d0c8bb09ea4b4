/**
 * The contract of FastV's decoder choice: `fastv.decoder` says at once what a chosen decoder can
 * give (its depth, the layer FastV's scores would come from, a clamp, or why it cannot expose
 * layer-K attention), and `fastv.scores` runs the decoder's first K layers on the open clip as a
 * cancellable job with progress, so Compare can show every other method first. Part of
 * `hostMethods` (contract.ts).
 *
 * No Node imports: the renderer bundles this file.
 */
import { array, boolean, nullable, number, object, optional, string, type Infer } from './check.js';
import { fastvDecoderCheck } from './prefill-contract.js';

const jobId = string({ maxLength: 64, pattern: /^[A-Za-z0-9_-]+$/ });
const clipId = string({ maxLength: 64, pattern: /^[A-Za-z0-9_-]+$/ });
const layer = number({ integer: true, min: 1, max: 1024 });
const count = number({ integer: true, min: 0 });

export const fastvDecoderInfoCheck = object({
  /** e.g. "demo decoder (d=512, 4 layers)" or the manifest's model name. */
  name: string(),
  /** The decoder's depth; null when its manifest could not be read. */
  numLayers: nullable(count),
  /** fastv_layer as asked. */
  requestedLayer: layer,
  /** The layer FastV's scores come from (requested, or the last one when clamped); null when unavailable. */
  layer: nullable(count),
  /** Set when K was clamped to the decoder's depth ("fastv_layer K=5 clamped to 4 of a 4-layer decoder ..."). */
  clampNote: nullable(string()),
  /** Why this decoder cannot give FastV its layer-K attention; null when it can. */
  unavailable: nullable(string()),
});
export type FastvDecoderInfo = Infer<typeof fastvDecoderInfoCheck>;

export const fastvMethods = {
  /** `demo`: the demo decoder's size when it is not the default (the inference panel's measured one). */
  'fastv.decoder': {
    params: object({ decoder: fastvDecoderCheck, layer, demo: optional(object({ hiddenSize: number({ integer: true, min: 16, max: 4096 }), numLayers: number({ integer: true, min: 1, max: 64 }) })) }),
    result: fastvDecoderInfoCheck,
  },
  'fastv.scores': {
    params: object({ jobId, clipId, decoder: fastvDecoderCheck, layer }),
    result: object({ info: fastvDecoderInfoCheck, cached: boolean(), notes: array(string()) }),
  },
} as const;
