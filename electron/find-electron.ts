/**
 * Finds the Electron binary without ever downloading it (requiring the `electron` package would
 * try to download a missing binary), and says in words why the desktop app cannot start.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export type ElectronAvailability = { ok: true; binary: string } | { ok: false; reason: string };

export function findElectronBinary(repoRoot: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): ElectronAvailability {
  const pkgDir = path.join(repoRoot, 'node_modules', 'electron');
  if (!existsSync(path.join(pkgDir, 'package.json'))) return { ok: false, reason: 'the electron package is not installed (node_modules/electron is missing)' };
  const pathFile = path.join(pkgDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  const distDir = env.ELECTRON_OVERRIDE_DIST_PATH ?? path.join(pkgDir, 'dist');
  const binary = relative ? path.join(distDir, relative) : null;
  if (!binary || !existsSync(binary)) {
    const where = binary ?? `${distDir} (no path.txt: the binary was never installed)`;
    return { ok: false, reason: `no Electron binary at ${where}; its download at install time failed or was skipped` };
  }
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) return { ok: false, reason: 'no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
  return { ok: true, binary };
}
