/**
 * The one way to assemble a studio host: the session with its real dependencies, its state
 * folder (recent files, per-clip sessions) and the compute worker. Both Electron's compute host
 * and web mode call it, so they behave and store alike; shutdown() writes pending session saves
 * and stops the worker (hosts call it before exiting).
 */
import path from 'node:path';
import { ComputeClient } from '../compute/client.js';
import { createDefaultDeps } from './deps.js';
import { studioStateDir } from './paths.js';
import { RecentFiles } from './recent.js';
import { REPLAN_WARMUP_PLANS } from './replan-warmup.js';
import { SessionStore } from './session-store.js';
import { StudioSession } from './session.js';

export interface StudioHostOptions {
  /** The repository (or packaged app) root. */
  appRoot: string;
  version: string;
  /** Where recent files and sessions live; default studioStateDir(); null keeps them in memory. */
  stateDir?: string | null;
  /** The compute worker's entry module (a packaged build passes its compiled file). */
  computeEntry?: URL | string;
}

export interface StudioHost {
  session: StudioSession;
  /** Flushes pending session saves, then stops the compute worker. Safe to call twice. */
  shutdown(): Promise<void>;
}

export function createStudioHost(options: StudioHostOptions): StudioHost {
  const stateDir = options.stateDir === undefined ? studioStateDir() : options.stateDir;
  const compute = new ComputeClient({ entry: options.computeEntry });
  const session = new StudioSession(
    { ...createDefaultDeps({ appRoot: options.appRoot, version: options.version, compute }), replanWarmup: REPLAN_WARMUP_PLANS },
    new RecentFiles(stateDir ? path.join(stateDir, 'recent.json') : null),
    new SessionStore(stateDir ? path.join(stateDir, 'sessions') : null),
  );
  let stopping: Promise<void> | null = null;
  return {
    session,
    shutdown() {
      stopping ??= (async () => {
        try {
          await session.flushSessions();
        } finally {
          await compute.dispose();
        }
      })();
      return stopping;
    },
  };
}
