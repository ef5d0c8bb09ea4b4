/**
 * The page's end of the call socket (core/server/call-socket.ts): contract calls as binary
 * WebSocket messages on one open connection, so a slider move costs no fetch set-up. It opens on
 * the first call; when it cannot open (a proxy, an old server) every call goes back to fetch.
 */
import { fitsSocketMessage, parseResponse, requestMessage, type SocketAnswer } from '../../../core/protocol/call-socket-messages.js';
import { StudioRemoteError } from '../../../core/protocol/contract.js';

interface Pending {
  resolve(answer: SocketAnswer): void;
  reject(err: Error): void;
}

export class CallSocket {
  private socket: WebSocket | null = null;
  private opening: Promise<WebSocket | null> | null = null;
  /** Set once the socket could not open: fetch serves every call from then on. */
  private unavailable = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly url: string) {}

  /**
   * Sends one call; null when the socket is not available (the caller uses fetch). On an open
   * socket the message leaves before this returns: a slider's replan must not wait behind the
   * React render that the same input event queues (an `await` here would put it after that).
   */
  call(method: string, frame: Uint8Array): Promise<SocketAnswer | null> {
    if (this.unavailable || !fitsSocketMessage(frame.length) || typeof WebSocket === 'undefined') return Promise.resolve(null);
    const socket = this.socket;
    if (socket && socket.readyState === WebSocket.OPEN) return this.send(socket, method, frame);
    return this.open().then((opened) => (opened ? this.send(opened, method, frame) : null));
  }

  private send(socket: WebSocket, method: string, frame: Uint8Array): Promise<SocketAnswer> {
    const id = this.nextId++;
    return new Promise<SocketAnswer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
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
        const { id, ...answer } = parseResponse(event.data);
        const waiting = this.pending.get(id);
        this.pending.delete(id);
        waiting?.resolve(answer);
      };
      socket.onclose = () => {
        this.socket = null;
        this.opening = null;
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
