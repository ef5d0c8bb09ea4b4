import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { FfmpegUnavailableError, OperationCancelledError } from './errors.js';

/** Where ffmpeg and ffprobe live. */
export interface FfmpegTools {
  ffmpeg: string;
  ffprobe: string;
  /** First line of `ffmpeg -version`, for bundle provenance. */
  version: string;
}

export interface FfmpegLocation {
  /** Path (or bare command name) of ffmpeg; overrides OMNIZIP_FFMPEG. */
  ffmpeg?: string;
  /** Path of ffprobe; overrides OMNIZIP_FFPROBE. Defaults to the ffprobe next to ffmpeg. */
  ffprobe?: string;
}

const INSTALL_HINT =
  'install ffmpeg (Debian/Ubuntu: `apt-get install ffmpeg`, macOS: `brew install ffmpeg`, Windows: `winget install ffmpeg`) ' +
  'or point OMNIZIP_FFMPEG / --ffmpeg at the binary';

/** ffprobe ships next to ffmpeg; a bare command name stays a bare name so PATH lookup applies. */
function siblingFfprobe(ffmpeg: string): string {
  const dir = path.dirname(ffmpeg);
  const ext = path.extname(ffmpeg);
  if (!ffmpeg.includes('/') && !ffmpeg.includes('\\')) return `ffprobe${ext}`;
  return path.join(dir, `ffprobe${ext}`);
}

export interface ProcessResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs a tool to completion, collecting stdout; `signal` kills it. A missing binary becomes
 * FfmpegUnavailableError with the install hint.
 */
export function runTool(command: string, args: string[], signal?: AbortSignal, what = command): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new OperationCancelledError(what));
      return;
    }
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    const onAbort = (): void => {
      child.kill('SIGKILL');
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => {
      // Keep only the tail: ffmpeg can be chatty on long broken files.
      stderr = (stderr + c.toString('utf8')).slice(-8000);
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      signal?.removeEventListener('abort', onAbort);
      if (err.code === 'ENOENT' || err.code === 'EACCES') {
        reject(new FfmpegUnavailableError(`cannot run '${command}' (${err.code}): ${INSTALL_HINT}`));
      } else reject(err);
    });
    child.on('close', (code) => {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) reject(new OperationCancelledError(what));
      else resolve({ code, stdout: Buffer.concat(chunks), stderr });
    });
  });
}

const checked = new Map<string, FfmpegTools>();

/**
 * Finds ffmpeg/ffprobe (option, then OMNIZIP_FFMPEG / OMNIZIP_FFPROBE, then PATH) and checks that
 * both run. The result is cached per location.
 */
export async function locateFfmpeg(location: FfmpegLocation = {}): Promise<FfmpegTools> {
  const ffmpeg = location.ffmpeg ?? process.env.OMNIZIP_FFMPEG ?? 'ffmpeg';
  const ffprobe = location.ffprobe ?? process.env.OMNIZIP_FFPROBE ?? siblingFfprobe(ffmpeg);
  const key = `${ffmpeg}\0${ffprobe}`;
  const cached = checked.get(key);
  if (cached) return cached;
  if ((ffmpeg.includes('/') || ffmpeg.includes('\\')) && !existsSync(ffmpeg)) {
    throw new FfmpegUnavailableError(`ffmpeg not found at ${ffmpeg}: ${INSTALL_HINT}`);
  }
  const versionRun = await runTool(ffmpeg, ['-hide_banner', '-version']);
  const version = versionRun.stdout.toString('utf8').split('\n')[0]?.trim() ?? '';
  if (versionRun.code !== 0 || !version.startsWith('ffmpeg')) {
    throw new FfmpegUnavailableError(`'${ffmpeg} -version' did not run as ffmpeg (exit ${versionRun.code}): ${INSTALL_HINT}`);
  }
  const probeRun = await runTool(ffprobe, ['-hide_banner', '-version']);
  if (probeRun.code !== 0) {
    throw new FfmpegUnavailableError(`'${ffprobe} -version' failed (exit ${probeRun.code}); ffprobe is part of the ffmpeg package: ${INSTALL_HINT}`);
  }
  const tools = { ffmpeg, ffprobe, version };
  checked.set(key, tools);
  return tools;
}
