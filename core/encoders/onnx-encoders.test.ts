import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphBuilder, attr } from '../onnx/graph-builder.js';
import type { LogMel } from '../media/log-mel.js';
import { framesToQwenPatches } from './frames-to-tensor.js';
import { EncoderManifestError, parseManifest } from './manifest.js';
import { EncoderModelMismatchError, loadOnnxEncoders } from './onnx-encoders.js';

const D = 8;
const PATCH_COLS = 3 * 2 * 14 * 14;

/** A stand-in for an exported Qwen vision tower: 2x2 merge of patch rows, then a projection. */
function visionModel(): Uint8Array {
  const g = new GraphBuilder('test_vision');
  const pixels = g.input('pixel_values', 'float32', ['patches', PATCH_COLS]);
  const grid = g.input('grid_thw', 'int64', [1, 3]);
  const merged = g.node('Reshape', [pixels, g.int64s('shape', [-1, 4 * PATCH_COLS])]);
  const weights = Float32Array.from({ length: 4 * PATCH_COLS * D }, (_, i) => ((i % 13) - 6) / 1000);
  const projected = g.node('MatMul', [merged, g.initializer('w', 'float32', [4 * PATCH_COLS, D], weights)]);
  // Uses grid_thw (times zero) so the input is a real part of the graph.
  const gridTerm = g.node('Mul', [g.node('Cast', [g.node('ReduceSum', [grid], { keepdims: attr.int(0) })], { to: attr.int(1) }), g.scalar('zero', 0)]);
  g.output(g.node('Add', [projected, gridTerm], {}, 'video_embeds'), 'float32', ['tokens', D]);
  return g.toModelBytes();
}

/** A stand-in audio tower: stride-2 conv, avg-pool 2, projection; score = mean of the token. */
function audioModel(): Uint8Array {
  const g = new GraphBuilder('test_audio');
  const mel = g.input('input_features', 'float32', [128, 'frames']);
  const batched = g.node('Unsqueeze', [mel, g.int64s('axis0', [0])]);
  const kernel = new Float32Array(128 * 3).fill(1 / 3);
  const conv = g.node('Conv', [batched, g.initializer('k', 'float32', [128, 1, 3], kernel)], { group: attr.int(128), strides: attr.ints([2]), pads: attr.ints([1, 1]), kernel_shape: attr.ints([3]) });
  const pooled = g.node('AveragePool', [conv], { kernel_shape: attr.ints([2]), strides: attr.ints([2]) });
  const rows = g.node('Transpose', [g.node('Squeeze', [pooled, g.int64s('axis0b', [0])])], { perm: attr.ints([1, 0]) });
  const w = Float32Array.from({ length: 128 * D }, (_, i) => ((i % 7) - 3) / 100);
  const embeds = g.node('MatMul', [rows, g.initializer('w', 'float32', [128, D], w)], {}, 'audio_embeds');
  g.output(embeds, 'float32', ['tokens', D]);
  g.output(g.node('ReduceMean', [rows, g.int64s('axis1', [1])], { keepdims: attr.int(0) }, 'audio_scores'), 'float32', ['tokens']);
  return g.toModelBytes();
}

