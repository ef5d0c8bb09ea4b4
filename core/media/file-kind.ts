/**
 * What a file is by its name: a feature bundle, a media file (which needs `encode` first), or
 * neither. Lets the CLI and the studio say "run encode first" or "unsupported type" instead of
 * a safetensors-header or ffprobe error about a file that was never of that kind.
 */
import path from 'node:path';

export const BUNDLE_EXTENSIONS: ReadonlySet<string> = new Set(['.safetensors', '.omnizip']);
export const MEDIA_EXTENSIONS: ReadonlySet<string> = new Set([
  '.mp4', '.m4v', '.mov', '.mkv', '.webm', '.avi', '.mpg', '.mpeg', '.ts', '.flv', '.wmv', '.3gp',
  '.wav', '.mp3', '.m4a', '.aac', '.flac', '.ogg', '.oga', '.opus', '.wma',
]);

export type FileKind = 'bundle' | 'media' | 'unsupported';

export function fileKind(name: string): FileKind {
  const ext = path.extname(name).toLowerCase();
  if (BUNDLE_EXTENSIONS.has(ext)) return 'bundle';
  if (MEDIA_EXTENSIONS.has(ext)) return 'media';
  return 'unsupported';
}

/** One line for a file of the wrong kind, or null for a bundle. */
export function notABundleMessage(file: string): string | null {
  const kind = fileKind(file);
  if (kind === 'bundle') return null;
  const ext = path.extname(file).toLowerCase() || '(no extension)';
  if (kind === 'media') return `${file} is a media file, not a feature bundle: run encode first (omnizip-studio encode ${file} --out clip.safetensors)`;
  return `${file}: unsupported file type ${ext}; expected a feature bundle (.safetensors) or, through encode, a video or audio file`;
}
