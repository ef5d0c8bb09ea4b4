/**
 * The caller side of the worker RPC: `call(method, params, { signal, onProgress })` runs a method
 * of a typed worker API (see ./messages.ts) on a worker thread and resolves with its result, so the
 * caller's event loop (a web server, the compute host) keeps turning while the worker crunches.
 *
 * - The worker starts on the first call and stays up between calls (it keeps its own caches, e.g.
 *   onnxruntime sessions); it does not keep the process alive while idle.
 * - Cancelling is cooperative: aborting `signal` rejects the call at once with CancelledError and
 *   fires the handler's signal; the worker stops at its next check and stays up for the next call.
 *   The worker is never terminated while a call may be inside native code (Worker.terminate()
 *   during an onnxruntime run can abort the whole process), except by dispose()'s grace timeout.
 * - A handler's error comes back as RpcError with the handler's `kind`; 'cancelled' comes back as
 *   CancelledError. A worker that crashes or exits fails its pending calls with kind 'worker-failed'
 *   and is restarted by the next call.
 * - `load` counts the calls the worker is still working on, a cancelled one until the worker has
 *   answered it (the pool in ./pool.ts uses it not to stack calls on a worker that is winding down).
 *
 * The entry module is a parameter: in development a small bootstrap that loads the TypeScript
 * worker through tsx, in a packaged build the compiled file.
 */
import { Worker, type Transferable } from 'node:worker_threads';
import { CancelledError, OmniZipError } from '../protocol/errors.js';
import type { RpcApi, RpcParams, RpcProgress, RpcReply, RpcRequest, RpcResult } from './messages.js';

/** An error raised by a worker handler (or by the worker itself), carrying its kind. */
export class RpcError extends OmniZipError {}

export interface RpcClientOptions {
  /** The module the worker thread runs; it calls serveRpc() with the API's handlers. */
  entry: URL | string;
  /** Named in errors ("the analysis worker exited …"). */
  name: string;
  /** Passed to the worker as workerData. */
  workerData?: unknown;
  /** Called whenever the worker is done with a call: answered, cancelled and then answered, or lost with the worker. */
  onCallEnded?: () => void;
}

export interface CallOptions<Progress> {
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** Buffers of `params` to move to the worker instead of copying (they become unusable here). */
  transfer?: Transferable[];
}

interface PendingCall {
  resolve(result: unknown): void;
  reject(error: Error): void;
  onProgress?: (progress: unknown) => void;
}

export class RpcClient<A extends RpcApi> {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, PendingCall>();
  /** Cancelled calls the worker has not answered yet (it stops at its next check). */
  private readonly draining = new Set<number>();
  private nextId = 1;

  constructor(private readonly options: RpcClientOptions) {}

  /** Calls the worker is working on, cancelled ones included until it has answered them. */
  get load(): number {
    return this.pending.size + this.draining.size;
  }

  call<M extends keyof A & string>(method: M, params: RpcParams<A, M>, options: CallOptions<RpcProgress<A, M>> = {}): Promise<RpcResult<A, M>> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(new CancelledError(`${method} cancelled`));
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<RpcResult<A, M>>((resolve, reject) => {
      const onAbort = () => {
        if (!this.settle(id)) return;
        this.draining.add(id);
        this.post({ type: 'cancel', id });
        reject(new CancelledError(`${method} cancelled`));
      };
      const done = <T>(action: (value: T) => void) => (value: T) => {
        signal?.removeEventListener('abort', onAbort);
        action(value);
      };
      this.pending.set(id, { resolve: done(resolve as (r: unknown) => void), reject: done(reject), onProgress: options.onProgress as ((p: unknown) => void) | undefined });
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.ref();
      this.post({ type: 'call', id, method, params }, options.transfer);
    });
  }

  /**
   * Stops the worker: pending calls fail, running handlers are cancelled, the worker releases what it
   * holds and exits by itself; it is terminated only if it is still there after `graceMs`.
   */
  async dispose(graceMs = 10_000): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (!worker) return;
    this.draining.clear();
    this.failAll(new RpcError('worker-failed', `the ${this.options.name} worker was shut down`));
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'shutdown' } satisfies RpcRequest);
    const timer = setTimeout(() => void worker.terminate(), graceMs);
    await exited;
    clearTimeout(timer);
  }

  /** Removes a pending call; false if it had already settled. */
  private settle(id: number): boolean {
    const had = this.pending.delete(id);
    if (this.pending.size === 0) this.worker?.unref();
    return had;
  }

  private post(request: RpcRequest, transfer: Transferable[] = []): void {
    this.worker?.postMessage(request, transfer);
  }

  private failAll(error: Error): void {
    const calls = [...this.pending.values()];
    this.pending.clear();
    for (const call of calls) call.reject(error);
  }

  /** The worker died: its calls, running or winding down, are gone. */
  private lost(worker: Worker, error: Error): void {
    if (this.worker !== worker) return; // a worker that was already replaced owns no calls any more
    this.worker = null;
    const had = this.load > 0;
    this.draining.clear();
    this.failAll(error);
    if (had) this.options.onCallEnded?.();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.options.entry, { workerData: this.options.workerData });
    worker.on('message', (reply: RpcReply) => {
      const call = this.pending.get(reply.id);
      if (!call) {
        // Cancelled on this side already: its final answer only says the worker is free of it.
        if (reply.type !== 'progress' && this.draining.delete(reply.id)) this.options.onCallEnded?.();
        return;
      }
      if (reply.type === 'progress') {
        call.onProgress?.(reply.progress);
        return;
      }
      this.settle(reply.id);
      if (reply.type === 'result') call.resolve(reply.result);
      else if (reply.error.kind === 'cancelled') call.reject(new CancelledError(reply.error.message));
      else call.reject(new RpcError(reply.error.kind, reply.error.message));
      this.options.onCallEnded?.();
    });
    worker.on('error', (err) => this.lost(worker, new RpcError('worker-failed', `the ${this.options.name} worker failed: ${err.message}`)));
    worker.on('exit', (code) => this.lost(worker, new RpcError('worker-failed', `the ${this.options.name} worker exited (code ${code}) before finishing`)));
    this.worker = worker;
    return worker;
  }
}
