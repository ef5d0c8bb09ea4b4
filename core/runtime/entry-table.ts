/**
 * Every process entry point of the app: what tools/build-dist.ts compiles into dist/ and what
 * core/runtime/entry-points.ts resolves when something starts a worker or child process. Data
 * only (no import.meta), so the CommonJS Electron main bundle can read it as well.
 */
export interface EntryPoint {
  /** The TypeScript (or plain .mjs) module the build compiles, relative to the app root. */
  source: string;
  /** Output module format; Electron's main process and sandboxed preload need CommonJS. */
  format: 'esm' | 'cjs';
  /** Output file, relative to dist/. */
  built: string;
  /** What a checkout without a build runs instead (registers tsx first), relative to the app root. */
  devLoader?: string;
}

export const ENTRY_POINTS = {
  cli: { source: 'core/cli/main.ts', format: 'esm', built: 'cli.mjs' },
  launch: { source: 'electron/launch.ts', format: 'esm', built: 'launch.mjs' },
  'electron-main': { source: 'electron/main.ts', format: 'cjs', built: 'electron/main.cjs' },
  preload: { source: 'electron/preload.ts', format: 'cjs', built: 'electron/preload.cjs' },
  'compute-host': { source: 'electron/compute-host.ts', format: 'esm', built: 'compute-host.mjs' },
  'compute-worker': { source: 'core/compute/worker.ts', format: 'esm', built: 'compute-worker.mjs', devLoader: 'core/compute/bootstrap.mjs' },
  'prefill-child': { source: 'core/compute/prefill-child.ts', format: 'esm', built: 'prefill-child.mjs', devLoader: 'core/compute/prefill-child-bootstrap.mjs' },
  'memory-child': { source: 'core/prefill/memory-child.ts', format: 'esm', built: 'memory-child.mjs', devLoader: 'core/prefill/memory-child-bootstrap.mjs' },
  // Plain JavaScript already; built anyway so that it resolves onnxruntime-node from dist/ like the rest.
  'probe-provider': { source: 'core/onnx/probe-provider.mjs', format: 'esm', built: 'probe-provider.mjs', devLoader: 'core/onnx/probe-provider.mjs' },
} as const satisfies Record<string, EntryPoint>;

export type EntryName = keyof typeof ENTRY_POINTS;
