/**
 * Issue 15 item 4, for the hosts: a server killed with -9 leaves upload and prefill temp folders
 * and half-written state files behind, and per-clip sessions pile up without end. The next start
 * removes what no live process owns and keeps the sessions folder bounded.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWebMode } from './start.js';
import { cleanUpAtStart, ownedTempPrefix, pruneSessions, removeStaleTempDirs, sessionPruneOptions, UPLOAD_DIR_PREFIX } from './state-hygiene.js';

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
const hash = (n: number) => n.toString(16).padStart(16, '0');

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'omz-hygiene-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

async function folder(dir: string, ageMs = 0, content = 'x'.repeat(1000)): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'clip.mp4');
  await writeFile(file, content);
  const when = new Date(Date.now() - ageMs);
  await utimes(file, when, when);
  await utimes(dir, when, when);
  return dir;
}

async function sessionFile(dir: string, n: number, ageMs: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${hash(n)}.json`);
  await writeFile(file, '{}\n');
  const when = new Date(Date.now() - ageMs);
  await utimes(file, when, when);
}

describe('stale temp folders', () => {
  it("removes upload and prefill folders of dead processes and old ownerless ones; keeps live owners', recent ones and others'", async () => {
    const dead = deadPid();
    await folder(path.join(root, `omnizip-upload-${dead}-aB3dEf`));
    await folder(path.join(root, `omnizip-prefill-${dead}-Qw12Er`));
    await folder(path.join(root, `omnizip-upload-${process.pid}-live12`));
    await folder(path.join(root, 'omnizip-upload-old123'), 2 * HOUR);
    await folder(path.join(root, 'omnizip-prefill-mem-old456'), 2 * HOUR);
    await folder(path.join(root, 'omnizip-upload-new789'), 60 * 1000); // an upload in flight elsewhere
    await folder(path.join(root, 'someone-else-123'), 10 * DAY);
    // An old ownerless folder whose only recent change is a file being written in it.
    const busy = await folder(path.join(root, 'omnizip-upload-busy321'), 2 * HOUR);
    await writeFile(path.join(busy, 'part.bin'), 'y');
    const old = new Date(Date.now() - 2 * HOUR);
    await utimes(busy, old, old);
    const removed = await removeStaleTempDirs(root);
    expect(removed).toEqual({ files: 4, bytes: 4000 });
    expect((await readdir(root)).sort()).toEqual([`omnizip-upload-${process.pid}-live12`, 'omnizip-upload-busy321', 'omnizip-upload-new789', 'someone-else-123']);
  });

  it('names new folders after this process', () => {
    expect(path.basename(ownedTempPrefix(UPLOAD_DIR_PREFIX))).toBe(`omnizip-upload-${process.pid}-`);
  });
});

describe('session pruning', () => {
  it('keeps the newest N sessions younger than M days, and only removes session files', async () => {
    const dir = path.join(root, 'sessions');
    for (const [n, age] of [[1, 1 * HOUR], [2, 2 * DAY], [3, 3 * DAY], [4, 40 * DAY], [5, 10 * DAY]] as const) await sessionFile(dir, n, age);
    await writeFile(path.join(dir, 'notes.txt'), 'mine');
    const removed = await pruneSessions(dir, { keep: 3, maxAgeDays: 30 });
    expect(removed.files).toBe(2);
    expect((await readdir(dir)).sort()).toEqual([`${hash(1)}.json`, `${hash(2)}.json`, `${hash(3)}.json`, 'notes.txt']);
    expect((await pruneSessions(dir, { keep: 3, maxAgeDays: 1 })).files).toBe(2);
    expect(await readdir(dir)).toContain(`${hash(1)}.json`);
  });

  it('reads its caps from OMNIZIP_SESSIONS_KEPT and OMNIZIP_SESSION_MAX_AGE_DAYS, ignoring nonsense', () => {
    expect(sessionPruneOptions({})).toEqual({ keep: 500, maxAgeDays: 180 });
    expect(sessionPruneOptions({ OMNIZIP_SESSIONS_KEPT: '20', OMNIZIP_SESSION_MAX_AGE_DAYS: '7' })).toEqual({ keep: 20, maxAgeDays: 7 });
    expect(sessionPruneOptions({ OMNIZIP_SESSIONS_KEPT: 'lots', OMNIZIP_SESSION_MAX_AGE_DAYS: '-3' })).toEqual({ keep: 500, maxAgeDays: 180 });
  });

  it('never fails a start over a state folder it cannot read', async () => {
    const file = path.join(root, 'not-a-folder');
    await writeFile(file, 'x');
    await expect(cleanUpAtStart(file, { tmpRoot: path.join(root, 'absent') })).resolves.toMatchObject({ sessions: { files: 0 } });
  });
});

describe('web mode start', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of ['TMPDIR', 'OMNIZIP_STUDIO_HOME', 'OMNIZIP_SESSIONS_KEPT']) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  it('removes what a killed server left and prunes sessions beyond the cap before it serves', async () => {
    const dead = deadPid();
    const tmp = path.join(root, 'tmp');
    const home = path.join(root, 'home');
    const sessions = path.join(home, 'sessions');
    await folder(path.join(tmp, `omnizip-upload-${dead}-k1ll3d`));
    await mkdir(sessions, { recursive: true });
    await writeFile(path.join(sessions, `.${hash(9)}.json.${dead}.0123abcd.tmp`), 'half a session');
    await writeFile(path.join(home, `.recent.json.${dead}.89abcdef.tmp`), 'half a list');
    for (let n = 1; n <= 5; n++) await sessionFile(sessions, n, n * HOUR);
    const staticDir = path.join(root, 'renderer');
    await mkdir(staticDir);
    await writeFile(path.join(staticDir, 'index.html'), '<!doctype html>');
    Object.assign(process.env, { TMPDIR: tmp, OMNIZIP_STUDIO_HOME: home, OMNIZIP_SESSIONS_KEPT: '3' });

    const server = await startWebMode({ appRoot: path.resolve(import.meta.dirname, '../..'), staticDir, port: 0 });
    try {
      expect(await readdir(tmp)).toEqual([]);
      expect(await readdir(home)).toEqual(['sessions']);
      expect((await readdir(sessions)).sort()).toEqual([1, 2, 3].map((n) => `${hash(n)}.json`));
    } finally {
      await server.close();
    }
  });
});
