/**
 * Resolves the spec's `clips:` into concrete bundle files with their content hashes: plain
 * paths, folders (their bundles and media files) and globs (`*`, `?`, `**`). Media files are
 * encoded into bundles under DIR/clips first (off the main thread, once: an existing bundle is
 * reused). A pattern that matches nothing is an error naming it.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ComputeClient } from '../compute/client.js';
import { SweepSpecError } from './errors.js';

export const BUNDLE_EXTENSIONS = ['.safetensors'];
export const MEDIA_EXTENSIONS = ['.mp4', '.mkv', '.webm', '.mov', '.avi', '.m4v', '.wav', '.mp3', '.flac', '.ogg', '.m4a'];

export interface SweepClip {
  /** Absolute path of the bundle the trials plan. */
  path: string;
  content_hash: string;
  /** The media file it was encoded from, when it was. */
  source?: string;
}

const isClipFile = (f: string) => [...BUNDLE_EXTENSIONS, ...MEDIA_EXTENSIONS].includes(path.extname(f).toLowerCase());
const hasGlob = (p: string) => /[*?[]/.test(p);

/** A glob pattern as a regular expression over '/'-separated paths. */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      // '**/' matches zero or more whole directories.
      if (pattern[i + 2] === '/') {
        re += '(?:[^/]*/)*';
        i += 2;
      } else {
        re += '.*';
        i += 1;
      }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i);
      if (end < 0) re += '\\[';
      else {
        re += `[${pattern.slice(i + 1, end).replace(/^!/, '^')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

async function walk(dir: string, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) await walk(full, out);
    else if (e.isFile()) out.push(full);
  }
}

/** The files one `clips:` entry names, sorted; an error naming the entry when there are none. */
export async function expandClipPattern(pattern: string, baseDir: string): Promise<string[]> {
  const abs = path.resolve(baseDir, pattern);
  if (!hasGlob(pattern)) {
    let info;
    try {
      info = await stat(abs);
    } catch {
      throw new SweepSpecError(`sweep spec: clips: '${pattern}' does not exist`, 'clips');
    }
    if (info.isFile()) {
      if (!isClipFile(abs)) throw new SweepSpecError(`sweep spec: clips: '${pattern}' is neither a bundle (.safetensors) nor a media file`, 'clips');
      return [abs];
    }
    const files = (await readdir(abs)).filter(isClipFile).map((f) => path.join(abs, f)).sort();
    if (files.length === 0) throw new SweepSpecError(`sweep spec: clips: folder '${pattern}' holds no bundles or media files`, 'clips');
    return files;
  }
  const parts = abs.split(path.sep);
  const firstGlob = parts.findIndex(hasGlob);
  const root = parts.slice(0, firstGlob).join(path.sep) || path.sep;
  const re = globToRegExp(parts.join('/'));
  const all: string[] = [];
  await walk(root, all);
  const files = all.filter((f) => re.test(f.split(path.sep).join('/')) && isClipFile(f)).sort();
  if (files.length === 0) throw new SweepSpecError(`sweep spec: clips: '${pattern}' matches no bundles or media files`, 'clips');
  return files;
}

export async function fileContentHash(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface ResolveClipsOptions {
  baseDir: string;
  /** Where encoded media bundles go (DIR/clips). */
  encodedDir: string;
  encoders: string;
  signal?: AbortSignal;
  onNote?: (line: string) => void;
}

export async function resolveClips(patterns: string[], options: ResolveClipsOptions): Promise<SweepClip[]> {
  const files: string[] = [];
  for (const p of patterns) for (const f of await expandClipPattern(p, options.baseDir)) if (!files.includes(f)) files.push(f);
  const clips: SweepClip[] = [];
  for (const file of files) {
    if (BUNDLE_EXTENSIONS.includes(path.extname(file).toLowerCase())) {
      clips.push({ path: file, content_hash: await fileContentHash(file) });
      continue;
    }
    const sourceHash = (await fileContentHash(file)).slice(0, 12);
    const out = path.join(options.encodedDir, `${path.basename(file).replace(/[^A-Za-z0-9._-]+/g, '_')}.${sourceHash}.safetensors`);
    const exists = await stat(out).then(
      () => true,
      () => false,
    );
    if (!exists) {
      options.onNote?.(`encoding ${file} -> ${out} (${options.encoders} encoders)`);
      // On the compute worker (the shared worker RPC), off this thread; one worker per encode.
      const compute = new ComputeClient();
      try {
        await compute.encodeJob({ media: file, out, encoders: options.encoders }, { signal: options.signal });
      } finally {
        await compute.dispose();
      }
    }
    clips.push({ path: out, content_hash: await fileContentHash(out), source: file });
  }
  return clips;
}
