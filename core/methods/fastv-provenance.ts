import type { FeatureBundle } from '../bundle/types.js';

/**
 * Where a bundle's `decoder_attention` came from when the studio computed it (fastv-scores.ts)
 * rather than reading it from the file. Pure (no onnxruntime) so the FastV method, which the
 * renderer's config schema reaches through the registry, can read it.
 */
export interface DecoderAttentionProvenance {
  /** The decoder that produced the row, e.g. the demo decoder's name or a manifest path. */
  decoder: string;
  /** `fastv_layer` as configured. */
  requestedLayer: number;
  /** The layer the row was taken at (the requested one, or the decoder's last when clamped). */
  layer: number;
  /** Said in the plan's notes (clamping, ...). */
  notes: string[];
}

const provenance = new WeakMap<FeatureBundle, DecoderAttentionProvenance>();

/** A copy of `bundle` carrying `row` as its decoder attention, remembered as computed by `source`. */
export function withDecoderAttention(bundle: FeatureBundle, row: Float32Array, source: DecoderAttentionProvenance): FeatureBundle {
  const out: FeatureBundle = { ...bundle, decoderAttention: row, metadata: { ...bundle.metadata, decoder_attention_layer: source.layer } };
  provenance.set(out, source);
  return out;
}

export function decoderAttentionProvenance(bundle: FeatureBundle): DecoderAttentionProvenance | undefined {
  return provenance.get(bundle);
}
