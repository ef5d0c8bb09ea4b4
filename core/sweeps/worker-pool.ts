/**
 * A pool of worker threads running jobs of one module, behind a small transport interface
 * (spawn a worker for a module URL, send a job, receive progress/result, cancel) so it can move
 * onto the shared worker RPC without changing its callers.
 */
import { Worker } from 'node:worker_threads';

/** Messages the pool sends to a worker. */
/**
 * 'shutdown' asks a worker to cancel what it runs, release native resources and exit by itself:
 * terminating a thread while onnxruntime works in it can abort the whole process.
 */
export type PoolRequest<Job> = { type: 'run'; id: number; job: Job } | { type: 'cancel'; id: number } | { type: 'shutdown' };
/** Messages a worker sends back. */
export type PoolReply<Result, Progress> =
  | { type: 'progress'; id: number; progress: Progress }
  | { type: 'result'; id: number; result: Result }
  | { type: 'error'; id: number; name: string; message: string };

export interface WorkerChannel<Job, Result, Progress> {
  send(message: PoolRequest<Job>): void;
  onMessage(listener: (message: PoolReply<Result, Progress>) => void): void;
  onExit(listener: (error: Error) => void): void;
  terminate(): Promise<void>;
}

export type WorkerSpawner<Job, Result, Progress> = (moduleUrl: URL) => WorkerChannel<Job, Result, Progress>;

/**
 * The default transport: node:worker_threads. `unref`: the worker does not keep the process alive
 * (for a long-lived host's helper pool that should not block its exit).
 */
export function threadSpawner<Job, Result, Progress>(options: { unref?: boolean } = {}): WorkerSpawner<Job, Result, Progress> {
  return (url) => {
    const worker = new Worker(url);
    if (options.unref) worker.unref();
    return {
      send: (m) => worker.postMessage(m),
      onMessage: (l) => worker.on('message', l),
      onExit: (l) => {
        worker.on('error', (e) => l(e));
        worker.on('exit', (code) => l(new Error(`worker exited with code ${code}`)));
      },
      terminate: async () => {
        await worker.terminate();
      },
    };
  };
}

export class WorkerJobError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export class PoolClosedError extends Error {
  constructor() {
    super('the worker pool was closed');
    this.name = 'PoolClosedError';
  }
}

interface Pending<Result, Progress> {
  resolve: (r: Result) => void;
  reject: (e: Error) => void;
  onProgress?: (p: Progress) => void;
}

interface Slot<Job, Result, Progress> {
  channel: WorkerChannel<Job, Result, Progress>;
  busy: number | null;
}

export class WorkerPool<Job, Result, Progress = never> {
  private readonly slots: Slot<Job, Result, Progress>[] = [];
  private readonly queue: Array<{ id: number; job: Job }> = [];
  private readonly pending = new Map<number, Pending<Result, Progress>>();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly moduleUrl: URL,
    private readonly size: number,
    private readonly spawner: WorkerSpawner<Job, Result, Progress> = threadSpawner(),
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`a worker pool needs at least one worker (got ${size})`);
  }

  private spawnSlot(): Slot<Job, Result, Progress> {
    const slot: Slot<Job, Result, Progress> = { channel: this.spawner(this.moduleUrl), busy: null };
    slot.channel.onMessage((m) => this.onReply(slot, m));
    slot.channel.onExit((err) => {
      const i = this.slots.indexOf(slot);
      if (i < 0) return;
      this.slots.splice(i, 1);
      if (slot.busy !== null) this.settle(slot.busy, (p) => p.reject(err));
      if (!this.closed) this.pump();
    });
    this.slots.push(slot);
    return slot;
  }

  private settle(id: number, action: (p: Pending<Result, Progress>) => void): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    action(p);
  }

  private onReply(slot: Slot<Job, Result, Progress>, m: PoolReply<Result, Progress>): void {
    if (m.type === 'progress') {
      this.pending.get(m.id)?.onProgress?.(m.progress);
      return;
    }
    if (slot.busy === m.id) slot.busy = null;
    if (m.type === 'result') this.settle(m.id, (p) => p.resolve(m.result));
    else this.settle(m.id, (p) => p.reject(new WorkerJobError(m.name, m.message)));
    this.pump();
  }

  private pump(): void {
    while (this.queue.length > 0 && !this.closed) {
      let slot = this.slots.find((s) => s.busy === null);
      if (!slot && this.slots.length < this.size) slot = this.spawnSlot();
      if (!slot) return;
      const next = this.queue.shift()!;
      if (!this.pending.has(next.id)) continue;
      slot.busy = next.id;
      slot.channel.send({ type: 'run', id: next.id, job: next.job });
    }
  }

  /** Runs one job on the next free worker. Aborting `signal` cancels it (queued: dropped; running: asked to stop). */
  run(job: Job, options: { signal?: AbortSignal; onProgress?: (p: Progress) => void } = {}): Promise<Result> {
    if (this.closed) return Promise.reject(new PoolClosedError());
    const id = this.nextId++;
    return new Promise<Result>((resolve, reject) => {
      const onAbort = () => {
        const slot = this.slots.find((s) => s.busy === id);
        if (slot) slot.channel.send({ type: 'cancel', id });
        this.settle(id, (p) => p.reject(new WorkerJobError('CancelledError', 'cancelled')));
      };
      const detach = () => options.signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, {
        resolve: (r) => {
          detach();
          resolve(r);
        },
        reject: (e) => {
          detach();
          reject(e);
        },
        onProgress: options.onProgress,
      });
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push({ id, job });
      this.pump();
    });
  }

  get busyWorkers(): number {
    return this.slots.filter((s) => s.busy !== null).length;
  }

  /**
   * Stops every worker; jobs still queued or running are rejected. Each worker is asked to shut
   * down cleanly and only terminated if it has not exited within `graceMs`.
   */
  async close(graceMs = 15_000): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    for (const id of [...this.pending.keys()]) this.settle(id, (p) => p.reject(new PoolClosedError()));
    const slots = this.slots.splice(0);
    await Promise.all(
      slots.map(
        (s) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => void s.channel.terminate().then(resolve, resolve), graceMs);
            s.channel.onExit(() => {
              clearTimeout(timer);
              resolve();
            });
            s.channel.send({ type: 'shutdown' });
          }),
      ),
    );
  }
}
