/**
 * External metrics: a user's command, run once per trial, whose JSON adds metrics named
 * `eval.<name>`. This is how the official evaluation scripts on a real model plug into a sweep.
 *
 * The command runs through `sh -c` with the trial's config exported as the official scripts'
 * variables (OMNIZIP_RHO_AUDIO, OMNIZIP_RHO_VIDEO, OMNIZIP_G, OMNIZIP_CONTEXTUAL_RATIO), the whole
 * config as OMNIZIP_CONFIG_JSON, and OMNIZIP_CLIP, OMNIZIP_CLIP_HASH, OMNIZIP_METHOD,
 * OMNIZIP_TRIAL, OMNIZIP_RESULT_FILE. `{clip}`, `{trial}` and `{result_file}` in the template are
 * replaced by the shell-quoted values. The command prints a JSON object of numbers on stdout
 * (`{"accuracy": 0.61}` or `{"metrics": {...}}`), or writes it to OMNIZIP_RESULT_FILE.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { OmniZipConfig } from '../config/schema.js';

export class EvalCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvalCommandError';
  }
}

export interface EvalCommandTrial {
  trial: number;
  clipPath: string;
  contentHash: string;
  config: OmniZipConfig;
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function evalCommandEnv(t: EvalCommandTrial, resultFile: string): Record<string, string> {
  return {
    OMNIZIP_RHO_AUDIO: String(t.config.rho_audio),
    OMNIZIP_RHO_VIDEO: String(t.config.rho_video),
    OMNIZIP_G: String(t.config.g),
    OMNIZIP_CONTEXTUAL_RATIO: String(t.config.contextual_ratio),
    OMNIZIP_METHOD: t.config.method,
    OMNIZIP_CONFIG_JSON: JSON.stringify(t.config),
    OMNIZIP_CLIP: t.clipPath,
    OMNIZIP_CLIP_HASH: t.contentHash,
    OMNIZIP_TRIAL: String(t.trial),
    OMNIZIP_RESULT_FILE: resultFile,
  };
}

export function expandTemplate(template: string, t: EvalCommandTrial, resultFile: string): string {
  return template.replace(/\{(clip|trial|result_file)\}/g, (_, name: string) =>
    shellQuote(name === 'clip' ? t.clipPath : name === 'trial' ? String(t.trial) : resultFile),
  );
}

/** Reads `{name: number}` or `{metrics: {name: number}}`; anything else is an error naming the problem. */
export function parseEvalOutput(text: string, source: string): Record<string, number> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new EvalCommandError(`eval_command ${source} is not JSON: ${text.trim().split('\n').pop()?.slice(0, 120) ?? ''}`);
  }
  if (doc && typeof doc === 'object' && !Array.isArray(doc) && 'metrics' in doc) doc = (doc as { metrics: unknown }).metrics;
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new EvalCommandError(`eval_command ${source} must be a JSON object of numbers`);
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(doc)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new EvalCommandError(`eval_command ${source}: metric '${k}' is not a finite number (${JSON.stringify(v)})`);
    out[`eval.${k}`] = v;
  }
  return out;
}

export async function runEvalCommand(template: string, t: EvalCommandTrial, signal?: AbortSignal): Promise<Record<string, number>> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'omnizip-eval-'));
  const resultFile = path.join(dir, 'result.json');
  try {
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn('sh', ['-c', expandTemplate(template, t, resultFile)], {
        env: { ...process.env, ...evalCommandEnv(t, resultFile) },
        stdio: ['ignore', 'pipe', 'pipe'],
        signal,
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      child.stderr.on('data', (b: Buffer) => (err += b.toString()));
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
    });
    if (code !== 0) throw new EvalCommandError(`eval_command exited with status ${code}: ${stderr.trim().split('\n').pop() ?? ''}`);
    let fileText: string | null = null;
    try {
      fileText = await readFile(resultFile, 'utf8');
    } catch {
      fileText = null;
    }
    return fileText !== null ? parseEvalOutput(fileText, 'result file') : parseEvalOutput(stdout, 'output');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
