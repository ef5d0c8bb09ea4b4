/**
 * Gets an Electron binary for `npm start`, or says in words why there is none.
 *
 * Electron 45 has no install-time download: its package fetches the binary the first time it is
 * required. Requiring it here would block without a time limit and throw a generic message, so
 * this module runs the package's own installer (node_modules/electron/install.js, which honours
 * the usual ELECTRON_MIRROR / cache settings) in a child with a timeout, and keeps its error.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export type ElectronAvailability = { ok: true; binary: string; downloaded: boolean } | { ok: false; reason: string };
export type DownloadOutcome = { ok: true } | { ok: false; error: string };
/** Fetches the binary into node_modules/electron/dist (injectable for tests). */
export type ElectronDownloader = (pkgDir: string, timeoutMs: number) => Promise<DownloadOutcome>;

export const DEFAULT_DOWNLOAD_TIMEOUT_MS = 180_000;

/** Where the electron package puts its executable, relative to its dist/ folder (as install.js writes it to path.txt). */
function platformExecutable(platform: NodeJS.Platform): string | null {
  if (platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron';
  if (platform === 'win32') return 'electron.exe';
  if (platform === 'linux' || platform === 'freebsd' || platform === 'openbsd') return 'electron';
  return null;
}

function binaryPath(pkgDir: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string | null {
  const pathFile = path.join(pkgDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : platformExecutable(platform);
  return relative ? path.join(env.ELECTRON_OVERRIDE_DIST_PATH ?? path.join(pkgDir, 'dist'), relative) : null;
}

// The installer prints only `TypeError: fetch failed` when the network fails; the reason
// (`getaddrinfo ENOTFOUND github.com`, a refused connection, ...) is in the error's cause. This
// preload makes fetch rejections carry it in their message.
const FETCH_CAUSE_IN_MESSAGE = `const f = globalThis.fetch;
globalThis.fetch = (...a) => f(...a).catch((e) => {
  const c = e && e.cause;
  throw c ? new TypeError(e.message + ' (' + (c.message || c.code) + ')', { cause: c }) : e;
});`;

/** Runs node_modules/electron/install.js; its first error line (e.g. `TypeError: fetch failed (getaddrinfo ENOTFOUND github.com)`) is the error. */
export const runElectronInstaller: ElectronDownloader = (pkgDir, timeoutMs) =>
  new Promise((resolve) => {
    const preload = `data:text/javascript,${encodeURIComponent(FETCH_CAUSE_IN_MESSAGE)}`;
    const child = spawn(process.execPath, ['--import', preload, path.join(pkgDir, 'install.js')], { cwd: pkgDir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill();
      resolve({ ok: false, error: `it did not finish within ${Math.round(timeoutMs / 1000)} s` });
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, error: err.message });
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve({ ok: true });
      const firstLine = stderr.split('\n').map((l) => l.trim()).find((l) => l !== '');
      resolve({ ok: false, error: firstLine ?? `the installer exited with ${code ?? signal}` });
    });
  });

/** The Electron binary if it is already there and can open a window; never downloads (used by the Electron e2e spec). */
export function findElectronBinary(repoRoot: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): ElectronAvailability {
  const pkgDir = path.join(repoRoot, 'node_modules', 'electron');
  if (!existsSync(path.join(pkgDir, 'package.json'))) return { ok: false, reason: 'the electron package is not installed (node_modules/electron is missing)' };
  const binary = binaryPath(pkgDir, env, platform);
  if (binary === null || !existsSync(binary)) return { ok: false, reason: `no Electron binary at ${binary ?? pkgDir} yet (npm start downloads it)` };
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) return { ok: false, reason: 'no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
  return { ok: true, binary, downloaded: false };
}

/**
 * The Electron binary to run, downloading it first when the package has none yet. Checks that
 * cost nothing come first: no package, no display on Linux (a window could not open anyway, so
 * nothing is downloaded), a download the user switched off.
 */
export async function obtainElectron(
  repoRoot: string,
  options: { env?: NodeJS.ProcessEnv; platform?: NodeJS.Platform; download?: ElectronDownloader; timeoutMs?: number; onDownload?: () => void } = {},
): Promise<ElectronAvailability> {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const pkgDir = path.join(repoRoot, 'node_modules', 'electron');
  if (!existsSync(path.join(pkgDir, 'package.json'))) return { ok: false, reason: 'the electron package is not installed (node_modules/electron is missing)' };
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) return { ok: false, reason: 'no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
  const binary = binaryPath(pkgDir, env, platform);
  if (binary === null) return { ok: false, reason: `Electron has no build for platform ${platform}` };
  if (existsSync(binary)) return { ok: true, binary, downloaded: false };
  if (env.ELECTRON_SKIP_BINARY_DOWNLOAD) return { ok: false, reason: `no Electron binary at ${binary} and ELECTRON_SKIP_BINARY_DOWNLOAD is set, so it was not downloaded` };
  options.onDownload?.();
  const fetched = await (options.download ?? runElectronInstaller)(pkgDir, options.timeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUT_MS);
  if (!fetched.ok) return { ok: false, reason: `the Electron binary could not be downloaded: ${fetched.error}` };
  const installed = binaryPath(pkgDir, env, platform);
  if (installed === null || !existsSync(installed)) return { ok: false, reason: `Electron's installer finished but left no binary at ${installed ?? binary}` };
  return { ok: true, binary: installed, downloaded: true };
}
