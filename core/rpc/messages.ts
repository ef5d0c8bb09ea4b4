/**
 * The worker RPC's vocabulary: an API is a map from method name to its params, result and progress
 * types; these are the only messages that travel between an RpcClient and serveRpc. Everything
 * travels by structured clone, so params, results and progress must be plain data (typed arrays
 * included); buffers named in a transfer list move without a copy.
 */

/** One method of a worker API. */
export interface RpcMethod<Params, Result, Progress = never> {
  params: Params;
  result: Result;
  progress: Progress;
}

/** A worker API: method name → RpcMethod. */
export type RpcApi = { [method: string]: RpcMethod<unknown, unknown, unknown> };

export type RpcParams<A extends RpcApi, M extends keyof A> = A[M]['params'];
export type RpcResult<A extends RpcApi, M extends keyof A> = A[M]['result'];
export type RpcProgress<A extends RpcApi, M extends keyof A> = A[M]['progress'];

/** What an error looks like on the wire: its kind (see core/protocol/errors.ts) and its message. */
export interface RpcErrorPayload {
  kind: string;
  message: string;
}

export type RpcRequest =
  | { type: 'call'; id: number; method: string; params: unknown }
  /** The caller's AbortSignal fired: the handler's signal fires, and it stops at its next check. */
  | { type: 'cancel'; id: number }
  /** Cancel everything, release resources, end the thread (terminating mid-native-call can abort the process). */
  | { type: 'shutdown' };

export type RpcReply =
  | { type: 'progress'; id: number; progress: unknown }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; error: RpcErrorPayload };
