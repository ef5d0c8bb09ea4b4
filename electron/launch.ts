/**
 * `npm start`: the desktop app on the demo clip when Electron can run here; otherwise it says why
 * and serves web mode instead, printing the `Studio: http://127.0.0.1:PORT/?token=…` line.
 * The renderer and Electron bundles are rebuilt only when an input changed since their last build
 * (build-freshness.ts); `npm start -- --rebuild` forces both, `--web` serves web mode directly.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWebMode } from '../core/server/start.js';
import { staleReason } from './build-freshness.js';
import { findElectronBinary } from './find-electron.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const forceRebuild = args.includes('--rebuild');
const webOnly = args.includes('--web');

const BUILDS = {
  renderer: {
    outDir: path.join(repoRoot, 'dist', 'renderer'),
    outputs: [path.join(repoRoot, 'dist', 'renderer', 'index.html')],
    extraInputs: [path.join(repoRoot, 'renderer', 'vite.config.ts'), path.join(repoRoot, 'electron', 'build-freshness.ts')],
    command: [path.join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', path.join(repoRoot, 'renderer', 'vite.config.ts')],
  },
  electron: {
    outDir: path.join(repoRoot, 'dist', 'electron'),
    outputs: [path.join(repoRoot, 'dist', 'electron', 'main.cjs'), path.join(repoRoot, 'dist', 'electron', 'preload.cjs')],
    extraInputs: [path.join(repoRoot, 'electron', 'build.ts'), path.join(repoRoot, 'electron', 'build-freshness.ts')],
    command: [path.join(repoRoot, 'bin', 'run-ts.mjs'), path.join(repoRoot, 'electron', 'build.ts')],
  },
} as const;

/** Builds `name` unless its outputs are newer than all of its inputs; exits on a failed build. */
function ensureBuilt(name: keyof typeof BUILDS): void {
  const build = BUILDS[name];
  const reason = forceRebuild ? '--rebuild' : staleReason(build.outDir, { outputs: [...build.outputs], extraInputs: [...build.extraInputs] }, repoRoot);
  if (reason === null) {
    console.log(`${name} bundle is up to date (npm start -- --rebuild forces a build)`);
    return;
  }
  console.log(`building the ${name} bundle (${reason}) ...`);
  const run = spawnSync(process.execPath, [...build.command], { cwd: repoRoot, stdio: 'inherit' });
  if (run.status !== 0) {
    console.error(`omnizip-studio: building the ${name} bundle failed (exit ${run.status ?? run.signal})`);
    process.exit(1);
  }
}

async function serveInstead(reason: string | null): Promise<void> {
  if (reason) console.log(`Electron cannot start: ${reason}. Serving web mode instead.`);
  const server = await startWebMode({ appRoot: repoRoot });
  console.log(`Studio: ${server.url}`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

ensureBuilt('renderer');
const found = webOnly ? null : findElectronBinary(repoRoot);
if (found === null) {
  await serveInstead(null);
} else if (!found.ok) {
  await serveInstead(found.reason);
} else {
  ensureBuilt('electron');
  const started = Date.now();
  const child = spawn(found.binary, [repoRoot], { stdio: ['ignore', 'inherit', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    process.stderr.write(d);
  });
  child.on('error', (err) => void serveInstead(`the Electron binary did not run (${err.message})`));
  child.on('exit', (code) => {
    // An immediate failure (missing system libraries, no usable display) falls back to web mode.
    if (code !== 0 && Date.now() - started < 5000) void serveInstead(`Electron exited at once with status ${code}${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`);
    else process.exit(code ?? 0);
  });
}
