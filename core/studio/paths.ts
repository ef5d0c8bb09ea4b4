import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where the studio keeps per-user state (recent files): OMNIZIP_STUDIO_HOME, else the XDG config dir. */
export function studioStateDir(): string {
  if (process.env.OMNIZIP_STUDIO_HOME) return path.resolve(process.env.OMNIZIP_STUDIO_HOME);
  const base = process.env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config');
  return path.join(base, 'omnizip-studio');
}

export function packageVersion(appRoot: string): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(appRoot, 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
