import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { resolveConfig } from '../config/validate.js';
import { ContractError } from '../protocol/check.js';
import { SAVED_SESSION_FORMAT, SAVED_SESSION_VERSION, savedSessionFileCheck, type SavedSession } from '../protocol/session-contract.js';

export const SESSION_SAVE_DEBOUNCE_MS = 300;

/** What loading a clip's saved session found: its state, or a note saying why a file was ignored. */
export interface LoadedSession {
  state: SavedSession | null;
  savedAt: string | null;
  /** Set when a session file exists but could not be used (it is left alone and replaced on the next save). */
  problem: string | null;
}

interface Pending {
  state: SavedSession;
  savedAt: string;
  timer: NodeJS.Timeout;
}

const HASH = /^[0-9a-f]{16,128}$/i;

/**
 * Per-clip session autosave, one small JSON file per bundle content hash under `dir` (written
 * atomically), or in memory for this run only when no directory is given. Saves are debounced:
 * a slider drag becomes one write, `debounceMs` after the last change, while a load in between
 * answers the latest state (not the older file). Writes of one clip are serialised so an older
 * state can never land after a newer one.
 */
export class SessionStore {
  private readonly pending = new Map<string, Pending>();
  private readonly memory = new Map<string, { state: SavedSession; savedAt: string }>();
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly dir: string | null,
    private readonly debounceMs = SESSION_SAVE_DEBOUNCE_MS,
    /** Told about a write that failed (the state stays pending in memory for this run). */
    private readonly onWriteError: (err: Error, file: string) => void = (err, file) => console.error(`omnizip-studio: cannot save the session to ${file}: ${err.message}`),
  ) {}

  fileFor(contentHash: string): string | null {
    if (!HASH.test(contentHash)) throw new Error(`session store: '${contentHash}' is not a content hash`);
    return this.dir ? path.join(this.dir, `${contentHash.toLowerCase()}.json`) : null;
  }

  async load(contentHash: string): Promise<LoadedSession> {
    const key = contentHash.toLowerCase();
    const latest = this.pending.get(key) ?? this.memory.get(key);
    if (latest) return { state: latest.state, savedAt: latest.savedAt, problem: null };
    await this.chains.get(key);
    const file = this.fileFor(key);
    if (!file) return { state: null, savedAt: null, problem: null };
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { state: null, savedAt: null, problem: null };
      // A directory in the way is never replaced by a save (the rename fails): say so, and what to do.
      if (code === 'EISDIR') return { state: null, savedAt: null, problem: `Settings for this clip cannot be saved: ${file} is a directory; remove it to enable autosave.` };
      return { state: null, savedAt: null, problem: this.ignored(file, code ?? (err as Error).message) };
    }
    try {
      const parsed = savedSessionFileCheck.parse(JSON.parse(text) as unknown, 'session');
      if (parsed.contentHash.toLowerCase() !== key) throw new Error(`it belongs to clip ${parsed.contentHash}`);
      // A config the core no longer accepts (a renamed key, a hand edit) would fail every plan.
      for (const config of [parsed.state.config, parsed.state.pinnedConfig]) if (config) resolveConfig(config);
      return { state: parsed.state, savedAt: parsed.savedAt, problem: null };
    } catch (err) {
      const reason = err instanceof SyntaxError ? `not valid JSON (${err.message})` : err instanceof ContractError ? err.message : (err as Error).message;
      return { state: null, savedAt: null, problem: this.ignored(file, reason) };
    }
  }

  /** Keeps `state` as the clip's latest and writes it once no other save came for `debounceMs`. */
  save(contentHash: string, state: SavedSession): void {
    const key = contentHash.toLowerCase();
    this.fileFor(key);
    const previous = this.pending.get(key);
    if (previous) clearTimeout(previous.timer);
    const savedAt = new Date().toISOString();
    const timer = setTimeout(() => void this.write(key), this.debounceMs);
    // A pending save must not keep a CLI or test process alive; hosts flush on shutdown.
    timer.unref();
    this.pending.set(key, { state, savedAt, timer });
  }

  /**
   * Writes `state` now and resolves once it is on disk (fsynced, renamed): what `session.save`
   * acknowledges. A debounced save acknowledged at once was lost to a kill -9 in 13 of 15 tries
   * (issue 15 item 13); the renderer keeps typing fast by sending only its latest state while a
   * save is in flight. Rejects when the write fails, so the user is told instead of misled.
   */
  async saveDurable(contentHash: string, state: SavedSession): Promise<void> {
    const key = contentHash.toLowerCase();
    const file = this.fileFor(key);
    const previous = this.pending.get(key);
    if (previous) clearTimeout(previous.timer);
    this.pending.delete(key);
    const savedAt = new Date().toISOString();
    if (!file) {
      this.memory.set(key, { state, savedAt });
      return;
    }
    const body = { format: SAVED_SESSION_FORMAT, version: SAVED_SESSION_VERSION, contentHash: key, savedAt, state };
    let failure: Error | null = null;
    await this.enqueue(key, async () => {
      try {
        await writeFileAtomic(file, `${JSON.stringify(body)}\n`);
        this.memory.delete(key);
      } catch (err) {
        this.memory.set(key, { state, savedAt });
        failure = err as Error;
      }
    });
    if (failure) throw new Error(`cannot save the session to ${file}: ${(failure as Error).message}`);
  }

  /** Forgets the clip's state: drops a pending save and removes the file. */
  async clear(contentHash: string): Promise<boolean> {
    const key = contentHash.toLowerCase();
    const file = this.fileFor(key);
    const previous = this.pending.get(key);
    if (previous) clearTimeout(previous.timer);
    this.pending.delete(key);
    const hadMemory = this.memory.delete(key);
    let removed = false;
    await this.enqueue(key, async () => {
      if (!file) return;
      try {
        await rm(file);
        removed = true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    });
    return removed || hadMemory || previous !== undefined;
  }

  /** Writes every pending save now (tests, and hosts shutting down). */
  async flush(): Promise<void> {
    for (const [key, p] of [...this.pending]) {
      clearTimeout(p.timer);
      await this.write(key);
    }
    await Promise.all(this.chains.values());
  }

  private write(key: string): Promise<void> {
    const p = this.pending.get(key);
    if (!p) return this.chains.get(key) ?? Promise.resolve();
    this.pending.delete(key);
    const file = this.fileFor(key);
    if (!file) {
      this.memory.set(key, { state: p.state, savedAt: p.savedAt });
      return Promise.resolve();
    }
    const body = { format: SAVED_SESSION_FORMAT, version: SAVED_SESSION_VERSION, contentHash: key, savedAt: p.savedAt, state: p.state };
    return this.enqueue(key, async () => {
      try {
        await writeFileAtomic(file, `${JSON.stringify(body)}\n`);
        this.memory.delete(key);
      } catch (err) {
        // Keep it for this run (a later open still restores it) and say so; never throw into a timer.
        this.memory.set(key, { state: p.state, savedAt: p.savedAt });
        this.onWriteError(err as Error, file);
      }
    });
  }

  private enqueue(key: string, work: () => Promise<void>): Promise<void> {
    const next = (this.chains.get(key) ?? Promise.resolve()).then(work);
    const settled = next.catch(() => undefined);
    this.chains.set(key, settled);
    void settled.then(() => {
      if (this.chains.get(key) === settled) this.chains.delete(key);
    });
    return next;
  }

  private ignored(file: string, reason: string): string {
    return `Saved settings for this clip were ignored (${path.basename(file)}: ${reason}); they will be replaced on the next change.`;
  }
}
