import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { RecentFile } from '../protocol/contract.js';

const MAX_RECENT = 10;

/**
 * The recent-files list, kept in a small JSON file (written atomically) when a location is given,
 * else in memory for this run only. A missing or damaged file just means an empty list: losing the
 * history must never stop the studio from starting.
 */
export class RecentFiles {
  private cache: RecentFile[] | null = null;

  constructor(private readonly file: string | null) {}

  async list(): Promise<RecentFile[]> {
    if (this.cache) return this.cache;
    this.cache = [];
    if (this.file) {
      try {
        const parsed: unknown = JSON.parse(await readFile(this.file, 'utf8'));
        if (Array.isArray(parsed)) {
          this.cache = parsed
            .filter((r): r is RecentFile => !!r && typeof r.path === 'string' && typeof r.name === 'string' && typeof r.openedAt === 'string')
            .slice(0, MAX_RECENT);
        }
      } catch {
        // No history yet (or unreadable): start empty.
      }
    }
    return this.cache;
  }

  async add(file: string, name = path.basename(file)): Promise<void> {
    const absolute = path.resolve(file);
    const current = (await this.list()).filter((r) => r.path !== absolute);
    this.cache = [{ path: absolute, name, openedAt: new Date().toISOString() }, ...current].slice(0, MAX_RECENT);
    if (this.file) await writeFileAtomic(this.file, `${JSON.stringify(this.cache, null, 1)}\n`);
  }
}
