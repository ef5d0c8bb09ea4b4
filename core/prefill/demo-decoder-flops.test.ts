import { describe, expect, it } from 'vitest';
import { TINY_DEMO_DECODER } from '../../test-support/demo-decoder.js';
import { demoDecoderFlops, type DemoDecoderConfig } from './demo-decoder.js';

const tiny: DemoDecoderConfig = { ...TINY_DEMO_DECODER, vocabSize: 24 };

describe('demo decoder FLOPs', () => {
  it('counts FLOPs: projections, gated MLP, causal attention and the last row head', () => {
    // d 32, 4 heads of 8, 2 kv heads (kv width 16), mlp 64, 2 layers, vocab 24, n = 10 tokens.
    const n = 10;
    const perLayer = 2 * n * (32 * 32 + 2 * 32 * 16 + 32 * 32) + 2 * n * 3 * 32 * 64 + 4 * ((n * (n + 1)) / 2) * 8 * 4;
    expect(demoDecoderFlops(tiny, n)).toBe(2 * perLayer + 2 * 32 * 24);
  });
});
