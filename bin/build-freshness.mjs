// @ts-check
/**
 * Whether a build's outputs are still current, so `npm start` and the CLI bin can skip rebuilding when
 * nothing it bundles changed. Each build writes a manifest of the files it actually read (vite's
 * module graph, esbuild's metafile) next to its outputs; the build is fresh while that manifest
 * exists and no listed input, nor any extra input (configs), is newer than the manifest itself.
 * Reading the real module graph rather than guessing directories means a core file the renderer
 * imports counts, and a core file it does not import does not.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// Plain JavaScript (types in build-freshness.d.mts): the CLI bin checks freshness before any
// TypeScript can be loaded.

export const BUILD_MANIFEST = 'build-inputs.json';

/** @typedef {{ inputs: string[]; outputs?: string[] }} BuildManifest Absolute paths of every file the build read (and, optionally, wrote). */

/**
 * Records the inputs of a build that just wrote its outputs into `outDir` (the manifest's mtime is the build time).
 * @param {string} outDir
 * @param {Iterable<string>} inputs
 * @param {Iterable<string>} [outputs] files the build wrote; a missing one makes the build stale
 */
export function writeBuildManifest(outDir, inputs, outputs = []) {
  const files = [...new Set([...inputs].map((f) => path.resolve(f.split('?')[0])))].filter((f) => existsSync(f)).sort();
  mkdirSync(outDir, { recursive: true });
  // Written last and in one go: a build interrupted before this point is seen as stale.
  writeFileSync(path.join(outDir, BUILD_MANIFEST), `${JSON.stringify({ inputs: files, outputs: [...outputs].map((f) => path.resolve(f)).sort() }, null, 1)}\n`);
}

/**
 * Why the build in `outDir` must run again, or null when its outputs are newer than all of its
 * inputs or an output is missing. `extraInputs` are files the build depends on without reading them as modules (configs).
 * @param {string} outDir
 * @param {{ outputs: string[]; extraInputs: string[] }} build
 * @param {string} relativeTo
 * @returns {string | null}
 */
export function staleReason(outDir, build, relativeTo) {
  const manifestFile = path.join(outDir, BUILD_MANIFEST);
  const missing = build.outputs.find((file) => !existsSync(file));
  if (missing) return `${path.relative(relativeTo, missing)} is missing`;
  /** @type {BuildManifest} */
  let manifest;
  /** @type {number} */
  let builtAt;
  try {
    builtAt = statSync(manifestFile).mtimeMs;
  } catch {
    return `no previous build in ${path.relative(relativeTo, outDir)}`;
  }
  try {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  } catch (err) {
    return `${path.relative(relativeTo, manifestFile)} is unreadable (${err instanceof Error ? err.message : String(err)})`;
  }
  if (!Array.isArray(manifest.inputs) || manifest.inputs.length === 0) return `${path.relative(relativeTo, manifestFile)} lists no inputs`;
  const lost = (manifest.outputs ?? []).find((file) => !existsSync(file));
  if (lost) return `${path.relative(relativeTo, lost)} is missing`;
  for (const file of [...manifest.inputs, ...build.extraInputs]) {
    /** @type {number} */
    let changedAt;
    try {
      changedAt = statSync(file).mtimeMs;
    } catch {
      return `${path.relative(relativeTo, file)} is gone since the last build`;
    }
    if (changedAt > builtAt) return `${path.relative(relativeTo, file)} changed since the last build`;
  }
  return null;
}
