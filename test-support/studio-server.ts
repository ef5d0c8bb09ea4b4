import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStudioServer, type RunningStudioServer, type StudioServerOptions } from '../core/server/server.js';
import { createDefaultDeps } from '../core/studio/deps.js';
import { RecentFiles } from '../core/studio/recent.js';
import { StudioSession } from '../core/studio/session.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A web-mode server on a free port with a small page (a script and a style) and a session of version 'test' (no recent list). */
export async function startTestStudioServer(extra: Pick<StudioServerOptions, 'mark' | 'onPageServed' | 'onPageAssetsServed'> = {}): Promise<RunningStudioServer> {
  const staticDir = await mkdtemp(path.join(os.tmpdir(), 'omz-static-'));
  await writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>studio</title><script type="module" crossorigin src="./assets/app.js"></script><link rel="stylesheet" href="./assets/app.css">');
  await mkdir(path.join(staticDir, 'assets'));
  await writeFile(path.join(staticDir, 'assets', 'app.js'), 'export {};');
  await writeFile(path.join(staticDir, 'assets', 'app.css'), 'body {}');
  const session = new StudioSession(createDefaultDeps({ appRoot: repoRoot, version: 'test' }), new RecentFiles(null));
  return startStudioServer({ session, staticDir, ...extra });
}
