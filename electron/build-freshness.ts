/**
 * Whether a build's outputs are still current, so `npm start` can skip rebuilding (~5 s) when
 * nothing it bundles changed. Each build writes a manifest of the files it actually read (vite's
 * module graph, esbuild's metafile) next to its outputs; the build is fresh while that manifest
 * exists and no listed input, nor any extra input (configs), is newer than the manifest itself.
 * Reading the real module graph rather than guessing directories means a core file the renderer
 * imports counts, and a core file it does not import does not.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const BUILD_MANIFEST = 'build-inputs.json';

interface BuildManifest {
  /** Absolute paths of every file the build read. */
  inputs: string[];
}

/** Records the inputs of a build that just wrote its outputs into `outDir` (the manifest's mtime is the build time). */
export function writeBuildManifest(outDir: string, inputs: Iterable<string>): void {
  const files = [...new Set([...inputs].map((f) => path.resolve(f.split('?')[0])))].filter((f) => existsSync(f)).sort();
  mkdirSync(outDir, { recursive: true });
  // Written last and in one go: a build interrupted before this point is seen as stale.
  writeFileSync(path.join(outDir, BUILD_MANIFEST), `${JSON.stringify({ inputs: files } satisfies BuildManifest, null, 1)}\n`);
}

/**
 * Why the build in `outDir` must run again, or null when its outputs are newer than all of its
 * inputs or an output is missing. `extraInputs` are files the build depends on without reading them as modules (configs).
 */
export function staleReason(outDir: string, build: { outputs: string[]; extraInputs: string[] }, relativeTo: string): string | null {
  const manifestFile = path.join(outDir, BUILD_MANIFEST);
  const missing = build.outputs.find((file) => !existsSync(file));
  if (missing) return `${path.relative(relativeTo, missing)} is missing`;
  let manifest: BuildManifest;
  let builtAt: number;
  try {
    builtAt = statSync(manifestFile).mtimeMs;
  } catch {
    return `no previous build in ${path.relative(relativeTo, outDir)}`;
  }
  try {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as BuildManifest;
  } catch (err) {
    return `${path.relative(relativeTo, manifestFile)} is unreadable (${(err as Error).message})`;
  }
  if (!Array.isArray(manifest.inputs) || manifest.inputs.length === 0) return `${path.relative(relativeTo, manifestFile)} lists no inputs`;
  for (const file of [...manifest.inputs, ...build.extraInputs]) {
    let changedAt: number;
    try {
      changedAt = statSync(file).mtimeMs;
    } catch {
      return `${path.relative(relativeTo, file)} is gone since the last build`;
    }
    if (changedAt > builtAt) return `${path.relative(relativeTo, file)} changed since the last build`;
  }
  return null;
}
