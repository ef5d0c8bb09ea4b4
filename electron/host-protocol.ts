/** Messages between Electron's main process and the compute host (a utility process). */
import type { DispatchOutcome } from '../core/studio/dispatch.js';
import type { StudioEvent } from '../core/protocol/contract.js';

export type HostRequest = { kind: 'call'; id: number; method: unknown; params: unknown } | { kind: 'shutdown' };

export type HostMessage = { kind: 'reply'; id: number; outcome: DispatchOutcome } | { kind: 'event'; event: StudioEvent } | { kind: 'shut-down' };

/** The request in a message from main, or null for anything else (the method and params are checked by dispatch). */
export function parseHostRequest(data: unknown): HostRequest | null {
  if (typeof data !== 'object' || data === null) return null;
  const message = data as Partial<Record<keyof HostRequest | 'id' | 'method' | 'params', unknown>>;
  if (message.kind === 'shutdown') return { kind: 'shutdown' };
  if (message.kind === 'call' && typeof message.id === 'number') return { kind: 'call', id: message.id, method: message.method, params: message.params };
  return null;
}