let dir = '';
const manifest = (overrides: { vision?: object; audio?: object } = {}) => ({
  format: 'omnizip-encoders',
  model: 'test towers',
  hidden_size: D,
  vision: { path: 'vision.onnx', input_layout: 'qwen_patches', inputs: { pixels: 'pixel_values', grid_thw: 'grid_thw' }, outputs: { embeds: 'video_embeds' }, ...overrides.vision },
  audio: { path: 'audio.onnx', feature_layout: 'mel_time', inputs: { features: 'input_features' }, outputs: { embeds: 'audio_embeds', scores: 'audio_scores' }, ...overrides.audio },
});
const writeManifest = (name: string, content: object): string => {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(content));
  return file;
};

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'omnizip-encoders-'));
  writeFileSync(path.join(dir, 'vision.onnx'), visionModel());
  writeFileSync(path.join(dir, 'audio.onnx'), audioModel());
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ONNX encoders from a manifest', () => {
  it('runs both towers and returns tokens in the expected counts', async () => {
    const encoders = await loadOnnxEncoders(writeManifest('ok.json', manifest()), { provider: 'cpu' });
    try {
      const frames = Array.from({ length: 4 }, (_, f) => new Uint8Array(56 * 84 * 3).fill(40 * f));
      const video = await encoders.vision.encode(frames, 84, 56);
      expect(video.length).toBe(2 * 2 * 3 * D); // 2 temporal patches x (2 x 3 cells) x D
      const mel: LogMel = { data: new Float32Array(128 * 400).fill(0.5), numMels: 128, numFrames: 400 };
      const audio = await encoders.audio.encode(mel);
      expect(audio.numTokens).toBe(100);
      expect(audio.scores.length).toBe(100);
    } finally {
      await encoders.dispose();
    }
  });

  it('names the mismatch when the manifest and the model disagree', async () => {
    const file = writeManifest('bad-names.json', manifest({ vision: { inputs: { pixels: 'pixels', grid_thw: 'grid_thw' } } }));
    const failure = loadOnnxEncoders(file, { provider: 'cpu' });
    await expect(failure).rejects.toBeInstanceOf(EncoderModelMismatchError);
    await expect(loadOnnxEncoders(file, { provider: 'cpu' })).rejects.toThrow(/input 'pixels' is not among the model's inputs: pixel_values \(float32 \[patches, 1176\]\)/);
  });

  it('reports a hidden size that differs from the model output', async () => {
    const file = writeManifest('bad-d.json', { ...manifest(), hidden_size: 16 });
    await expect(loadOnnxEncoders(file, { provider: 'cpu' })).rejects.toThrow(/output 'video_embeds' \(embeds\) has size 8 on axis 1, expected 16/);
  });

  it('rejects a manifest with missing keys, naming the key', () => {
    expect(() => parseManifest(JSON.stringify({ hidden_size: 8, vision: {} }), 'm.json')).toThrow(EncoderManifestError);
    expect(() => parseManifest(JSON.stringify({ hidden_size: 8, vision: {} }), 'm.json')).toThrow(/'audio' is missing/);
    expect(() => parseManifest('{', 'm.json')).toThrow(/m\.json: content is not valid JSON/);
  });

  it('reports a model file that is not ONNX', async () => {
    writeFileSync(path.join(dir, 'junk.onnx'), 'not a model');
    const file = writeManifest('junk.json', manifest({ vision: { path: 'junk.onnx' } }));
    await expect(loadOnnxEncoders(file, { provider: 'cpu' })).rejects.toThrow(/junk\.onnx is not a loadable ONNX model/);
  });
});

describe('framesToQwenPatches', () => {
  it('orders rows by temporal patch, 2x2 merge window, then patch; columns by channel, time, y, x', () => {
    const width = 56;
    const height = 28;
    // Pixel value encodes frame, channel and position so each lands where Qwen puts it.
    const frames = Array.from({ length: 2 }, (_, f) => {
      const img = new Uint8Array(width * height * 3);
      for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) img[(y * width + x) * 3 + c] = (f * 100 + c * 30 + (x >= 28 ? 10 : 0) + (y >= 14 ? 5 : 0)) % 256;
      return img;
    });
    const { data, rows, cols, gridThw } = framesToQwenPatches(frames, width, height, [0, 0, 0], [1 / 255, 1 / 255, 1 / 255], { patchSize: 14, temporalPatchSize: 2, mergeSize: 2 });
    expect(gridThw).toEqual([1, 2, 4]);
    expect(rows).toBe(8);
    expect(cols).toBe(PATCH_COLS);
    const at = (row: number, c: number, t: number) => data[row * cols + (c * 2 + t) * 196];
    // Row 2 = first merge window, bottom-left patch (y >= 14, x < 28); row 4 = second window (x >= 28).
    expect(at(2, 0, 0)).toBeCloseTo(5, 3);
    expect(at(4, 1, 1)).toBeCloseTo(100 + 30 + 10, 3);
  });
});
