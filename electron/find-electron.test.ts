import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findElectronBinary } from './find-electron.js';

function fakeRepo(withBinary: boolean): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'omz-electron-'));
  const pkg = path.join(root, 'node_modules', 'electron');
  mkdirSync(path.join(pkg, 'dist'), { recursive: true });
  writeFileSync(path.join(pkg, 'package.json'), '{}');
  writeFileSync(path.join(pkg, 'path.txt'), 'electron');
  if (withBinary) writeFileSync(path.join(pkg, 'dist', 'electron'), '');
  return root;
}

describe('findElectronBinary', () => {
  it('says there is no binary instead of downloading one', () => {
    const r = findElectronBinary(fakeRepo(false), { DISPLAY: ':0' }, 'linux');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/no Electron binary/);
  });

  it('needs a display on Linux', () => {
    const r = findElectronBinary(fakeRepo(true), {}, 'linux');
    expect(r).toEqual({ ok: false, reason: 'no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' });
  });

  it('finds the binary when it exists and a display is there', () => {
    const root = fakeRepo(true);
    expect(findElectronBinary(root, { DISPLAY: ':0' }, 'linux')).toEqual({ ok: true, binary: path.join(root, 'node_modules', 'electron', 'dist', 'electron') });
    expect(findElectronBinary(root, {}, 'darwin').ok).toBe(true);
  });
});
