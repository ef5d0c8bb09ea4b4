import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBundle } from '../core/bundle/reader.js';
import { findPythonWithNumpy } from './python-env.js';

const python = findPythonWithNumpy();
const toolsDir = import.meta.dirname;
let dir = '';

function runPython(code: string): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(python.python as string, ['-c', `import sys; sys.path.insert(0, ${JSON.stringify(toolsDir)})\n${code}`], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Python that writes one bundle per dtype from seeded numpy arrays and prints them as JSON. */
const writeBundles = (outDir: string) => `
import json, numpy as np, dump_qwen_omni_bundle as dump
rng = np.random.default_rng(3)
audio = rng.normal(size=(60, 16)).astype(np.float32)
video = rng.normal(size=(2 * 2 * 3, 16)).astype(np.float32)
q = rng.normal(size=(121, 8)).astype(np.float32)
k = rng.normal(size=(121, 8)).astype(np.float32)
scores = dump.pair_pool(dump.received_attention(q, k, num_heads=2, block=50))
assert scores.shape == (60,)
ids = np.array([1] * 5 + [9] * 12 + [7] * 50 + [7] * 10 + [2] * 7)
types = dump.qwen_token_types(ids, audio_token_id=7, video_token_id=9)
frames = rng.integers(0, 256, size=(4, 6, 8, 3), dtype=np.uint8)
wave = np.sin(np.arange(3200) / 10).astype(np.float32)
# VisionZip score: 2 temporal patches of 4 merge units (16 patches); units stored in window order [1, 0, 3, 2].
vq = rng.normal(size=(32, 8)).astype(np.float32)
vk = rng.normal(size=(32, 8)).astype(np.float32)
vscores_units = dump.vision_received_attention(vq, vk, 2, [0, 16, 32], [1, 0, 3, 2, 5, 4, 7, 6], unit=4)
assert vscores_units.shape == (8,)
vscores = np.concatenate([vscores_units, vscores_units[:4]])
for dt in ["F32", "F16", "BF16"]:
    dump.write_feature_bundle(f"${outDir}/b_{dt}.safetensors", audio, video, scores, types, grid_thw=[2, 4, 6],
        frames=frames, waveform=wave, source={"name": "x.mp4", "duration_s": 2.4}, dtype=dt, video_scores=vscores)
print(json.dumps({"vscores": vscores.tolist(), "vscores_segment_sums": [float(vscores_units[:4].sum() * 4), float(vscores_units[4:].sum() * 4)], "audio": audio.tolist(), "video": video.tolist(), "scores": scores.tolist(), "q": q.tolist(), "k": k.tolist(),
    "frames": frames.reshape(-1).tolist(), "types": types.tolist(), "torch_imported": "torch" in __import__("sys").modules}))
`;

interface Written {
  vscores: number[];
  vscores_segment_sums: number[];
  audio: number[][];
  video: number[][];
  scores: number[];
  q: number[][];
  k: number[][];
  frames: number[];
  types: number[];
  torch_imported: boolean;
}

describe.skipIf(!python.python)(`tools/dump_qwen_omni_bundle.py writer${python.python ? '' : ` (skipped: ${python.skipReason})`}`, () => {
  let written: Written;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'omnizip-dump-'));
    const run = runPython(writeBundles(dir));
    if (run.status !== 0) throw new Error(`python writer failed: ${run.stderr}`);
    written = JSON.parse(run.stdout) as Written;
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes video_scores (VisionZip\'s received attention per merge unit, window order undone) that the reader loads', async () => {
    // Received attention summed over queries sums to the segment's patch count (16) per temporal patch.
    for (const total of written.vscores_segment_sums) expect(total).toBeCloseTo(16, 4);
    const bundle = await readBundle(path.join(dir, 'b_F32.safetensors'));
    expect(Array.from(bundle.videoScores ?? [])).toEqual(written.vscores.map((v) => Math.fround(v)));
  });

  it('does not import torch for the writer and importance functions', () => {
    expect(written.torch_imported).toBe(false);
  });

  for (const [dtype, tolerance] of [['F32', 0], ['F16', 2e-3], ['BF16', 1e-2]] as const) {
    it(`writes a ${dtype} bundle that the studio's reader accepts with the same values`, async () => {
      const bundle = await readBundle(path.join(dir, `b_${dtype}.safetensors`));
      expect(bundle.storedDType.audio).toBe(dtype);
      expect(bundle.numAudio).toBe(60);
      expect(bundle.numVideo).toBe(12);
      expect(bundle.hiddenSize).toBe(16);
      expect(bundle.metadata.grid_thw).toEqual([2, 4, 6]);
      expect(bundle.metadata.sample_rate).toBe(16000);
      expect(bundle.metadata.source?.name).toBe('x.mp4');
      expect(Array.from(bundle.tokenTypes)).toEqual(written.types);
      const close = (a: number, b: number) => Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(b)) + 1e-7;
      expect(written.audio.flat().every((v, i) => close(bundle.audioEmbeds[i], v))).toBe(true);
      expect(written.video.flat().every((v, i) => close(bundle.videoEmbeds[i], v))).toBe(true);
      expect(written.scores.every((v, i) => Math.abs((bundle.audioScores as Float32Array)[i] - v) < 1e-7)).toBe(true);
      expect(Array.from(bundle.frames?.data ?? [])).toEqual(written.frames);
      expect(bundle.frames?.count).toBe(4);
      expect(bundle.waveform?.length).toBe(3200);
    });
  }

  it('computes importance as the mean attention each key receives (softmax over all frames), pair-pooled', () => {
    const { q, k } = written;
    const T = q.length;
    const heads = 2;
    const d = q[0].length / heads;
    const received = new Float64Array(T);
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < T; i++) {
        const logits = k.map((kr) => {
          let dot = 0;
          for (let x = 0; x < d; x++) dot += q[i][h * d + x] * kr[h * d + x];
          return dot / Math.sqrt(d);
        });
        const max = Math.max(...logits);
        const exps = logits.map((l) => Math.exp(l - max));
        const sum = exps.reduce((a, b) => a + b, 0);
        exps.forEach((e, j) => (received[j] += e / sum / (heads * T)));
      }
    }
    // T = 121 is odd: the last frame is dropped before pairing (AvgPool1d(2, 2)).
    const pooled = Array.from({ length: 60 }, (_, j) => (received[2 * j] + received[2 * j + 1]) / 2);
    pooled.forEach((v, j) => expect(written.scores[j]).toBeCloseTo(v, 7));
  });

  it('refuses inputs the reader would reject, saying why', () => {
    const run = runPython(`
import numpy as np, dump_qwen_omni_bundle as dump
try:
    dump.write_feature_bundle("${dir}/bad.safetensors", np.zeros((3, 4)), np.zeros((4, 4)), np.zeros(3), np.array([1, 1, 2, 2, 2, 2]), grid_thw=[1, 4, 4])
except dump.BundleWriteError as e:
    print(e)
`);
    expect(run.stdout).toMatch(/token_types marks 2 audio \/ 4 video positions but the embeddings have 3 \/ 4 rows/);
  });
});
