/** Issue 15 items 8 and 11 through the real CLI entry point. */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AnalysisCache } from '../analysis/cache.js';
import { bundleContentHash, parseBundle } from '../bundle/reader.js';
import { serializeSafetensors, parseSafetensors } from '../bundle/safetensors.js';
import { requiredFrameGeometries } from '../planner/plan.js';
import { goldenBundlePath } from '../../test-support/golden.js';

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(repoRoot, 'bin/omnizip-studio.mjs');

async function cli(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd: repoRoot, env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const dir = mkdtempSync(path.join(tmpdir(), 'omz-cli-hardening-'));
const golden = goldenBundlePath('default_params');

describe('item 11: no terminal escapes from a file reach the terminal', () => {
  it('inspect prints an ESC in the model name as visible text, in text and JSON output', async () => {
    const file = parseSafetensors(new Uint8Array(readFileSync(golden)), 'golden');
    const meta = JSON.parse(file.metadata.omnizip);
    meta.model = 'evil\u001b[2J\u001b]0;title\u0007\u009b31m';
    const tensors = [...file.tensors.values()].map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, data: t.bytes }));
    const evil = path.join(dir, 'evil\u001b[31m.safetensors');
    writeFileSync(evil, serializeSafetensors(tensors, { ...file.metadata, omnizip: JSON.stringify(meta) }));
    const text = await cli({}, 'inspect', evil);
    expect(text.code).toBe(0);
    expect(text.stdout).not.toMatch(/[\u001b\u0007\u009b]/);
    expect(text.stdout).toContain('evil\\x1b[2J\\x1b]0;title\\x07\\x9b31m');
    const json = await cli({}, 'inspect', evil, '--json');
    expect(json.stdout).not.toMatch(/[\u001b\u0007\u009b]/);
    expect(JSON.parse(json.stdout).model).toBe(meta.model);
    const missing = await cli({}, 'inspect', path.join(dir, 'gone\u001b[2J.safetensors'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).not.toContain('\u001b');
  });
});

describe('item 8: a cache that cannot be written warns and the result is still delivered', () => {
  it('OMNIZIP_CACHE_DIR that is a file', async () => {
    const notADir = path.join(dir, 'cache-is-a-file');
    writeFileSync(notADir, 'x');
    const r = await cli({ OMNIZIP_CACHE_DIR: notADir }, 'plan', golden);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).counts).toBeDefined();
    expect(r.stderr).toMatch(/warning: the analysis was not cached \((EEXIST|ENOTDIR)/);
  });

  it('a cache entry path that is a directory', async () => {
    const cacheDir = path.join(dir, 'cache');
    const bytes = new Uint8Array(readFileSync(golden));
    const bundle = parseBundle(bytes, 'golden');
    mkdirSync(new AnalysisCache(cacheDir).fileFor(bundleContentHash(bytes), requiredFrameGeometries(bundle)), { recursive: true });
    const r = await cli({ OMNIZIP_CACHE_DIR: cacheDir }, 'plan', golden);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).counts).toBeDefined();
    expect(r.stderr).toMatch(/warning: the analysis was not cached \(EISDIR/);
  });
});
