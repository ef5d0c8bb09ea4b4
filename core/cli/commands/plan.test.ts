import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSyntheticBundle } from '../../../test-support/synthetic/index.js';
import { writeBundle } from '../../bundle/writer.js';
import { fileKind } from '../../media/file-kind.js';
import { createDefaultDeps } from '../../studio/deps.js';
import { RecentFiles } from '../../studio/recent.js';
import { StudioSession } from '../../studio/session.js';
import { runCli } from '../main.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'omz-plan-cli-'));
  await writeBundle(path.join(dir, 'clip.safetensors'), makeSyntheticBundle({ seconds: 2, hiddenSize: 16, tokensPerFrame: 16, seed: 2 }));
  await writeFile(path.join(dir, 'clip.mp4'), 'not really a video');
  await writeFile(path.join(dir, 'notes.txt'), 'hello');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function cli(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const stdout = process.stdout.write.bind(process.stdout);
  const stderr = process.stderr.write.bind(process.stderr);
  console.log = (...a: unknown[]) => void out.push(`${a.join(' ')}\n`);
  process.stdout.write = ((c: string) => (out.push(String(c)), true)) as typeof process.stdout.write;
  process.stderr.write = ((c: string) => (err.push(String(c)), true)) as typeof process.stderr.write;
  try {
    return { code: await runCli(argv), out: out.join(''), err: err.join('') };
  } finally {
    console.log = log;
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  }
}

// Issue 14, defect 8.
describe('plan command as a new user meets it', () => {
  it('answers --help with its usage instead of "unknown option"', async () => {
    const r = await cli(['plan', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^usage: omnizip-studio plan BUNDLE /);
    expect(r.err).toBe('');
  });

  it('says a media file needs encode first, and names an unsupported type as such', async () => {
    const media = await cli(['plan', path.join(dir, 'clip.mp4')]);
    expect(media.code).not.toBe(0);
    expect(media.err).toBe(`omnizip-studio: ${path.join(dir, 'clip.mp4')} is a media file, not a feature bundle: run encode first (omnizip-studio encode ${path.join(dir, 'clip.mp4')} --out clip.safetensors)\n`);
    const text = await cli(['plan', path.join(dir, 'notes.txt')]);
    expect(text.err).toContain('unsupported file type .txt');
  });

  it('says what --out wrote', async () => {
    const out = path.join(dir, 'plan.json');
    const r = await cli(['plan', path.join(dir, 'clip.safetensors'), '--no-cache', '--out', out]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(await readFile(out, 'utf8'));
    const c = doc.counts;
    expect(r.out).toBe(`wrote ${out}: omnizip-plan of ${path.join(dir, 'clip.safetensors')}, kept ${c.audio.kept}/${c.audio.total} audio, ${c.video.kept}/${c.video.total} video, ${c.sequence.kept}/${c.sequence.total} sequence tokens\n`);
  });

  it('opening a .txt in the studio reports an unsupported type, not unreadable media', async () => {
    expect([fileKind('a.MP4'), fileKind('a.safetensors'), fileKind('a.txt')]).toEqual(['media', 'bundle', 'unsupported']);
    const appRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
    const session = new StudioSession(createDefaultDeps({ appRoot, version: 'test' }), new RecentFiles(null));
    await expect(session.handle('clip.openPath', { jobId: 'j', path: path.join(dir, 'notes.txt') }, () => undefined)).rejects.toThrow(
      'cannot open notes.txt: unsupported file type .txt; open a feature bundle (.safetensors) or a video or audio file',
    );
  });
});
