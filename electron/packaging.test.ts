/**
 * Packs the app with electron-builder for real (`--linux dir`, x64 and arm64) against a stub
 * Electron distribution (the real binary cannot be downloaded everywhere tests run), then checks
 * what a user would get: the compiled app, the renderer, the demo, onnxruntime for the packed
 * platform/arch only, and no TypeScript, tsx or esbuild.
 */
import { listPackage } from '@electron/asar';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTRY_POINTS } from '../core/runtime/entry-table.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(path.join(os.tmpdir(), 'omz-pack-'));
const out = path.join(work, 'release');
const ARCHES = { x64: 'linux-unpacked', arm64: 'linux-arm64-unpacked' } as const;
/** Electron's fuse wire marker (@electron/fuses); the wire follows it: version, length, one byte a fuse. */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** Fuse order of wire version 1, and what electron-builder.yml asks for ('0' off, '1' on). */
const EXPECTED_FUSES = { RunAsNode: '1', EnableCookieEncryption: '1', EnableNodeOptionsEnvironmentVariable: '0', EnableNodeCliInspectArguments: '0', EnableEmbeddedAsarIntegrityValidation: '1', OnlyLoadAppFromAsar: '1' };

/** Every file under `dir`, as paths relative to it with a leading slash (the asar listing's form). */
function walk(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) => {
    const rel = `${prefix}/${name}`;
    return statSync(path.join(dir, name)).isDirectory() ? [rel, ...walk(path.join(dir, name), rel)] : [rel];
  });
}

function sizeOf(dir: string): number {
  return walk(dir).reduce((sum, rel) => sum + statSync(path.join(dir, rel)).size, 0);
}

describe.runIf(process.platform === 'linux')('electron-builder --dir with a stub Electron', () => {
  beforeAll(() => {
    // The package is made from the build: bring dist/ and the renderer up to date first.
    const build = spawnSync(process.execPath, ['--input-type=module', '-e', "const m = await import('./bin/ensure-built.mjs'); m.ensureBuilt('dist'); m.ensureBuilt('renderer');"], { cwd: repoRoot, encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    const stub = path.join(work, 'electron-dist');
    mkdirSync(stub);
    // The stub carries Electron's fuse wire (sentinel, wire version 1, 8 fuses, all enabled as
    // Electron ships them), so electron-builder can flip the fuses electron-builder.yml sets.
    writeFileSync(path.join(stub, 'electron'), Buffer.concat([Buffer.from(`#!/bin/sh\necho "stub Electron"\nexit 0\n# ${FUSE_SENTINEL}`), Buffer.from([1, 8]), Buffer.from('11111111\n')]));
    chmodSync(path.join(stub, 'electron'), 0o755);
    const cli = path.join(repoRoot, 'node_modules', 'electron-builder', 'cli.js');
    const pack = spawnSync(process.execPath, [cli, '--linux', 'dir', '--x64', '--arm64', `-c.electronDist=${stub}`, `-c.directories.output=${out}`], { cwd: repoRoot, encoding: 'utf8' });
    expect(pack.status, `${pack.stdout}\n${pack.stderr}`).toBe(0);
  }, 180_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  for (const [arch, folder] of Object.entries(ARCHES)) {
    describe(`linux ${arch}`, () => {
      const resources = () => path.join(out, folder, 'resources');
      const packed = () => listPackage(path.join(resources(), 'app.asar'), { isPack: false }).map((f) => f.replaceAll('\\', '/'));
      const unpacked = () => walk(path.join(resources(), 'app.asar.unpacked'));

      it('holds every compiled entry point, the renderer and the demo, with main pointing at the build', () => {
        const files = packed();
        for (const entry of Object.values(ENTRY_POINTS)) expect(files).toContain(`/dist/${entry.built}`);
        expect(files).toContain('/dist/renderer/index.html');
        expect(files.some((f) => /^\/dist\/renderer\/assets\/.*\.js$/.test(f))).toBe(true);
        expect(files).toContain('/assets/demo/demo.safetensors');
        expect(files.some((f) => f.endsWith('build-inputs.json'))).toBe(false);
        // Worker threads and child processes start from real files.
        for (const name of ['compute-worker', 'memory-child', 'prefill-child', 'probe-provider', 'compute-host'] as const) {
          expect(existsSync(path.join(resources(), 'app.asar.unpacked', 'dist', ENTRY_POINTS[name].built))).toBe(true);
        }
      });

      it('flips the Electron fuses electron-builder.yml sets (no NODE_OPTIONS or --inspect, asar only, encrypted cookies)', () => {
        const binary = readFileSync(path.join(out, folder, 'omnizip-studio'));
        const at = binary.indexOf(FUSE_SENTINEL) + FUSE_SENTINEL.length;
        const wire = binary.subarray(at + 2, at + 2 + binary[at + 1]).toString('latin1');
        Object.values(EXPECTED_FUSES).forEach((state, i) => expect(wire[i]).toBe(state));
      });

      it('carries the Silero VAD model unpacked, where the speech reference reads it', () => {
        expect(existsSync(path.join(resources(), 'app.asar.unpacked', 'dist', 'models', 'silero_vad_v5.onnx'))).toBe(true);
      });

      it(`carries onnxruntime's binaries for linux/${arch} only, unpacked`, () => {
        const binRoot = path.join(resources(), 'app.asar.unpacked', 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6');
        expect(readdirSync(binRoot)).toEqual(['linux']);
        expect(readdirSync(path.join(binRoot, 'linux'))).toEqual([arch]);
        expect(readdirSync(path.join(binRoot, 'linux', arch))).toContain('onnxruntime_binding.node');
      });

      it('ships no TypeScript, no tsx or esbuild, and no package but onnxruntime', () => {
        const everything = [...packed(), ...unpacked()];
        expect(everything.filter((f) => /\.[mc]?ts$/.test(f))).toEqual([]);
        const packages = new Set(everything.map((f) => /^\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f)?.[1]).filter((p) => p !== undefined));
        expect([...packages].sort()).toEqual(['onnxruntime-common', 'onnxruntime-node']);
        expect(everything.some((f) => /\/(tsx|esbuild|@esbuild|vite|typescript)\//.test(f))).toBe(false);
      });
    });
  }

  it('prints the package sizes (informational)', () => {
    for (const folder of Object.values(ARCHES)) console.log(`[packaging] ${folder}: ${(sizeOf(path.join(out, folder)) / 1e6).toFixed(1)} MB (stub Electron: the app alone)`);
  });
});
