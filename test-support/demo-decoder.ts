import { DEFAULT_DEMO_DECODER, type DemoDecoderConfig } from '../core/prefill/demo-decoder.js';

/** A demo decoder small enough for unit tests (d 32, 2 layers, 4 query / 2 KV heads) yet with every part of the real one. */
export const TINY_DEMO_DECODER: DemoDecoderConfig = {
  ...DEFAULT_DEMO_DECODER,
  hiddenSize: 32,
  numLayers: 2,
  numAttentionHeads: 4,
  numKeyValueHeads: 2,
  intermediateSize: 64,
  vocabSize: 256,
  maxSequenceLength: 512,
  queryBlock: 48,
};
