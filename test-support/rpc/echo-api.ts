/** A small worker API for the RPC's own tests. */
import type { RpcMethod } from '../../core/rpc/messages.js';

export type EchoApi = {
  echo: RpcMethod<{ text: string }, { text: string }, number>;
  /** Reports progress until its signal fires, then throws CancelledError. */
  spin: RpcMethod<Record<string, never>, never, number>;
  fail: RpcMethod<{ kind: string; message: string }, never>;
  /** Holds the worker for `holdMs`, then says which thread it is and how many spins were cancelled there. */
  whoami: RpcMethod<{ holdMs: number }, { threadId: number; cancelledSpins: number }>;
  /** Ends the worker thread abruptly. */
  crash: RpcMethod<Record<string, never>, never>;
};
