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
import { makeSyntheticBundle } from '../bundle/synthetic.js';
import { createDemoEncoders } from '../encoders/demo-encoders.js';
import { encodeMedia } from '../encoders/encode-media.js';
import { planClip, requiredFrameGeometries } from '../planner/plan.js';
import { toPlanDocument } from '../planner/document.js';
import type { StudioDeps } from './session.js';

export interface DefaultDepsOptions {
  /** The repository (or packaged app) root: the demo lives at assets/demo/demo.safetensors under it. */
  appRoot: string;
  version: string;
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
    const outcome = await analyzeForPlanning(bundle, { provider: options.provider, signal: options.signal, onProgress: options.onProgress });
    return outcome.analysis;
  },
};

export function demoBundlePath(options: DefaultDepsOptions): string {
  return path.join(options.appRoot, 'assets', 'demo', 'demo.safetensors');
}

/** Stand-in demo while no demo bundle ships: a structured synthetic clip with waveform and frames. */
export const SYNTHETIC_DEMO = { seconds: 20, hiddenSize: 256, tokensPerFrame: 64, seed: 5, withWaveform: true, withFrames: true, name: 'synthetic demo' } as const;

export function createDefaultDeps(options: DefaultDepsOptions): StudioDeps {
  return {
    parseBundle: (bytes, name) => parseBundle(bytes, name),
    engine: serviceEngine,
    planClip,
    toPlanDocument,
    requiredFrameGeometries: (bundle) => requiredFrameGeometries(bundle),
    version: options.version,
    async loadDemo() {
      const file = demoBundlePath(options);
      if (await exists(file)) return { name: path.basename(file), path: file, bundle: parseBundle(await readFile(file), path.basename(file)) };
      return { name: 'synthetic-demo', path: null, bundle: makeSyntheticBundle({ ...SYNTHETIC_DEMO }) };
    },
    async encodeMedia(file, { signal, onProgress }) {
      const result = await encodeMedia(file, { encoders: createDemoEncoders(), signal, onProgress: (p) => onProgress(p.overall, p.stage) });
      return result.bundle;
    },
  };
}
