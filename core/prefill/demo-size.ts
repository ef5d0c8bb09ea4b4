/**
 * The demo decoder size the CLI's `prefill` and the studio's Inference panel both start from, so
 * their figures compare: d 256 x 2 layers measures a 24 s clip in seconds on a laptop CPU. The
 * core's DEFAULT_DEMO_DECODER (d 512 x 4) stays the base the rest of the config comes from.
 * No imports: the renderer bundles this file.
 */
export const DEMO_DECODER_DEFAULT_SIZE = Object.freeze({ hiddenSize: 256, numLayers: 2 });
