/**
 * The page's end of the call socket (core/server/call-socket.ts): contract calls as binary
 * WebSocket messages on one open connection, so a slider move costs no fetch set-up. It opens on
 * the first call; when it cannot open (a proxy, an old server) every call goes back to fetch.
 */
import { fitsSocketMessage, parseResponse, REPEATING_METHODS, requestMessage, type SocketAnswer } from '../../../core/protocol/call-socket-messages.js';
import { StudioRemoteError } from '../../../core/protocol/contract.js';
import { decodeRepeatedFrame, type FrameMemory } from '../../../core/protocol/wire.js';

/** An answer as the socket hands it on: a repeating method's frame already decoded against the socket's memory. */
export interface SocketReply extends SocketAnswer {
  /** performance.now() when the message arrived (before any decoding here). */
  receivedAt: number;
  /** Set for REPEATING_METHODS: the decoded outcome (its arrays may be the previous reply's). */
  decoded?: { value: unknown };
}

interface Pending {
  method: string;
  resolve(answer: SocketReply): void;
  reject(err: Error): void;
}

export class CallSocket {
  private socket: WebSocket | null = null;
  private opening: Promise<WebSocket | null> | null = null;
  /** Set once the socket could not open: fetch serves every call from then on. */
  private unavailable = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Per repeating method, the arrays of its last reply on this connection (the host keeps the same). */
  private memory = new Map<string, FrameMemory>();

  constructor(private readonly url: string) {}

  /**
   * Sends one call; null when the socket is not available (the caller uses fetch). On an open
   * socket the message leaves before this returns: a slider's replan must not wait behind the
   * React render that the same input event queues (an `await` here would put it after that).
   */
  call(method: string, frame: Uint8Array): Promise<SocketReply | null> {
    if (this.unavailable || !fitsSocketMessage(frame.length) || typeof WebSocket === 'undefined') return Promise.resolve(null);
    const socket = this.socket;
    if (socket && socket.readyState === WebSocket.OPEN) return this.send(socket, method, frame);
    return this.open().then((opened) => (opened ? this.send(opened, method, frame) : null));
  }

  private send(socket: WebSocket, method: string, frame: Uint8Array): Promise<SocketReply> {
    const id = this.nextId++;
    return new Promise<SocketReply>((resolve, reject) => {
      this.pending.set(id, { method, resolve, reject });
      socket.send(requestMessage(id, method, frame));
    });
  }

  private open(): Promise<WebSocket | null> {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) return Promise.resolve(this.socket);
    if (this.opening) return this.opening;
    this.opening = new Promise<WebSocket | null>((resolve) => {
      const socket = new WebSocket(this.url);
      socket.binaryType = 'arraybuffer';
      let opened = false;
      socket.onopen = () => {
        opened = true;
        this.socket = socket;
        this.opening = null;
        resolve(socket);
      };
      socket.onmessage = (event) => {
        if (!(event.data instanceof ArrayBuffer)) return;
        const receivedAt = performance.now();
        const { id, ...answer } = parseResponse(event.data);
        const waiting = this.pending.get(id);
        this.pending.delete(id);
        if (!waiting) return socket.close(1002, 'a reply to no call');
        if (!REPEATING_METHODS.has(waiting.method)) return waiting.resolve({ ...answer, receivedAt });
        // Decoded here, in arrival order: the next reply of this method may repeat this one's arrays.
        try {
          const { value, memory } = decodeRepeatedFrame(answer.frame, this.memory.get(waiting.method) ?? []);
          this.memory.set(waiting.method, memory);
          waiting.resolve({ ...answer, receivedAt, decoded: { value } });
        } catch (err) {
          // The two ends' memories no longer agree: a new connection starts both afresh.
          waiting.reject(err as Error);
          socket.close(1002, 'a reply could not be read');
        }
      };
      socket.onclose = () => {
        this.socket = null;
        this.opening = null;
        this.memory = new Map();
        if (!opened) {
          this.unavailable = true;
          resolve(null);
        }
        // Calls in flight are lost with the connection; the next call opens a new one.
        const lost = [...this.pending.values()];
        this.pending.clear();
        for (const p of lost) p.reject(new StudioRemoteError('transport', 'the connection to the studio host closed during the call'));
      };
    });
    return this.opening;
  }
}
