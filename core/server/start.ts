/**
 * Starts web mode with the real core behind it: the shared entry of `omnizip-studio serve`,
 * `npm start`'s fallback and the browser tests.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { StudioError } from '../studio/errors.js';
import { createStudioHost } from '../studio/host.js';
import { packageVersion, studioStateDir } from '../studio/paths.js';
import { startStudioServer, type RunningStudioServer } from './server.js';
import { cleanUpAtStart, describeCleanUp } from './state-hygiene.js';
import { startupMarks } from './startup-marks.js';

/** How long the demo's preparation waits for the page's first request before starting anyway. */
export const DEMO_HEAD_START_MS = 250;

/**
 * Runs `start` once, when `pageServed` resolves or `ms` have passed, whichever comes first; the
 * returned function cancels it if it has not run yet.
 */
export function startAfterPage(pageServed: Promise<void>, ms: number, start: () => void): () => void {
  let settled = false;
  const go = () => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    start();
  };
  const timer = setTimeout(go, ms);
  void pageServed.then(go);
  return () => {
    settled = true;
    clearTimeout(timer);
  };
}

export interface WebModeOptions {
  appRoot: string;
  port?: number;
  openFile?: string;
  staticDir?: string;
}

export async function startWebMode(options: WebModeOptions): Promise<RunningStudioServer> {
  const staticDir = options.staticDir ?? path.join(options.appRoot, 'dist', 'renderer');
  try {
    await access(path.join(staticDir, 'index.html'));
  } catch {
    throw new StudioError('unsupported', `the renderer is not built (no ${path.join(staticDir, 'index.html')}); run: npm run build:renderer`);
  }
  if (options.openFile) {
    try {
      await access(options.openFile);
    } catch {
      throw new StudioError('bad-file', `cannot open ${options.openFile}: no such file`);
    }
  }
  // What a server killed with -9 left behind (temp files and folders), and sessions beyond the cap.
  const stateDir = studioStateDir();
  const cleaned = describeCleanUp(await cleanUpAtStart(stateDir));
  if (cleaned) process.stderr.write(`omnizip-studio: ${cleaned}\n`);
  const mark = startupMarks(process.env.OMNIZIP_STARTUP_MARKS === '1' ? (line) => process.stderr.write(line) : null);
  const host = createStudioHost({ appRoot: options.appRoot, version: packageVersion(options.appRoot), stateDir });
  // The compute worker, onnxruntime and the analysis sessions start now, on the other core, while
  // this thread starts the server and the browser loads the page: the first clip then finds them open.
  // On a warm start (the demo's analysis cached) it opens nothing: the first analysis is a cache read.
  void host.session.warmEngine({ demoFirst: !options.openFile }).then(() => mark('engine warmed'));
  let pageOut = () => {};
  const pageServed = new Promise<void>((resolve) => (pageOut = resolve));
  const running = await startStudioServer({ session: host.session, staticDir, port: options.port, openFile: options.openFile, mark, onPageServed: () => pageOut() });
  mark('listening');
  // The page opens the demo unless told to open a file: start on it while the browser loads and
  // runs the page's script (issue 16 goal 5: the cold start's longest wait was that open). Started
  // once the page itself has gone out, or DEMO_HEAD_START_MS after listening when no browser asks
  // at once: the demo's parse and the compute worker's start held the server's loop for 50-500 ms
  // (stalls measured on the 2-core machines), and a page request that came meanwhile waited.
  const cancelDemo = options.openFile ? () => undefined : startAfterPage(pageServed, DEMO_HEAD_START_MS, () => void host.session.prepareDemo(mark));
  // The last change before a quit is still waiting out the save debounce: write it before exiting.
  return {
    ...running,
    close: async () => {
      cancelDemo();
      await running.close();
      await host.shutdown();
    },
  };
}
