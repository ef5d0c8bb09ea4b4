/**
 * `npm start` (through bin/start.mjs, which brings dist/ and the renderer up to date first): the
 * desktop app on the demo clip when Electron can run here; otherwise it says why and serves web
 * mode instead, printing the `Studio: http://127.0.0.1:PORT/?token=…` line. On the first start
 * the Electron binary is downloaded (Electron 45 no longer does that at install time).
 * `npm start -- --web` serves web mode directly.
 */
import { spawn } from 'node:child_process';
import { startWebMode } from '../core/server/start.js';
import { appRoot } from '../core/runtime/entry-points.js';
import { obtainElectron } from './find-electron.js';

const repoRoot = appRoot();
const webOnly = process.argv.includes('--web');

async function serveInstead(reason: string | null): Promise<void> {
  if (reason) console.log(`Electron cannot start: ${reason}. Serving web mode instead.`);
  const server = await startWebMode({ appRoot: repoRoot });
  console.log(`Studio: ${server.url}`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

const found = webOnly
  ? null
  : await obtainElectron(repoRoot, { onDownload: () => console.log('downloading the Electron binary (first start only; falls back to web mode if it fails) ...') });
if (found === null) {
  await serveInstead(null);
} else if (!found.ok) {
  await serveInstead(found.reason);
} else {
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
