/**
 * The studio host's side of the Sweeps view (sweep-contract.ts): starts a local sweep on the open
 * clip or a folder through the same planner and executor as `omnizip-studio sweep run` (workers
 * off the host's event loop), and reads sweep directories for the view.
 */
import { stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FeatureBundle } from '../bundle/types.js';
import { writeBundle } from '../bundle/writer.js';
import type { OmniZipConfig } from '../config/schema.js';
import { evalCommandEnv } from '../metrics/eval-command.js';
import { SweepDirError, SweepSpecError } from '../sweeps/errors.js';
import { runSweep } from '../sweeps/executor.js';
import { writeOptunaJournal } from '../sweeps/optuna-journal.js';
import { createPlan } from '../sweeps/plan.js';
import { parseSweepSpec } from '../sweeps/spec.js';
import { readResults } from '../sweeps/store.js';
import { formatDuration } from '../sweeps/terminal-progress.js';
import { loadSweepViewInWorker } from '../sweeps/view-in-worker.js';
import { StudioError } from './errors.js';
import { configYaml, orderedConfig, officialFlags, safeStem } from './export.js';
import type { Params, Result } from '../protocol/contract.js';
import type { SweepView } from '../protocol/sweep-contract.js';

export interface SweepClipSource {
  name: string;
  /** The bundle file the clip came from; null for the demo, uploads and encoded media. */
  bundlePath: string | null;
  bundle: FeatureBundle;
}

export function defaultSweepsDir(): string {
  return process.env.OMNIZIP_SWEEPS_DIR || path.join(os.tmpdir(), 'omnizip-sweeps');
}

const SPEC_KEYS_FROM_VIEW = ['base', 'space', 'sampler', 'trials', 'seed', 'methods', 'objectives', 'metrics', 'flops_model'];

function asStudioError(err: unknown): never {
  if (err instanceof SweepSpecError) throw new StudioError('bad-config', err.message);
  if (err instanceof SweepDirError) throw new StudioError('bad-file', err.message);
  throw err;
}

export async function startStudioSweep(
  p: Params<'sweep.start'>,
  clipSource: (clipId: string) => SweepClipSource,
  signal: AbortSignal,
  progress: (fraction: number, stage: string) => void,
): Promise<Result<'sweep.start'>> {
  for (const k of Object.keys(p.spec)) if (!SPEC_KEYS_FROM_VIEW.includes(k)) throw new StudioError('bad-config', `sweep spec: ${k}: not settable from the studio (allowed: ${SPEC_KEYS_FROM_VIEW.join(', ')})`);
  const source = p.clipId ? clipSource(p.clipId) : null;
  if (!source && !p.folder) throw new StudioError('bad-config', 'sweep: choose the open clip or a folder of clips');
  const dir = path.resolve(p.outDir ?? newSweepDir(source ? source.name : 'folder').dir);
  let clipPattern: string;
  if (source) {
    if (source.bundlePath) clipPattern = source.bundlePath;
    else {
      // The demo, an upload or an encoded media file lives in memory only: give the workers a file.
      clipPattern = path.join(dir, 'clips', `${safeStem(source.name)}.safetensors`);
      const exists = await stat(clipPattern).then(
        () => true,
        () => false,
      );
      if (!exists) await writeBundle(clipPattern, source.bundle);
    }
  } else clipPattern = p.folder!;
  let spec;
  try {
    spec = parseSweepSpec({ ...p.spec, clips: [clipPattern] }, process.cwd());
  } catch (err) {
    asStudioError(err);
  }
  progress(0, 'planning the sweep');
  const plan = await createPlan(spec, dir, { signal }).catch(asStudioError);
  const summary = await runSweep(dir, {
    workers: p.workers,
    signal,
    onProgress: (s) => {
      const finished = s.alreadyDone + s.done + s.failed;
      progress(s.total === 0 ? 1 : finished / s.total, `${finished}/${s.total} trials · ${s.rate.toFixed(1)}/s${s.etaMs !== null ? ` · ETA ${formatDuration(s.etaMs)}` : ''}${s.failed ? ` · ${s.failed} failed` : ''}`);
    },
  });
  await writeOptunaJournal(dir, plan, (await readResults(dir)).trials);
  return { dir, done: summary.done, failed: summary.failed, stopped: summary.stopped, lastError: summary.lastError ?? null };
}

export function newSweepDir(name: string): { dir: string } {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return { dir: path.join(defaultSweepsDir(), `${safeStem(name)}-${stamp}`) };
}

export async function loadStudioSweep(dir: string): Promise<SweepView> {
  return loadSweepViewInWorker(dir).catch(asStudioError);
}

async function trialRecord(dir: string, trial: number) {
  const { trials } = await readResults(dir).catch(asStudioError);
  const record = trials.find((t) => t.trial === trial);
  if (!record) throw new StudioError('bad-file', `trial ${trial} has no result in ${dir}`);
  return record;
}

export async function sweepTrial(dir: string, trial: number): Promise<Result<'sweep.trial'>> {
  const r = await trialRecord(dir, trial);
  return { trial: r.trial, clipPath: r.clip.path, config: orderedConfig(r.config), metrics: { ...r.metrics } };
}

/** The official scripts' variables for a config, as `export` lines. */
export function envLines(config: OmniZipConfig): string {
  const env = evalCommandEnv({ trial: 0, clipPath: '', contentHash: '', config }, '');
  const keys = ['OMNIZIP_RHO_AUDIO', 'OMNIZIP_RHO_VIDEO', 'OMNIZIP_G', 'OMNIZIP_CONTEXTUAL_RATIO', 'OMNIZIP_METHOD', 'OMNIZIP_CONFIG_JSON'] as const;
  return `${keys.map((k) => `export ${k}='${env[k].replace(/'/g, `'\\''`)}'`).join('\n')}\n`;
}

export async function exportSweepTrial(p: Params<'sweep.exportTrial'>): Promise<Result<'sweep.exportTrial'>> {
  const r = await trialRecord(p.dir, p.trial);
  const stem = `${safeStem(path.basename(r.clip.path))}.trial-${r.trial}`;
  const enc = new TextEncoder();
  switch (p.kind) {
    case 'config-yaml':
      return { fileName: `${stem}.omnizip.yaml`, mime: 'application/yaml', bytes: enc.encode(configYaml(r.config)) };
    case 'config-json':
      return { fileName: `${stem}.omnizip.json`, mime: 'application/json', bytes: enc.encode(`${JSON.stringify(orderedConfig(r.config), null, 2)}\n`) };
    case 'flags':
      return { fileName: `${stem}.omnizip-flags.txt`, mime: 'text/plain', bytes: enc.encode(officialFlags(r.config)) };
    case 'env':
      return { fileName: `${stem}.env.sh`, mime: 'text/plain', bytes: enc.encode(envLines(r.config)) };
  }
}
