/**
 * `npm start`: the desktop app on the demo clip when Electron can run here; otherwise it says why
 * and serves web mode instead, printing the `Studio: http://127.0.0.1:PORT/?token=…` line.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWebMode } from '../core/server/start.js';
import { findElectronBinary } from './find-electron.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function serveInstead(reason: string): Promise<void> {
  console.log(`Electron cannot start: ${reason}. Serving web mode instead.`);
  const server = await startWebMode({ appRoot: repoRoot });
  console.log(`Studio: ${server.url}`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

const found = findElectronBinary(repoRoot);
if (!found.ok) {
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
