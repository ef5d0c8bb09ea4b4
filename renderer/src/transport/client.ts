/**
 * The renderer's side of the studio contract. Two transports, one interface: Electron IPC through
 * the preload bridge, or HTTP to the web-mode server. Both check every result against the
 * contract before the UI sees it.
 */
import { ContractError } from '../../../core/protocol/check.js';
import {
  studioEventCheck,
  studioMethods,
  StudioRemoteError,
  type Params,
  type Result,
  type StudioErrorPayload,
  type StudioEvent,
  type StudioMethod,
} from '../../../core/protocol/contract.js';
import { decodeFrame, encodeFrame } from '../../../core/protocol/wire.js';
import type { CallTiming } from '../perf.js';
import { CallSocket } from './call-socket.js';

export type TransportMode = 'electron' | 'web';

export interface StudioClient {
  readonly mode: TransportMode;
  /** `timing`, when given, receives when the request left, when the answer came and when it was checked. */
  call<M extends StudioMethod>(method: M, params: Params<M>, timing?: CallTiming): Promise<Result<M>>;
  onEvent(listener: (event: StudioEvent) => void): () => void;
}

/** What Electron's preload exposes on `window.omnizipBridge` (see electron/preload.ts). */
export interface PreloadBridge {
  invoke(method: string, params: unknown): Promise<{ ok: true; result: unknown } | { ok: false; error: StudioErrorPayload }>;
  onEvent(listener: (event: unknown) => void): () => void;
  /** The path of a file the user dropped or picked, now allowed for clip.openPath; null when it has none (desktop only). */
  chooseDroppedFile?(file: File): Promise<string | null>;
}

function checked<M extends StudioMethod>(method: M, outcome: unknown): Result<M> {
  if (!outcome || typeof outcome !== 'object' || !('ok' in outcome)) throw new ContractError('malformed reply', method);
  const o = outcome as { ok: boolean; result?: unknown; error?: StudioErrorPayload };
  if (!o.ok) throw new StudioRemoteError(o.error?.kind ?? 'internal', o.error?.message ?? 'unknown error');
  return studioMethods[method].result.parse(o.result, `${method} result`) as Result<M>;
}

/** What a transport brings back: the answer, decoded on demand so decoding counts as its own stage, and the host's own timings. */
interface Answer {
  decode(): unknown;
  host?: Pick<CallTiming, 'hostMs' | 'hostEncodeMs'>;
  /** When the answer arrived, if the transport decoded part of it on arrival (the call socket's repeating replies). */
  receivedAt?: number;
}

/**
 * One call's bookkeeping for every transport: `timing` (when given) receives when the request
 * left, when the answer came (with the host's timings) and when it was decoded and checked.
 * `send` runs synchronously up to its first await, so the request leaves before this returns.
 */
async function timedCall<M extends StudioMethod>(method: M, timing: CallTiming | undefined, send: () => Promise<Answer>): Promise<Result<M>> {
  if (timing) timing.sent = performance.now();
  const answer = await send();
  if (timing) Object.assign(timing, { responded: answer.receivedAt ?? performance.now() }, answer.host);
  const result = checked(method, answer.decode());
  if (timing) timing.decoded = performance.now();
  return result;
}

export function createIpcClient(bridge: PreloadBridge): StudioClient {
  return {
    mode: 'electron',
    call(method, params, timing) {
      return timedCall(method, timing, async () => {
        const outcome = await bridge.invoke(method, params);
        return { decode: () => outcome };
      });
    },
    onEvent(listener) {
      return bridge.onEvent((raw) => {
        try {
          listener(studioEventCheck.parse(raw, 'event'));
        } catch (err) {
          console.warn('ignored a malformed event', err);
        }
      });
    },
  };
}

/** The web server's `Server-Timing: call;dur=…, encode;dur=…` (core/server/server.ts), as CallTiming fields. */
export function serverTiming(header: string | null): Pick<CallTiming, 'hostMs' | 'hostEncodeMs'> {
  const out: Pick<CallTiming, 'hostMs' | 'hostEncodeMs'> = {};
  for (const m of (header ?? '').matchAll(/(\w+);dur=([0-9.]+)/g)) {
    if (m[1] === 'call') out.hostMs = Number(m[2]);
    else if (m[1] === 'encode') out.hostEncodeMs = Number(m[2]);
  }
  return out;
}

export function createWebClient(token: string, base = ''): StudioClient {
  const listeners = new Set<(event: StudioEvent) => void>();
  let source: EventSource | null = null;
  const ensureEvents = () => {
    if (source) return;
    source = new EventSource(`${base}/api/events?token=${encodeURIComponent(token)}`);
    source.onmessage = (msg) => {
      try {
        const event = studioEventCheck.parse(JSON.parse(msg.data as string), 'event');
        for (const l of listeners) l(event);
      } catch (err) {
        console.warn('ignored a malformed event', err);
      }
    };
  };
  const socketBase = base ? base.replace(/^http/, 'ws') : `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;
  const socket = new CallSocket(`${socketBase}/api/socket?token=${encodeURIComponent(token)}`);
  return {
    mode: 'web',
    async call(method, params, timing) {
      if (method.startsWith('shell.')) throw new StudioRemoteError('unsupported', `${method} exists only in the desktop app`);
      if (method === 'clip.openBytes') {
        // Large files stream to the server's disk instead of riding inside one in-memory frame.
        const p = params as Params<'clip.openBytes'>;
        const upload = await fetch(`${base}/api/upload`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/octet-stream', 'x-omnizip-token': token, 'x-omnizip-name': encodeURIComponent(p.name) },
          body: p.bytes as Uint8Array<ArrayBuffer>,
        });
        const text = await upload.text();
        if (!upload.ok) throw new StudioRemoteError('transport', `the upload was refused (${upload.status}): ${text.trim()}`);
        const { uploadId } = JSON.parse(text) as { uploadId: string };
        return this.call('clip.openUpload', { jobId: p.jobId, uploadId }) as Promise<Result<typeof method>>;
      }
      const body = encodeFrame(params) as Uint8Array<ArrayBuffer>;
      return timedCall(method, timing, async () => {
        const viaSocket = await socket.call(method, body);
        if (viaSocket) {
          const { decoded, frame } = viaSocket;
          return { decode: () => (decoded ? decoded.value : decodeFrame(frame)), host: { hostMs: viaSocket.hostMs, hostEncodeMs: viaSocket.encodeMs }, receivedAt: decoded ? viaSocket.receivedAt : undefined };
        }
        // No socket (refused or closed): the same frame over HTTP.
        const response = await fetch(`${base}/api/call/${encodeURIComponent(method)}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/octet-stream', 'x-omnizip-token': token },
          body,
        });
        const bytes = new Uint8Array(await response.arrayBuffer());
        if (response.headers.get('content-type') !== 'application/octet-stream') {
          throw new StudioRemoteError('transport', `the server answered ${response.status}: ${new TextDecoder().decode(bytes).trim()}`);
        }
        return { decode: () => decodeFrame(bytes), host: serverTiming(response.headers.get('server-timing')) };
      });
    },
    onEvent(listener) {
      ensureEvents();
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

declare global {
  interface Window {
    omnizipBridge?: PreloadBridge;
  }
}

/** Electron when the preload bridge is present, else web mode with the page URL's token. */
export function connect(): StudioClient {
  if (window.omnizipBridge) return createIpcClient(window.omnizipBridge);
  const token = new URLSearchParams(window.location.search).get('token') ?? '';
  return createWebClient(token);
}
