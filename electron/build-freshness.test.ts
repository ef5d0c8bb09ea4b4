import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BUILD_MANIFEST, staleReason, writeBuildManifest } from '../bin/build-freshness.mjs';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A source tree with two inputs, a config and a built output; every file dated `t` seconds. */
function fixture(t = 1_000_000) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'omz-fresh-'));
  dirs.push(root);
  const file = (name: string) => path.join(root, name);
  for (const name of ['a.ts', 'b.ts', 'config.ts', 'out.js']) {
    writeFileSync(file(name), name);
    utimesSync(file(name), t, t);
  }
  const outDir = path.join(root, 'dist');
  const build = { outputs: [file('out.js')], extraInputs: [file('config.ts')] };
  const record = (at: number) => {
    writeBuildManifest(outDir, [file('a.ts'), `${file('b.ts')}?inline`, file('not-there.ts')]);
    utimesSync(path.join(outDir, BUILD_MANIFEST), at, at);
  };
  const touch = (name: string, at: number) => utimesSync(file(name), at, at);
  return { root, outDir, build, record, touch, file };
}

describe('build freshness', () => {
  it('needs a build when there is no manifest or an output is missing', () => {
    const f = fixture();
    expect(staleReason(f.outDir, f.build, f.root)).toBe('no previous build in dist');
    f.record(2_000_000);
    expect(staleReason(f.outDir, { ...f.build, outputs: [f.file('gone.js')] }, f.root)).toBe('gone.js is missing');
  });

  it('is fresh while no input is newer than the build, stale once one is', () => {
    const f = fixture();
    f.record(2_000_000);
    expect(staleReason(f.outDir, f.build, f.root)).toBeNull();
    f.touch('b.ts', 2_000_100); // recorded with a query suffix (vite ids): still tracked
    expect(staleReason(f.outDir, f.build, f.root)).toBe('b.ts changed since the last build');
    f.touch('b.ts', 1_000_000);
    f.touch('config.ts', 2_000_100);
    expect(staleReason(f.outDir, f.build, f.root)).toBe('config.ts changed since the last build');
  });

  it('is stale when an input it read is gone', () => {
    const f = fixture();
    f.record(2_000_000);
    rmSync(f.file('a.ts'));
    expect(staleReason(f.outDir, f.build, f.root)).toBe('a.ts is gone since the last build');
  });

  it('refuses a manifest that is not JSON or lists nothing', () => {
    const f = fixture();
    f.record(2_000_000);
    writeFileSync(path.join(f.outDir, BUILD_MANIFEST), 'not json');
    expect(staleReason(f.outDir, f.build, f.root)).toMatch(/^dist\/build-inputs\.json is unreadable \(/);
    writeFileSync(path.join(f.outDir, BUILD_MANIFEST), '{"inputs": []}');
    expect(staleReason(f.outDir, f.build, f.root)).toBe(`${path.join('dist', BUILD_MANIFEST)} lists no inputs`);
  });
});
