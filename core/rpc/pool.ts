/**
 * A pool of workers serving one RPC API: `call()` like an RpcClient's, run on the least busy of
 * up to `size` workers, queued while every worker is busy. Each worker is an RpcClient, so the
 * pool speaks the same vocabulary (./messages.ts) and keeps its rules:
 *
 * - A worker runs one call at a time (`callsPerWorker` raises that); workers start when a call needs
 *   one and stay up between calls, keeping their caches (the sweep's current clip and analysis).
 * - Aborting a call's `signal` drops it from the queue, or rejects it at once with CancelledError
 *   and reaches the running handler's signal; that worker takes no new call until it has answered
 *   the cancel.
 * - A worker that crashes or exits fails its call with kind 'worker-failed'; the next call that
 *   lands on that slot starts a fresh worker.
 * - `close()` rejects what is queued or running with kind 'pool-closed', then asks every worker to
 *   cancel, release what it holds (onnxruntime sessions) and exit; a worker is terminated only if
 *   it is still there after the grace time.
 */
import { CancelledError } from '../protocol/errors.js';
import { RpcClient, RpcError, type CallOptions, type RpcClientOptions } from './client.js';
import type { RpcApi, RpcParams, RpcProgress, RpcResult } from './messages.js';

export interface RpcPoolOptions extends Omit<RpcClientOptions, 'onCallEnded'> {
  /** Most workers started at once (at least 1). */
  size: number;
  /** Calls one worker runs at the same time (default 1). */
  callsPerWorker?: number;
}

interface Waiting<A extends RpcApi> {
  start(client: RpcClient<A>): void;
  reject(error: Error): void;
}

export class RpcPool<A extends RpcApi> {
  private readonly clients: RpcClient<A>[] = [];
  private readonly queue: Waiting<A>[] = [];
  /** Calls handed to a worker and not settled yet, to reject on close. */
  private readonly running = new Set<(error: Error) => void>();
  private readonly callsPerWorker: number;
  private closed = false;

  constructor(private readonly options: RpcPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) throw new RangeError(`a worker pool needs at least one worker (got ${options.size})`);
    this.callsPerWorker = options.callsPerWorker ?? 1;
  }

  /** Workers started so far (crashed ones restart in their slot). */
  get workers(): number {
    return this.clients.length;
  }

  /** Calls the workers are working on, cancelled ones until their worker has answered. */
  get busy(): number {
    return this.clients.reduce((sum, c) => sum + c.load, 0);
  }

  /** Calls waiting for a worker. */
  get queued(): number {
    return this.queue.length;
  }

  call<M extends keyof A & string>(method: M, params: RpcParams<A, M>, options: CallOptions<RpcProgress<A, M>> = {}): Promise<RpcResult<A, M>> {
    if (this.closed) return Promise.reject(this.closedError());
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(new CancelledError(`${method} cancelled`));
    return new Promise<RpcResult<A, M>>((resolve, reject) => {
      const waiting: Waiting<A> = {
        start: (client) => {
          signal?.removeEventListener('abort', dropFromQueue);
          let settled = false;
          const fail = (error: Error) => {
            if (settled) return;
            settled = true;
            this.running.delete(fail);
            reject(error);
          };
          this.running.add(fail);
          client.call(method, params, options).then((result) => {
            if (settled) return;
            settled = true;
            this.running.delete(fail);
            resolve(result);
          }, fail);
        },
        reject,
      };
      const dropFromQueue = () => {
        const i = this.queue.indexOf(waiting);
        if (i < 0) return;
        this.queue.splice(i, 1);
        reject(new CancelledError(`${method} cancelled`));
      };
      signal?.addEventListener('abort', dropFromQueue, { once: true });
      this.queue.push(waiting);
      this.pump();
    });
  }

  /**
   * Rejects queued and running calls with kind 'pool-closed', then shuts every worker down (it
   * cancels its handlers and runs the API's shutdown hook before exiting; terminated after `graceMs`).
   */
  async close(graceMs?: number): Promise<void> {
    this.closed = true;
    const error = this.closedError();
    for (const waiting of this.queue.splice(0)) waiting.reject(error);
    for (const fail of [...this.running]) fail(error);
    await Promise.all(this.clients.splice(0).map((c) => c.dispose(graceMs)));
  }

  private closedError(): RpcError {
    return new RpcError('pool-closed', `the ${this.options.name} worker pool was closed`);
  }

  /** Hands queued calls to the least busy workers, starting workers up to `size`. */
  private pump(): void {
    while (!this.closed && this.queue.length > 0) {
      const client = this.leastBusy();
      if (!client) return;
      this.queue.shift()!.start(client);
    }
  }

  private leastBusy(): RpcClient<A> | null {
    let best: RpcClient<A> | null = null;
    for (const c of this.clients) if (c.load < this.callsPerWorker && (!best || c.load < best.load)) best = c;
    // An idle worker that is up beats starting one; a busy one does not.
    if (best && best.load === 0) return best;
    if (this.clients.length < this.options.size) {
      const { entry, name, workerData } = this.options;
      const client = new RpcClient<A>({ entry, name, workerData, onCallEnded: () => this.pump() });
      this.clients.push(client);
      return client;
    }
    return best;
  }
}
