import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Starts web mode exactly as a user would (`omnizip-studio serve`) and reads the URL line it prints. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'omz-e2e-home-'));
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'omnizip-studio.mjs'), 'serve', '--port', '0'], {
    cwd: repoRoot,
    env: { ...process.env, OMNIZIP_STUDIO_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`omnizip-studio serve printed no URL within 60 s; stderr: ${stderr}`)), 60_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^Studio: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`omnizip-studio serve exited with ${code}: ${stderr}`)));
  });
  process.env.STUDIO_URL = url;
  process.env.STUDIO_HOME = home;
  return async () => {
    child.kill('SIGTERM');
  };
}
