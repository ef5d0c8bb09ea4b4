import { describe, expect, it } from 'vitest';
import { patchReceivedAttention } from './demo-vision.js';

describe('demo vision encoder: received attention (bundle video_scores)', () => {
  it('sums each patch to its token count and favours tokens many others attend to', () => {
    // One patch of 3 tokens in D = 2: two alike, one apart; a second patch of identical tokens.
    const tokens = Float32Array.from([4, 0, 4, 0, 0, 4, 1, 1, 1, 1, 1, 1]);
    const s = patchReceivedAttention(tokens, 3, 2);
    expect(s[0] + s[1] + s[2]).toBeCloseTo(3, 5);
    expect(s[0]).toBeCloseTo(s[1], 6);
    expect(s[0]).toBeGreaterThan(s[2]);
    // Identical tokens share attention equally: each receives exactly 1.
    for (const v of s.subarray(3)) expect(v).toBeCloseTo(1, 6);
  });
});
