/**
 * The worker side of the RPC: answers calls with a typed handler table, one handler per method.
 * Each call gets its own AbortSignal (fired by the client's cancel or a shutdown) and a progress
 * callback; a thrown error goes back as its kind and message (core/protocol/errors.ts).
 */
import { parentPort, type MessagePort, type Transferable } from 'node:worker_threads';
import { errorKind } from '../protocol/errors.js';
import type { RpcApi, RpcParams, RpcProgress, RpcReply, RpcRequest, RpcResult } from './messages.js';

export interface RpcCallContext<Progress> {
  signal: AbortSignal;
  progress(progress: Progress): void;
  /** Buffers of the result to move to the caller instead of copying (they become unusable here). */
  transfer(buffers: Transferable[]): void;
}

export type RpcHandlers<A extends RpcApi> = {
  [M in keyof A]: (params: RpcParams<A, M>, context: RpcCallContext<RpcProgress<A, M>>) => Promise<RpcResult<A, M>>;
};

export interface ServeOptions {
  /** Runs on shutdown, once every running call was cancelled and has ended (release native sessions here). */
  onShutdown?: () => Promise<void>;
  /** The port to serve; default the worker thread's parentPort. */
  port?: MessagePort;
}

export function serveRpc<A extends RpcApi>(handlers: RpcHandlers<A>, options: ServeOptions = {}): void {
  const port = options.port ?? parentPort;
  if (!port) throw new Error('serveRpc must run inside a worker thread');
  // Each running call's cancel switch and the promise that settles once it has answered.
  const running = new Map<number, { controller: AbortController; answered: Promise<void> }>();
  const post = (reply: RpcReply, transfer: Transferable[] = []) => port.postMessage(reply, transfer);

  port.on('message', (request: RpcRequest) => {
    if (request.type === 'cancel') {
      running.get(request.id)?.controller.abort();
      return;
    }
    if (request.type === 'shutdown') {
      const calls = [...running.values()];
      for (const call of calls) call.controller.abort();
      // Sessions are released only after the handlers using them stopped (at their next check).
      void Promise.allSettled(calls.map((call) => call.answered))
        .then(() => options.onShutdown?.())
        .finally(() => port.close());
      return;
    }
    const { id, method, params } = request;
    const handler = Object.hasOwn(handlers, method) ? handlers[method] : undefined;
    if (!handler) {
      post({ type: 'error', id, error: { kind: 'bad-request', message: `unknown worker method ${JSON.stringify(method)}` } });
      return;
    }
    const controller = new AbortController();
    let transfer: Transferable[] = [];
    const context: RpcCallContext<unknown> = {
      signal: controller.signal,
      progress: (progress) => post({ type: 'progress', id, progress }),
      transfer: (buffers) => (transfer = buffers),
    };
    const answered = handler(params as never, context as never)
      .then(
        (result) => post({ type: 'result', id, result }, transfer),
        (err: unknown) => post({ type: 'error', id, error: { kind: errorKind(err), message: err instanceof Error ? err.message : String(err) } }),
      )
      .finally(() => running.delete(id));
    running.set(id, { controller, answered });
  });
}
