import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TINY_DEMO_DECODER } from '../../test-support/demo-decoder.js';
import { randomBundle } from '../../test-support/random-bundle.js';
import { buildDemoDecoder, buildDemoDecoderPart, type DemoDecoderConfig } from './demo-decoder.js';
import { DemoSplitPrefill, demoBundleAttention, demoLayerAttention, keptRows, resolveFastvLayer } from './layer-attention.js';
import { sequencePositions } from './positions.js';
import { TextEmbeddings, fullSequence, type PrefillSequence } from './prefill-sequence.js';

const tiny: DemoDecoderConfig = TINY_DEMO_DECODER;
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

// A small clip at the tiny decoder's width, so no projection is involved.
const bundle = randomBundle({ videoChunks: 2, audioChunks: 2, gridH: 4, gridW: 4, framesPerChunk: 2, audioPerChunk: 25, dim: 32, seed: 11 });
const positions = sequencePositions(bundle);
const seq: PrefillSequence = fullSequence(bundle, TextEmbeddings.forBundle(bundle));

describe('demo decoder parts (FastV)', () => {
  it('leaves the whole decoder byte-identical to the one built before the split existed', () => {
    // Hashes of main's buildDemoDecoder before this change (same configs).
    expect(sha(buildDemoDecoder(tiny))).toBe('c1b9667157a1869c4e3ee8672eeab5601cbd9a96c187a891ad96cc3959a054fe');
    expect(sha(buildDemoDecoder({ ...tiny, positionIdsKind: '1d' }))).toBe('d6715443991c897ec17a64332dd32d4fb0bd5903a08f86155ede3ceadaa00e66');
    expect(sha(buildDemoDecoderPart(tiny, { fromLayer: 0, toLayer: 2, input: 'embeds', output: 'next_token' }))).toBe(sha(buildDemoDecoder(tiny)));
  });

  it('refuses an empty or out-of-range layer range', () => {
    expect(() => buildDemoDecoderPart(tiny, { fromLayer: 1, toLayer: 1, input: 'hidden', output: 'next_token' })).toThrow(/not a non-empty range of its 2 layers/);
    expect(() => buildDemoDecoderPart(tiny, { fromLayer: 0, toLayer: 3, input: 'embeds', output: 'layer_attention' })).toThrow(/\[0, 3\)/);
  });

  it('gives a softmax row per position that depends only on the first K layers', async () => {
    const two = await demoLayerAttention(tiny, 2, seq, positions);
    expect(two.row.length).toBe(seq.tokens);
    expect(two.hidden.length).toBe(seq.tokens * tiny.hiddenSize);
    expect(Math.min(...two.row)).toBeGreaterThan(0);
    expect(two.row.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 4);
    // A deeper decoder shares its first layers' weights: layers 3 and 4 do not change the row.
    const deeper = await demoLayerAttention({ ...tiny, numLayers: 4 }, 2, seq, positions);
    for (let i = 0; i < seq.tokens; i++) expect(deeper.row[i]).toBeCloseTo(two.row[i], 6);
    const first = await demoLayerAttention(tiny, 1, seq, positions);
    expect(Array.from(first.row)).not.toEqual(Array.from(two.row));
  });

  it('split prefill with nothing pruned equals the whole decoder', async () => {
    const all = Int32Array.from({ length: seq.tokens }, (_, i) => i);
    const whole = await DemoSplitPrefill.create(tiny, tiny.numLayers);
    const split = await DemoSplitPrefill.create(tiny, 1);
    try {
      const a = await whole.run(seq, all, positions);
      const b = await split.run(seq, all, positions);
      expect(b.tailTokens).toBe(seq.tokens);
      expect(a.logits.length).toBe(tiny.vocabSize);
      for (let i = 0; i < a.logits.length; i++) expect(b.logits[i]).toBeCloseTo(a.logits[i], 4);
      // Pruning after layer 1 runs layer 2 on the kept rows only and changes the output.
      const kept = all.filter((i) => i % 3 !== 1);
      const pruned = await split.run(seq, kept, positions);
      expect(pruned.tailTokens).toBe(kept.length);
      expect(Array.from(pruned.logits)).not.toEqual(Array.from(b.logits));
    } finally {
      await whole.release();
      await split.release();
    }
  });

  it('keeps the original positions of the kept rows and refuses unsorted rows', () => {
    const hidden = Float32Array.from({ length: seq.tokens * 32 }, (_, i) => i);
    const rows = keptRows(hidden, seq, [0, 5, 9], 'k');
    expect(Array.from(rows.sequencePositions)).toEqual([0, 5, 9]);
    expect(rows.embeds[32]).toBe(5 * 32);
    expect(() => keptRows(hidden, seq, [5, 2], 'k')).toThrow(/sorted, distinct/);
  });

  it('clamps K beyond the decoder depth to its last layer and says so', () => {
    expect(resolveFastvLayer(2, 4, 'd')).toEqual({ layer: 2, note: null });
    const clamped = resolveFastvLayer(5, 4, 'the demo decoder');
    expect(clamped.layer).toBe(4);
    expect(clamped.note).toMatch(/fastv_layer K=5 clamped to 4 of a 4-layer decoder \(the demo decoder\)/);
    expect(() => resolveFastvLayer(0, 4, 'd')).toThrow(/positive integer/);
  });

  it('projects a wider bundle to the decoder width before the run', async () => {
    const wide = randomBundle({ videoChunks: 1, audioChunks: 1, gridH: 4, gridW: 4, framesPerChunk: 2, audioPerChunk: 25, dim: 48, seed: 2 });
    const row = await demoBundleAttention(wide, tiny, 2);
    expect(row.length).toBe(wide.tokenTypes.length);
    expect(row.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 4);
  });
});
