/**
 * Bundles the Electron main process and the preload into dist/electron/*.cjs with esbuild (the
 * sandboxed preload must be one self-contained file). The compute host is not bundled: it runs
 * the core's TypeScript through tsx (electron/compute-host-entry.mjs), like the CLI and the core's
 * workers, so modules that locate helper scripts by import.meta.url keep working.
 */
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBuildManifest } from './build-freshness.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(repoRoot, 'dist', 'electron');

const common = {
  bundle: true,
  platform: 'node' as const,
  format: 'cjs' as const,
  target: 'node20',
  sourcemap: false,
  logLevel: 'warning' as const,
  external: ['electron', 'onnxruntime-node'],
};

const results = await Promise.all([
  build({ ...common, metafile: true, entryPoints: [path.join(repoRoot, 'electron', 'main.ts')], outfile: path.join(out, 'main.cjs') }),
  build({ ...common, metafile: true, entryPoints: [path.join(repoRoot, 'electron', 'preload.ts')], outfile: path.join(out, 'preload.cjs') }),
]);
// esbuild names inputs relative to its working directory.
writeBuildManifest(out, results.flatMap((r) => Object.keys(r.metafile.inputs).map((input) => path.resolve(input))));
console.log(`built ${path.relative(repoRoot, out)}/{main,preload}.cjs`);
