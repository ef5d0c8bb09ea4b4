import { DEFAULT_MAX_PIXELS, DEFAULT_MIN_PIXELS } from '../media/smart-resize.js';
import { DemoAudioEncoder } from './demo-audio.js';
import { DemoVisionEncoder } from './demo-vision.js';
import type { EncoderSet } from './types.js';

export const DEMO_HIDDEN_SIZE = 256;
const DEMO_SEED = 20251118;

/**
 * The built-in encoders: small ONNX graphs built from code with fixed seeded weights. They make
 * bundles with the real model's layout (token counts, interleave, importance definition) from any
 * clip, without downloading anything; their embeddings are engineered features, not Qwen's, so the
 * absolute numbers of a demo analysis say nothing about Qwen2.5-Omni itself.
 */
export function createDemoEncoders(hiddenSize = DEMO_HIDDEN_SIZE): EncoderSet {
  const vision = new DemoVisionEncoder(hiddenSize, DEMO_SEED);
  const audio = new DemoAudioEncoder(hiddenSize, DEMO_SEED + 1);
  return {
    model: `omnizip-studio demo encoders (D=${hiddenSize})`,
    description:
      'built-in demo encoders: vision = per-28px-cell colour/texture/gradient/motion statistics with a fixed random projection; ' +
      'audio = log-mel frames with one self-attention layer biased towards loud and onset frames (importance = attention received). Not a trained model.',
    hiddenSize,
    vision,
    audio,
    minPixels: DEFAULT_MIN_PIXELS,
    maxPixels: DEFAULT_MAX_PIXELS,
    dispose: async () => {
      await vision.dispose();
      await audio.dispose();
    },
  };
}
