/** Messages between Electron's main process and the compute host (a utility process). */
import type { DispatchOutcome } from '../core/studio/dispatch.js';
import type { StudioEvent } from '../core/studio/contract.js';

export interface HostRequest {
  id: number;
  method: string;
  params: unknown;
}

export type HostMessage = { kind: 'reply'; id: number; outcome: DispatchOutcome } | { kind: 'event'; event: StudioEvent } | { kind: 'ready' };
