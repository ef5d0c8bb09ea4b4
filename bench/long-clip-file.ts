/**
 * The 5-minute clip at Qwen2.5-Omni-7B size (7,500 audio + 300 x 128 video tokens, D 3584, F16
 * embeddings, with a waveform) as a bundle file the studio can open, written once under
 * .cache/bench/ and reused by `npm run bench:ui` and `bench/replan-bench.ts`.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBundle } from '../core/bundle/writer.js';
import { makeSyntheticBundle, REFERENCE_CLIP } from '../test-support/synthetic/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function benchClipFile(seconds: number): string {
  return path.join(repoRoot, '.cache', 'bench', seconds === 60 ? 'reference-60s.safetensors' : `long-${seconds}s-f16.safetensors`);
}

/** Writes the clip of `seconds` (60: the F32 reference clip; longer: F16, like the long-clip bench) unless it exists. */
export async function ensureBenchClip(seconds: number): Promise<string> {
  const file = benchClipFile(seconds);
  if (existsSync(file)) return file;
  const dtype = seconds === 60 ? 'F32' : 'F16';
  console.log(`writing the ${seconds} s clip (${seconds * 25} audio + ${seconds * 128} video tokens, D 3584, ${dtype}) ...`);
  await mkdir(path.dirname(file), { recursive: true });
  const bundle = makeSyntheticBundle({ ...REFERENCE_CLIP, seconds, dtype, withWaveform: true, name: `reference-clip-${seconds}s` });
  await writeBundle(file, bundle, { dtype });
  return file;
}
