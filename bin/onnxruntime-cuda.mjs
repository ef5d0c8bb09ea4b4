#!/usr/bin/env node
// @ts-check
/**
 * Fetches onnxruntime-node's CUDA execution provider (libonnxruntime_providers_cuda.so and
 * friends, from NuGet: too large for the npm registry) with the package's own installer.
 *
 * onnxruntime-node's postinstall would do this on every Linux x64 install and fail the whole
 * `npm install` where NuGet is unreachable, so package.json denies that script (allowScripts)
 * and this script runs instead:
 * - `--auto` (our postinstall): only where it can help, i.e. Linux x64 with an NVIDIA driver
 *   present, or when asked with ONNXRUNTIME_NODE_INSTALL=cuda12; `ONNXRUNTIME_NODE_INSTALL=skip`
 *   turns it off. A failure is a warning, never a failed install: the CPU provider works without it.
 * - no flag (`npm run fetch:cuda`): fetch now, and fail loudly if it does not work.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const auto = process.argv.includes('--auto');
const LATER = 'npm run fetch:cuda';
const require = createRequire(import.meta.url);
const pkgDir = path.dirname(require.resolve('onnxruntime-node/package.json'));
const binDir = path.join(pkgDir, 'bin', 'napi-v6', process.platform, process.arch);
const cudaLibrary = path.join(binDir, 'libonnxruntime_providers_cuda.so');

/** Whether an NVIDIA driver is loaded here (nvidia-smi answers, or the kernel module reports a version). */
function hasNvidiaGpu() {
  if (existsSync('/proc/driver/nvidia/version')) return true;
  try {
    execFileSync('nvidia-smi', ['-L'], { timeout: 5000, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** @param {string} message */
function done(message, failed = false) {
  console.log(`onnxruntime CUDA provider: ${message}`);
  process.exit(failed && !auto ? 1 : 0);
}

const asked = process.env.ONNXRUNTIME_NODE_INSTALL ?? '';
if (asked === 'skip') done('skipped (ONNXRUNTIME_NODE_INSTALL=skip)');
if (`${process.platform}/${process.arch}` !== 'linux/x64') done(`not needed on ${process.platform}/${process.arch} (onnxruntime-node ships its GPU providers, or has none, for this platform)`);
if (existsSync(cudaLibrary)) done(`already installed (${path.relative(process.cwd(), binDir)})`);
if (auto && !['cuda12', 'true', '1', 'ON'].includes(asked) && !hasNvidiaGpu()) {
  done(`not fetched (no NVIDIA GPU found); on a machine with one, run: ${LATER}`);
}

console.log('onnxruntime CUDA provider: fetching it from NuGet (a few hundred MB) ...');
// The installer reads its flag from the environment before argv: drop npm's copy of any config.
const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'cuda12' };
delete env.npm_config_onnxruntime_node_install;
const TIMEOUT_MS = auto ? 10 * 60_000 : 60 * 60_000;
const child = spawn(process.execPath, [path.join(pkgDir, 'script', 'install.js')], { cwd: pkgDir, env, stdio: ['ignore', 'inherit', 'pipe'] });
let stderr = '';
child.stderr.on('data', (d) => (stderr += d.toString()));
const timer = setTimeout(() => child.kill(), TIMEOUT_MS);
child.on('exit', (code, signal) => {
  clearTimeout(timer);
  if (code === 0 && existsSync(cudaLibrary)) done(`installed into ${path.relative(process.cwd(), binDir)}`);
  const why = signal ? `stopped after ${TIMEOUT_MS / 60_000} min` : (stderr.split('\n').map((l) => l.trim()).find((l) => /error/i.test(l)) ?? `installer exited with ${code}`);
  done(`download failed (${why}). The CPU provider works without it; retry later with: ${LATER}`, true);
});
