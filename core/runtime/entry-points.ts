/**
 * Every process entry point of the app, in one table, and the one place that answers "which file
 * do I start for worker X?".
 *
 * The build (tools/build-dist.ts) compiles each row's `source` to `dist/<name>.mjs` (or `.cjs`
 * where `format` says so) with esbuild. Code that starts a worker thread or a child process asks
 * `entryUrl(name)` for the file to run and gets:
 * - in built code (the CLI bin, `npm start`, the packaged app): the compiled `dist/<name>.mjs`,
 *   a sibling of the bundle that is running, since every bundle is written flat into dist/;
 * - in a checkout run from TypeScript (vitest, tsx): the row's `devLoader`, a small .mjs that
 *   registers tsx in the new thread or process and then imports the TypeScript source.
 *
 * To add a worker: add a row to ENTRY_POINTS (source + devLoader), then `new Worker(entryUrl('my-worker'))`.
 * The table itself is in entry-table.ts, free of import.meta, so that the Electron main bundle
 * (CommonJS) can read it too.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ENTRY_POINTS, type EntryName, type EntryPoint } from './entry-table.js';

export { ENTRY_POINTS, type EntryName };
/** The entries something inside the app starts as a worker thread or a child process. */
export type SpawnedEntry = { [K in EntryName]: (typeof ENTRY_POINTS)[K] extends { devLoader: string } ? K : never }[EntryName];

// esbuild's `define` replaces this identifier with `true` in every bundle; source never defines it.
declare const __OMNIZIP_BUILT__: boolean | undefined;

/** Whether this code runs from the compiled dist/ bundles rather than from TypeScript sources. */
export function isBuilt(): boolean {
  return typeof __OMNIZIP_BUILT__ !== 'undefined' && __OMNIZIP_BUILT__;
}

/** The app root: the checkout, or the packaged app directory (dist/ sits right under it). */
export function appRoot(): string {
  // Built: this code is inlined in a bundle at dist/*.mjs. Source: this file is core/runtime/entry-points.ts.
  return fileURLToPath(new URL(isBuilt() ? '..' : '../..', import.meta.url));
}

/** The file to start for a worker thread or child process (see the module comment). */
export function entryUrl(name: SpawnedEntry): URL {
  const entry: EntryPoint = ENTRY_POINTS[name];
  // In the packaged app the bundles are unpacked from the asar archive (electron-builder.yml
  // asarUnpack): a worker thread or child process gets the real file.
  if (isBuilt()) return new URL(new URL(`./${entry.built}`, import.meta.url).href.replace('/app.asar/', '/app.asar.unpacked/'));
  return pathToFileURL(path.join(appRoot(), entry.devLoader ?? entry.source));
}
