/**
 * The session's real dependencies: the bundle reader, the compute worker (analysis, media
 * encoding), the planner. Kept in one module so the session itself can be tested with stand-ins
 * and the hosts (web server, Electron compute host) wire the same thing (see ./host.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseBundle } from '../bundle/reader.js';
import { ComputeClient } from '../compute/client.js';
import { planClip, requiredFrameGeometries } from '../planner/plan.js';
import { toPlanDocument } from '../planner/document.js';
import { defaultAnalysisCacheDir } from '../analysis/cache.js';
import { StudioError } from './errors.js';
import type { StudioDeps } from './session.js';

export interface DefaultDepsOptions {
  /** The repository (or packaged app) root: the demo lives at assets/demo/demo.safetensors under it. */
  appRoot: string;
  version: string;
  /** The worker that analyses and encodes; default one shared by the process (it idles unreferenced). */
  compute?: ComputeClient;
}

let shared: ComputeClient | null = null;
function sharedCompute(): ComputeClient {
  shared ??= new ComputeClient();
  return shared;
}

export function demoBundlePath(options: Pick<DefaultDepsOptions, 'appRoot'>): string {
  return path.join(options.appRoot, 'assets', 'demo', 'demo.safetensors');
}

export function createDefaultDeps(options: DefaultDepsOptions): StudioDeps {
  const compute = options.compute ?? sharedCompute();
  return {
    parseBundle: (bytes, name) => parseBundle(bytes, name),
    engine: compute.analysisEngine,
    planClip,
    toPlanDocument,
    requiredFrameGeometries: (bundle) => requiredFrameGeometries(bundle),
    version: options.version,
    warmEngine: (provider, demoFirst) => compute.warm(provider, demoFirst ? demoBundlePath(options) : undefined),
    speechActivity: (request, signal) => compute.speechActivity({ ...request, cacheDir: defaultAnalysisCacheDir() }, { signal }),
    async loadDemo() {
      const file = demoBundlePath(options);
      let bytes: Uint8Array;
      try {
        bytes = await readFile(file);
      } catch (err) {
        throw new StudioError('bad-file', `the demo clip is missing (${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); reinstall the studio`);
      }
      return { name: path.basename(file), path: file, bundle: parseBundle(bytes, path.basename(file)) };
    },
    encodeMedia: (file, { signal, onProgress }) => compute.encodeMedia(file, { signal, onProgress: (p) => onProgress(p.overall, p.stage) }),
  };
}
