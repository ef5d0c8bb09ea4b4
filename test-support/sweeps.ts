/** Test fixtures for the sweep tests: two small random bundles in a temp folder, and spec files. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serializeBundle } from '../core/bundle/writer.js';
import { randomBundle } from './random-bundle.js';

export function sweepFixture(): { root: string; clipsDir: string; writeSpec: (text: string, name?: string) => string } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'omnizip-sweep-test-'));
  const clipsDir = path.join(root, 'clips');
  mkdirSync(clipsDir);
  // Analyses go to the fixture's own cache, not the user's.
  process.env.OMNIZIP_CACHE_DIR = path.join(root, 'cache');
  const shape = { videoChunks: 4, audioChunks: 4, gridH: 4, gridW: 8, framesPerChunk: 2, audioPerChunk: 25, dim: 16 };
  writeFileSync(path.join(clipsDir, 'a.safetensors'), serializeBundle(randomBundle({ ...shape, seed: 1 })));
  writeFileSync(path.join(clipsDir, 'b.safetensors'), serializeBundle(randomBundle({ ...shape, seed: 2, videoChunks: 3 })));
  return {
    root,
    clipsDir,
    writeSpec(text, name = 'spec.yaml') {
      const file = path.join(root, name);
      writeFileSync(file, text);
      return file;
    },
  };
}

/** The issue's example spec, with its clips pointed at the fixture. */
export const ISSUE_EXAMPLE_SPEC = `clips: [clips/a.safetensors, clips/b.safetensors]
base: {rho_audio: 0.3}
space:
  rho_video: [0.5, 0.6, 0.7]
  g: [0, 3]
  contextual_ratio: {low: 0.0, high: 0.1}
sampler: grid
methods: [omnizip]
objectives: [kept_fraction, video_coverage]
`;
