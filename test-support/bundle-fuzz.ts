/**
 * Bounded fuzzing of the bundle reader (issue 15): byte-flip mutants of a golden bundle plus the
 * malformed classes the adversarial probe found, each read from a file the way the CLI and the
 * studio read them. A case is clean when the bundle is refused with one line naming the file (a
 * BundleError), or accepted and then summarised, planned and drawn without an error; anything
 * else (another error class, a multi-line message, a case slower than the hang limit) fails.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeReference } from '../core/analysis/reference.js';
import { BundleError } from '../core/bundle/errors.js';
import { readBundle } from '../core/bundle/reader.js';
import { summarizeBundle } from '../core/bundle/summary.js';
import type { FeatureBundle } from '../core/bundle/types.js';
import { DEFAULT_CONFIG } from '../core/config/schema.js';
import { planClip, requiredFrameGeometries } from '../core/planner/plan.js';
import { mulberry32 } from '../core/util/numeric.js';
import { thumbnails, waveformEnvelope } from '../core/studio/media-views.js';
import { joinSafetensors, splitSafetensors, type RawHeaderEntry } from './raw-safetensors.js';

export type FuzzCategory = 'byte-flip' | 'truncated' | 'header-length' | 'trailing-bytes' | 'hole' | 'duplicate-key' | 'absurd-shape' | 'not-a-regular-file';

export interface FuzzCase {
  category: FuzzCategory;
  name: string;
  /** Writes the case under `dir` and answers the path to read. */
  materialise(dir: string): string;
}

export interface FuzzOutcome {
  category: FuzzCategory;
  name: string;
  ok: boolean;
  /** 'refused' | 'accepted' when ok; what went wrong otherwise. */
  detail: string;
  ms: number;
}

const fileCase = (category: FuzzCategory, name: string, bytes: () => Uint8Array): FuzzCase => ({
  category,
  name,
  materialise(dir) {
    const file = path.join(dir, `${name}.safetensors`);
    writeFileSync(file, bytes());
    return file;
  },
});

/** At least `flips` byte-flip mutants (half of them in the header, where the checks are) plus every malformed class. */
export function fuzzCases(golden: Uint8Array, flips: number, seed = 15): FuzzCase[] {
  const random = mulberry32(seed);
  const { headerText: text, data } = splitSafetensors(golden);
  const headerEnd = 8 + new TextEncoder().encode(text).length;
  const cases: FuzzCase[] = [];
  for (let i = 0; i < flips; i++) {
    const count = 1 + Math.floor(random() * 4);
    const positions: number[] = [];
    for (let k = 0; k < count; k++) positions.push(Math.floor(random() * (i % 2 === 0 ? headerEnd : golden.length)));
    const values = positions.map(() => Math.floor(random() * 256));
    cases.push(
      fileCase('byte-flip', `flip-${i}`, () => {
        const copy = golden.slice();
        positions.forEach((p, k) => (copy[p] ^= values[k] || 0xff));
        return copy;
      }),
    );
  }
  for (const fraction of [0, 0.001, 0.01, 0.5, 0.99, 0.9999]) {
    cases.push(fileCase('truncated', `truncated-${fraction}`, () => golden.slice(0, Math.floor(golden.length * fraction))));
  }
  for (const length of [0n, 1n, 7n, BigInt(golden.length), 2n ** 32n, 2n ** 63n, 2n ** 64n - 1n]) {
    cases.push(
      fileCase('header-length', `header-length-${length}`, () => {
        const copy = golden.slice();
        new DataView(copy.buffer).setBigUint64(0, length, true);
        return copy;
      }),
    );
  }
  for (const extra of [1, 8, 4096]) {
    cases.push(fileCase('trailing-bytes', `trailing-${extra}`, () => joinSafetensors(text, new Uint8Array([...data, ...new Uint8Array(extra)]))));
  }
  const header = JSON.parse(text) as Record<string, RawHeaderEntry>;
  const tensorNames = Object.keys(header).filter((k) => k !== '__metadata__');
  for (const name of tensorNames) {
    cases.push(
      fileCase('hole', `hole-before-${name}`, () => {
        const edited = JSON.parse(text) as Record<string, RawHeaderEntry>;
        const start = edited[name].data_offsets[0];
        for (const other of tensorNames) {
          const e = edited[other];
          if (e.data_offsets[0] >= start) e.data_offsets = [e.data_offsets[0] + 8, e.data_offsets[1] + 8];
        }
        return joinSafetensors(JSON.stringify(edited), new Uint8Array([...data.subarray(0, start), ...new Uint8Array(8), ...data.subarray(start)]));
      }),
    );
    cases.push(fileCase('duplicate-key', `duplicate-${name}`, () => joinSafetensors(`${text.slice(0, text.lastIndexOf('}'))},${JSON.stringify(name)}:${JSON.stringify(header[name])}}`, data)));
  }
  const absurd: [string, RawHeaderEntry][] = [
    ['frames', { dtype: 'U8', shape: [2 ** 50, 0, 16, 3], data_offsets: [0, 0] }],
    ['frames', { dtype: 'U8', shape: [7, 0, 0, 3], data_offsets: [0, 0] }],
    ['frames', { dtype: 'U8', shape: [2 ** 31, 2 ** 31, 0, 3], data_offsets: [0, 0] }],
    ['waveform', { dtype: 'F32', shape: [2 ** 53], data_offsets: [0, 0] }],
    ['audio_scores', { dtype: 'F32', shape: [-1], data_offsets: [0, 0] }],
    ['audio_embeds', { dtype: 'F32', shape: [0, 2 ** 40], data_offsets: [0, 0] }],
  ];
  absurd.forEach(([name, entry], i) =>
    cases.push(
      fileCase('absurd-shape', `absurd-${name}-${i}`, () => {
        const edited = JSON.parse(text) as Record<string, RawHeaderEntry>;
        edited[name] = entry;
        return joinSafetensors(JSON.stringify(edited), data);
      }),
    ),
  );
  const special = (name: string, make: (file: string) => void): FuzzCase => ({
    category: 'not-a-regular-file',
    name,
    materialise(dir) {
      const file = path.join(dir, `${name}.safetensors`);
      make(file);
      return file;
    },
  });
  cases.push({ category: 'not-a-regular-file', name: 'dev-zero', materialise: () => '/dev/zero' });
  cases.push(special('symlink-to-dev-zero', (f) => symlinkSync('/dev/zero', f)));
  cases.push(special('fifo', (f) => execFileSync('mkfifo', [f])));
  cases.push(special('directory', (f) => mkdirSync(f)));
  cases.push(special('empty', (f) => writeFileSync(f, new Uint8Array(0))));
  cases.push(special('missing', () => undefined));
  return cases;
}

