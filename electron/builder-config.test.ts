import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const config = YAML.parse(readFileSync(path.join(repoRoot, 'electron-builder.yml'), 'utf8')) as Record<string, unknown> & {
  files: string[];
  asarUnpack: string[];
  extraMetadata: { main: string };
  linux: { target: string[] };
  mac: { target: string[] };
  win: { target: string[] };
};

describe('electron-builder.yml (checked offline)', () => {
  it("passes electron-builder's own schema validation", async () => {
    const require = createRequire(import.meta.url);
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
      validateConfiguration(c: unknown, logger: { isEnabled: boolean; add(k: string, v: unknown): void }): Promise<void>;
    };
    await expect(validateConfiguration(config, { isEnabled: false, add: () => {} })).resolves.toBeUndefined();
  });

  it('targets AppImage and deb, dmg, and nsis', () => {
    expect(config.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(config.mac.target).toContain('dmg');
    expect(config.win.target).toContain('nsis');
  });

  it("unpacks onnxruntime-node's native binaries from the asar and ships the demo", () => {
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toContain('node_modules/onnxruntime-node/bin/**');
    expect(config.asarUnpack).toContain('**/*.node');
    expect(existsSync(path.join(repoRoot, 'node_modules', 'onnxruntime-node', 'bin'))).toBe(true);
    expect(config.files).toContain('assets/demo/**');
  });

  it('points at the entry points the build produces and ships the compute host', () => {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { main: string; dependencies: Record<string, string> };
    expect(config.extraMetadata.main).toBe(pkg.main);
    expect(readFileSync(path.join(repoRoot, 'electron', 'build.ts'), 'utf8')).toContain("'main.cjs'");
    expect(readFileSync(path.join(repoRoot, 'electron', 'main.ts'), 'utf8')).toContain("'compute-host-entry.mjs'");
    expect(config.files).toEqual(expect.arrayContaining(['dist/electron/**', 'dist/renderer/**', 'electron/*.mjs', 'core/**/*.ts']));
    // The compute host needs these at runtime, so they must be dependencies (packaged), not devDependencies.
    expect(Object.keys(pkg.dependencies)).toEqual(expect.arrayContaining(['onnxruntime-node', 'tsx', 'yaml']));
  });
});
