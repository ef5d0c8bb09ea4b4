/**
 * The session's real dependencies: the bundle reader, the analysis service, the planner. Kept in
 * one module so the session itself can be tested with stand-ins and the hosts (web server,
 * Electron compute host) wire the same thing.
 */
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { analyzeForPlanning } from '../analysis/service.js';
import type { AnalysisEngine } from '../analysis/types.js';
import { parseBundle } from '../bundle/reader.js';
import { planClip, requiredFrameGeometries } from '../planner/plan.js';
import { toPlanDocument } from '../planner/document.js';
import type { StudioDeps } from './session.js';

export interface DefaultDepsOptions {
  /** The repository (or packaged app) root: the demo lives at assets/demo/demo.safetensors under it. */
  appRoot: string;
  version: string;
  /** Shared material (golden cases), used for the demo only when no demo bundle ships. */
  sharedDir?: string;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** Analysis through the core's analysis service (engine, provider and cache are its decision). */
export const serviceEngine: AnalysisEngine = {
  name: 'analysis-service',
  async analyze(bundle, options) {
    const outcome = await analyzeForPlanning(bundle, { signal: options.signal, onProgress: options.onProgress });
    return outcome.analysis;
  },
};

export function demoCandidates(options: DefaultDepsOptions): string[] {
  const shared = options.sharedDir ?? process.env.OMNIZIP_SHARED ?? path.resolve(options.appRoot, '../shared');
  return [path.join(options.appRoot, 'assets', 'demo', 'demo.safetensors'), path.join(shared, 'golden', 'readme_eval.safetensors')];
}

export function createDefaultDeps(options: DefaultDepsOptions): StudioDeps {
  return {
    parseBundle: (bytes, name) => parseBundle(bytes, name),
    engine: serviceEngine,
    planClip,
    toPlanDocument,
    requiredFrameGeometries: (bundle) => requiredFrameGeometries(bundle),
    version: options.version,
    async loadDemo() {
      const candidates = demoCandidates(options);
      for (const file of candidates) {
        if (await exists(file)) {
          return { name: path.basename(file), path: file, bundle: parseBundle(await readFile(file), path.basename(file)) };
        }
      }
      throw new Error(`no demo clip found (looked for ${candidates.join(', ')})`);
    },
  };
}
