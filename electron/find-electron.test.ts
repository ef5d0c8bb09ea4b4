import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findElectronBinary, obtainElectron, type ElectronDownloader } from './find-electron.js';

/** A checkout whose node_modules/electron is installed as Electron 45 leaves it: no binary until first use. */
function fakeRepo(withBinary: boolean): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'omz-electron-'));
  const pkg = path.join(root, 'node_modules', 'electron');
  mkdirSync(path.join(pkg, 'dist'), { recursive: true });
  writeFileSync(path.join(pkg, 'package.json'), '{}');
  if (withBinary) {
    writeFileSync(path.join(pkg, 'path.txt'), 'electron');
    writeFileSync(path.join(pkg, 'dist', 'electron'), '');
  }
  return root;
}

/** A downloader that does what Electron's install.js does on success: the binary, then path.txt. */
const installs: ElectronDownloader = async (pkgDir) => {
  writeFileSync(path.join(pkgDir, 'dist', 'electron'), '');
  writeFileSync(path.join(pkgDir, 'path.txt'), 'electron');
  return { ok: true };
};
const fails: ElectronDownloader = async () => ({ ok: false, error: 'getaddrinfo ENOTFOUND github.com' });
const mustNotDownload: ElectronDownloader = async () => {
  throw new Error('downloaded although it should not');
};

describe('obtainElectron', () => {
  it('downloads a missing binary on first start, then runs it', async () => {
    const root = fakeRepo(false);
    let announced = false;
    const r = await obtainElectron(root, { env: { DISPLAY: ':0' }, platform: 'linux', download: installs, onDownload: () => (announced = true) });
    expect(r).toEqual({ ok: true, binary: path.join(root, 'node_modules', 'electron', 'dist', 'electron'), downloaded: true });
    expect(announced).toBe(true);
    // The second start finds it.
    expect(await obtainElectron(root, { env: { DISPLAY: ':0' }, platform: 'linux', download: mustNotDownload })).toMatchObject({ ok: true, downloaded: false });
  });

  it('says the download failed, with its error', async () => {
    const r = await obtainElectron(fakeRepo(false), { env: { DISPLAY: ':0' }, platform: 'linux', download: fails });
    expect(r).toEqual({ ok: false, reason: 'the Electron binary could not be downloaded: getaddrinfo ENOTFOUND github.com' });
  });

  it('downloads nothing where no window could open, and says so', async () => {
    expect(await obtainElectron(fakeRepo(false), { env: {}, platform: 'linux', download: mustNotDownload })).toEqual({ ok: false, reason: 'no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' });
  });

  it('respects ELECTRON_SKIP_BINARY_DOWNLOAD', async () => {
    const r = await obtainElectron(fakeRepo(false), { env: { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' }, platform: 'darwin', download: mustNotDownload });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/ELECTRON_SKIP_BINARY_DOWNLOAD is set/);
  });

  it('says when the electron package itself is missing', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'omz-electron-'));
    expect(await obtainElectron(root, { env: { DISPLAY: ':0' }, platform: 'linux', download: mustNotDownload })).toEqual({ ok: false, reason: 'the electron package is not installed (node_modules/electron is missing)' });
  });
});

describe('findElectronBinary (never downloads)', () => {
  it('reports a binary not downloaded yet', () => {
    const r = findElectronBinary(fakeRepo(false), { DISPLAY: ':0' }, 'linux');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/no Electron binary .* yet \(npm start downloads it\)/);
  });

  it('needs a display on Linux', () => {
    expect(findElectronBinary(fakeRepo(true), {}, 'linux')).toEqual({ ok: false, reason: 'no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' });
  });

  it('finds the binary when it exists and a display is there', () => {
    const root = fakeRepo(true);
    expect(findElectronBinary(root, { DISPLAY: ':0' }, 'linux')).toEqual({ ok: true, binary: path.join(root, 'node_modules', 'electron', 'dist', 'electron'), downloaded: false });
  });
});
