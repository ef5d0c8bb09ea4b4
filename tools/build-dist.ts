/**
 * The build: compiles every process entry point (core/runtime/entry-table.ts, the one list) to
 * JavaScript under dist/ with esbuild, so the CLI, `npm start`, workers, child processes and the
 * packaged app never compile TypeScript at run time.
 *
 * - The Node-side ESM entries are one esbuild run with code splitting: shared code becomes chunks,
 *   and every file lands flat in dist/ so that `entryUrl()` finds a worker as a sibling of the
 *   running bundle. The CLI's commands are loaded lazily, so `inspect` parses only what it needs.
 * - Electron's main process and the sandboxed preload are CommonJS files of their own.
 * - onnxruntime-node (native binaries) and electron stay external; everything else is bundled,
 *   so the packaged app needs no other node_modules.
 * Outputs are written to a staging folder and renamed into place, then the input manifest is
 * written (bin/build-freshness.mjs): a concurrent run (parallel tests starting the CLI) never reads
 * a half-written bundle.
 */
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBuildManifest } from '../bin/build-freshness.mjs';
import { ENTRY_POINTS, type EntryName } from '../core/runtime/entry-table.js';

const appRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const distDir = path.join(appRoot, 'dist');
/** Node 24 is the runtime of Electron 45 and of `npm start`/`npm test` (the `node` dev dependency). */
const TARGET = 'node24';

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: TARGET,
  sourcemap: false,
  logLevel: 'warning',
  legalComments: 'none',
  external: ['electron', 'onnxruntime-node'],
  define: { __OMNIZIP_BUILT__: 'true' },
  metafile: true,
  write: true,
  // Metafile inputs are then relative to the app root.
  absWorkingDir: appRoot,
};

const names = Object.keys(ENTRY_POINTS) as EntryName[];
const esmEntries = names.filter((n) => ENTRY_POINTS[n].format === 'esm');
const cjsEntries = names.filter((n) => ENTRY_POINTS[n].format === 'cjs');
const staging = path.join(distDir, `.staging-${process.pid}`);
rmSync(staging, { recursive: true, force: true });

try {
  const results = await Promise.all([
    build({
      ...common,
      format: 'esm',
      splitting: true,
      outdir: staging,
      outExtension: { '.js': '.mjs' },
      entryNames: '[name]',
      chunkNames: 'chunk-[hash]',
      entryPoints: esmEntries.map((n) => ({ in: path.join(appRoot, ENTRY_POINTS[n].source), out: ENTRY_POINTS[n].built.replace(/\.mjs$/, '') })),
      // Bundled CommonJS packages (yaml) call require(); ESM output needs one.
      banner: { js: "import { createRequire as __omnizipCreateRequire } from 'node:module'; const require = __omnizipCreateRequire(import.meta.url);" },
    }),
    ...cjsEntries.map((n) => build({ ...common, format: 'cjs', entryPoints: [path.join(appRoot, ENTRY_POINTS[n].source)], outfile: path.join(staging, ENTRY_POINTS[n].built) })),
  ]);
  // Silero VAD (the speech reference, core/analysis/speech-activity.ts) is a model file from the
  // @ricky0123/vad-web dev dependency: built code and the package carry this copy of it alone.
  mkdirSync(path.join(staging, 'models'), { recursive: true });
  copyFileSync(createRequire(import.meta.url).resolve('@ricky0123/vad-web/dist/silero_vad_v5.onnx'), path.join(staging, 'models', 'silero_vad_v5.onnx'));
  mkdirSync(distDir, { recursive: true });
  // Chunks of an older build have other hashes: drop them so dist/ holds one build (a concurrent
  // identical build writes the same names, which are kept).
  const fresh = new Set(readdirSync(staging));
  for (const file of readdirSync(distDir)) if (/^chunk-.*\.mjs$/.test(file) && !fresh.has(file)) rmSync(path.join(distDir, file), { force: true });
  const moveTree = (from: string, to: string) => {
    for (const name of readdirSync(from)) {
      const source = path.join(from, name);
      const target = path.join(to, name);
      if (statSync(source).isDirectory()) {
        mkdirSync(target, { recursive: true });
        moveTree(source, target);
      } else {
        renameSync(source, target);
      }
    }
  };
  const list = (name: string): string[] => {
    const file = path.join(staging, name);
    return statSync(file).isDirectory() ? readdirSync(file).flatMap((child) => list(path.join(name, child))) : [path.join(distDir, name)];
  };
  const outputs = [...fresh].flatMap(list);
  moveTree(staging, distDir);
  const inputs = results.flatMap((r) => Object.keys((r.metafile as Metafile).inputs).map((input) => path.resolve(appRoot, input)));
  // The loader tables decide what is built: a change to them must rebuild too.
  writeBuildManifest(distDir, [...inputs, fileURLToPath(import.meta.url), path.join(appRoot, 'package.json')], outputs);
  console.log(`built ${names.length} entry points into ${path.relative(process.cwd(), distDir) || '.'}/ (${TARGET})`);
} finally {
  rmSync(staging, { recursive: true, force: true });
}
