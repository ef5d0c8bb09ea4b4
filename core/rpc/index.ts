/**
 * The typed worker RPC (one request → one result, progress events, cooperative cancellation,
 * errors that carry a kind). Define an API as a map of RpcMethod types, serve it in the worker
 * with serveRpc(handlers), call it from the host with new RpcClient<Api>({ entry, name }), or spread
 * calls over several workers with new RpcPool<Api>({ entry, name, size }).
 */
export { RpcClient, RpcError, type CallOptions, type RpcClientOptions } from './client.js';
export type { RpcApi, RpcErrorPayload, RpcMethod, RpcParams, RpcProgress, RpcReply, RpcRequest, RpcResult } from './messages.js';
export { RpcPool, type RpcPoolOptions } from './pool.js';
