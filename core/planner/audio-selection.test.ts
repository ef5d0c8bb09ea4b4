import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ClipAnalysis } from '../analysis/types.js';
import { resolveConfig } from '../config/validate.js';
import { mulberry32 } from '../util/numeric.js';
import { referenceSelectAudio } from '../../test-support/reference-audio-selection.js';
import { selectAudio, type AudioSelectionOptions } from './audio.js';
import type { Range } from './layout.js';

/** Values on a few levels (many exact ties), with signed zeros, infinities and, optionally, NaN. */
function awkward(length: number, rand: () => number, levels: number, nanRate: number): Float32Array {
  const out = new Float32Array(length);
  const specials = [0, -0, Infinity, -Infinity];
  for (let i = 0; i < length; i++) {
    const r = rand();
    out[i] = r < nanRate ? NaN : r < nanRate + 0.01 ? specials[Math.floor(rand() * specials.length)] : Math.round((rand() * 2 - 1) * levels) / levels;
  }
  return out;
}

/** Contiguous segments over [0, n), some tokens possibly outside every segment (gaps). */
function randomSegments(n: number, rand: () => number, whole: boolean): Range[] {
  if (whole) return n > 0 ? [[0, n]] : [];
  const segments: Range[] = [];
  let at = 0;
  while (at < n) {
    const length = 1 + Math.floor(rand() * Math.max(1, n / 3));
    const end = Math.min(n, at + length);
    if (rand() > 0.15) segments.push([at, end]);
    at = end;
  }
  return segments;
}

describe('audio selection', () => {
  it('chooses the same dominant tokens, anchors, merges and weights as the plain version', () => {
    fc.assert(
      fc.property(
        fc.record({
          n: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 129, max: 260 })),
          seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          levels: fc.integer({ min: 1, max: 12 }),
          whole: fc.boolean(),
          withScores: fc.boolean(),
          withCrossModal: fc.boolean(),
          nanRate: fc.constantFrom(0, 0, 0.02),
          g: fc.constantFrom(0, 1, 2, 3, 5, 40),
          rhoAudio: fc.double({ min: 0, max: 1, noNaN: true }),
          contextual: fc.double({ min: 0, max: 0.5, noNaN: true }),
          anchorsNeedMerging: fc.boolean(),
        }),
        (p) => {
          const rand = mulberry32(p.seed);
          const sim = awkward(p.n * p.n, rand, p.levels, p.nanRate / 10);
          const analysis = { numAudio: p.n, audioSelfSimilarity: sim } as unknown as ClipAnalysis;
          const scores = p.withScores ? awkward(p.n, rand, p.levels, 0) : null;
          const order = Int32Array.from({ length: p.n }, (_, i) => i);
          for (let i = p.n - 1; i > 0; i--) {
            const j = Math.floor(rand() * (i + 1));
            [order[i], order[j]] = [order[j], order[i]];
          }
          const options: AudioSelectionOptions = {
            anchorsNeedMerging: p.anchorsNeedMerging,
            order,
            segments: randomSegments(p.n, rand, p.whole),
            crossModal: p.withCrossModal ? awkward(p.n, rand, p.levels, p.nanRate) : null,
          };
          const config = resolveConfig({ g: p.g, rho_audio: p.rhoAudio, contextual_ratio: p.contextual });
          expect(selectAudio(analysis, scores, config, options)).toEqual(referenceSelectAudio(analysis, scores, config, options));
        },
      ),
      { numRuns: 300, seed: 16 },
    );
  });
});