/** What the studio and CLI do with an accepted bundle, so a bundle that only passes the reader counts too. */
function exercise(bundle: FeatureBundle): void {
  summarizeBundle(bundle);
  waveformEnvelope(bundle, 256);
  if (bundle.frames && bundle.frames.count > 0) thumbnails(bundle, 64);
  const analysis = analyzeReference(bundle, requiredFrameGeometries(bundle));
  planClip(bundle, analysis, { ...DEFAULT_CONFIG });
}

export async function runFuzzCase(testCase: FuzzCase, dir: string, hangMs: number): Promise<FuzzOutcome> {
  const caseDir = path.join(dir, testCase.name);
  mkdirSync(caseDir, { recursive: true });
  const started = performance.now();
  let ok: boolean;
  let detail: string;
  try {
    const file = testCase.materialise(caseDir);
    const bundle = await readBundle(file);
    exercise(bundle);
    ok = true;
    detail = 'accepted';
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof BundleError && !message.includes('\n') && message.includes('.safetensors') || (err instanceof BundleError && message.startsWith('bundle /dev/zero'))) {
      ok = true;
      detail = 'refused';
    } else if (err instanceof Error && err.name === 'ConfigError' && !message.includes('\n')) {
      ok = true; // an accepted bundle the default config cannot plan says so in one line
      detail = 'refused by the planner';
    } else {
      ok = false;
      detail = `${err instanceof Error ? err.name : typeof err}: ${message.split('\n')[0]}${message.includes('\n') ? ' (multi-line)' : ''}`;
    }
  } finally {
    rmSync(caseDir, { recursive: true, force: true });
  }
  const ms = performance.now() - started;
  if (ok && ms > hangMs) return { category: testCase.category, name: testCase.name, ok: false, detail: `took ${ms.toFixed(0)} ms (limit ${hangMs})`, ms };
  return { category: testCase.category, name: testCase.name, ok, detail, ms };
}

export interface FuzzTally {
  tried: number;
  clean: number;
  failed: number;
}

export function tally(outcomes: readonly FuzzOutcome[]): Map<FuzzCategory, FuzzTally> {
  const out = new Map<FuzzCategory, FuzzTally>();
  for (const o of outcomes) {
    const t = out.get(o.category) ?? { tried: 0, clean: 0, failed: 0 };
    t.tried++;
    if (o.ok) t.clean++;
    else t.failed++;
    out.set(o.category, t);
  }
  return out;
}
