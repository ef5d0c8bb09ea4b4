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
/** How long it then waits for the page's assets (a browser that asks for none still gets its demo). */
export const DEMO_ASSETS_WAIT_MS = 1000;

/** What a server tells of its page: the page (index.html) sent, then every asset it names sent. */
export interface PageProgress {
  served: Promise<void>;
  assetsServed: Promise<void>;
}

/** A PageProgress still to come, with the two calls that settle it (the server's onPageServed and onPageAssetsServed). */
export function pageProgress(): { page: PageProgress; served: () => void; assetsServed: () => void } {
  let served = () => {};
  let assetsServed = () => {};
  const page = { served: new Promise<void>((resolve) => (served = resolve)), assetsServed: new Promise<void>((resolve) => (assetsServed = resolve)) };
  return { page, served, assetsServed };
}

/**
 * Runs `start` once: when the page's assets have been served; or `assetsMs` after the page was,
 * if they have not; or `pageMs` after this call, if no page was served by then. The returned
 * function cancels it if it has not run yet.
 */
export function startAfterPage(page: PageProgress, pageMs: number, assetsMs: number, start: () => void): () => void {
  let settled = false;
  let timer = setTimeout(() => go(), pageMs);
  const go = () => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    start();
  };
  void page.served.then(() => {
    if (settled) return;
    clearTimeout(timer);
    timer = setTimeout(go, assetsMs);
  });
  void page.assetsServed.then(go);
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
  const { page, served, assetsServed } = pageProgress();
  const running = await startStudioServer({ session: host.session, staticDir, port: options.port, openFile: options.openFile, mark, onPageServed: served, onPageAssetsServed: assetsServed });
  mark('listening');
  // While the browser compiles and runs the page's scripts, the compute worker, onnxruntime and the
  // analysis sessions start (warmEngine: on a warm start, the demo's analysis cached, it opens no
  // session) and the demo, which the page opens unless told to open a file, is prepared (issue 16
  // goal 5: the cold start's longest wait was that open). Both start once the page and its assets
  // have gone out, or DEMO_HEAD_START_MS after listening when no browser asks at once. Started
  // earlier, they shared the 2 cores with serving the page: the demo's parse and the worker's
  // start held this thread's loop for 50-500 ms, and plotly's chunk, whose compile is the longest
  // step of a cold start, went out 200-550 ms after the URL instead of 130-170 (cold starts,
  // cold-cache probe, 4 runs each: 2.46 s mean with both after the assets, 2.65 s with the
  // worker started before listening and the demo after the page alone).
  const cancelDemo = startAfterPage(page, DEMO_HEAD_START_MS, DEMO_ASSETS_WAIT_MS, () => {
    void host.session.warmEngine({ demoFirst: !options.openFile }).then(() => mark('engine warmed'));
    if (!options.openFile) void host.session.prepareDemo(mark);
  });
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
