import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { ENTRY_POINTS } from '../core/runtime/entry-table.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const config = YAML.parse(readFileSync(path.join(repoRoot, 'electron-builder.yml'), 'utf8')) as Record<string, unknown> & {
  files: string[];
  asarUnpack: string[];
  extraMetadata: { main: string };
  linux: { target: string[] };
  mac: { target: string[] };
  win: { target: string[] };
};
const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  main: string;
  homepage?: string;
  author?: { name: string; email: string };
  dependencies: Record<string, string>;
};

describe('electron-builder.yml (checked offline; electron/packaging.test.ts packs for real)', () => {
  it("passes electron-builder's own schema validation", async () => {
    const require = createRequire(import.meta.url);
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
      validateConfiguration(c: unknown, logger: { isEnabled: boolean; add(k: string, v: unknown): void }): Promise<void>;
    };
    await expect(validateConfiguration(config, { isEnabled: false, add: () => {} })).resolves.toBeUndefined();
  });

  it('targets AppImage and deb, dmg, and nsis, with the metadata deb requires', () => {
    expect(config.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(config.mac.target).toContain('dmg');
    expect(config.win.target).toContain('nsis');
    expect(pkg.homepage).toMatch(/^https:\/\//);
    expect(pkg.author?.email).toContain('@');
  });

  it('packs the compiled app, whose main is the built Electron main', () => {
    expect(config.extraMetadata.main).toBe(pkg.main);
    expect(pkg.main).toBe(`dist/${ENTRY_POINTS['electron-main'].built}`);
    expect(config.files).toEqual(expect.arrayContaining(['dist/**', 'assets/demo/**']));
    // Only onnxruntime is loaded from node_modules at run time; everything else is bundled.
    expect(Object.keys(pkg.dependencies)).toEqual(['onnxruntime-node']);
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['dist/*.mjs', 'node_modules/onnxruntime-node/**']));
  });
});
