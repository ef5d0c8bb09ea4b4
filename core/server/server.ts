/**
 * Web mode: the studio's renderer and its contract served over HTTP on loopback, for machines
 * without Electron or a display, remote GPU boxes over an SSH tunnel, and browser tests.
 *
 * Every request must carry the run's secret token (query `token`, header `x-omnizip-token`, or the
 * HttpOnly cookie set when the page is first opened with the token); anything else gets 403.
 * The Host header must name the loopback address we listen on, which defeats DNS rebinding.
 * Contract calls (which change state: open files, save sessions) take the token from the header
 * only, with an OMZ1 body type and, when the browser sends an Origin, our own: the cookie alone
 * would let a page on another loopback port (same site, so the SameSite cookie goes along) post a
 * "simple" no-cors request that needs no preflight.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { dispatch } from '../studio/dispatch.js';
import type { StudioSession } from '../studio/session.js';
import type { StudioEvent } from '../protocol/contract.js';
import { decodeFrame, encodeFrame } from '../protocol/wire.js';
import { CALL_SOCKET_PATH, handleCallSocketUpgrade } from './call-socket.js';
import { CONTENT_SECURITY_POLICY } from './csp.js';
import { ownedTempPrefix, UPLOAD_DIR_PREFIX } from './state-hygiene.js';

export { CONTENT_SECURITY_POLICY };

export const TOKEN_HEADER = 'x-omnizip-token';
const COOKIE = 'omz_token';
/** Uploaded bundles of a 60 s 7B clip are ~130 MB; leave room for longer clips. */
const MAX_BODY_BYTES = 1536 * 1024 * 1024;
/**
 * Request bytes all requests together may hold at once (contract bodies in memory, uploads in
 * flight to disk): three concurrent 1.5 GB uploads once held 7.3 GB (issue 15 item 7).
 * OMNIZIP_MAX_CONCURRENT_UPLOAD_MB changes it.
 */
export function maxConcurrentBodyBytes(env: NodeJS.ProcessEnv = process.env): number {
  const mb = Number(env.OMNIZIP_MAX_CONCURRENT_UPLOAD_MB);
  return env.OMNIZIP_MAX_CONCURRENT_UPLOAD_MB !== undefined && Number.isFinite(mb) && mb > 0 ? mb * 1024 * 1024 : 2048 * 1024 * 1024;
}
/** An upload nobody opens within this time is deleted. */
const UPLOAD_TTL_MS = 10 * 60 * 1000;

/** Counts request bytes against the shared cap; each request reserves before it reads. */
class BodyBudget {
  private used = 0;
  constructor(readonly limit: number) {}
  reserve(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }
  free(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
  get inUse(): number {
    return this.used;
  }
}

class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

export interface StudioServerOptions {
  session: StudioSession;
  /** The built renderer (vite output) to serve. */
  staticDir: string;
  port?: number;
  /** Fixed token (tests); a fresh random one per run otherwise. */
  token?: string;
  /** A file to open when the page loads, passed to the renderer as `open=` in the URL. */
  openFile?: string;
  /** Told when a file has been served and when a call has been answered (startup-marks.ts). */
  mark?: (what: string) => void;
  /** Called each time the page itself (index.html) has been sent. */
  onPageServed?: () => void;
  /** Called once every asset the page last sent names has been sent too (pageAssets). */
  onPageAssetsServed?: () => void;
}

/**
 * The assets a built index.html names (`./assets/…` in src or href), as the URL paths the browser
 * asks for: its script, style and the preloaded plotly chunk, requested as soon as it is parsed.
 */
export function pageAssets(html: string): string[] {
  return [...new Set([...html.matchAll(/\b(?:src|href)="\.?\/?(assets\/[^"?#]+)"/g)].map((m) => `/${m[1]}`))];
}

export interface RunningStudioServer {
  url: string;
  port: number;
  token: string;
  server: Server;
  close(): Promise<void>;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(req: IncomingMessage): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return v.join('=');
  }
  return null;
}

function securityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cache-Control', 'no-store');
}

function refuse(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`${message}\n`);
}

/**
 * Reads a body chunk by chunk, reserving every byte against `budget` before keeping it, and hands
 * each chunk to `sink`; answers the byte count. The caller frees the reservation when done.
 */
async function streamBody(req: IncomingMessage, budget: BodyBudget, reserved: { bytes: number }, sink: (chunk: Buffer) => Promise<void> | void): Promise<number> {
  let size = 0;
  for await (const chunk of req) {
    const c = chunk as Buffer;
    size += c.length;
    if (size > MAX_BODY_BYTES) throw new BodyError(413, `request body larger than ${MAX_BODY_BYTES} bytes`);
    if (!budget.reserve(c.length)) {
      throw new BodyError(503, `the server is already receiving ${budget.inUse} bytes (limit ${budget.limit}, OMNIZIP_MAX_CONCURRENT_UPLOAD_MB); try again when the other uploads finish`);
    }
    reserved.bytes += c.length;
    await sink(c);
  }
  return size;
}

async function readBody(req: IncomingMessage, budget: BodyBudget, reserved: { bytes: number }): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length']);
  // One buffer of the declared size instead of chunks plus a concatenated copy.
  const out = Number.isSafeInteger(declared) && declared >= 0 && declared <= MAX_BODY_BYTES ? new Uint8Array(declared) : null;
  const chunks: Buffer[] = [];
  let at = 0;
  const size = await streamBody(req, budget, reserved, (c) => {
    if (out && at + c.length <= out.length) out.set(c, at);
    else chunks.push(c);
    at += c.length;
  });
  if (out && size === out.length && chunks.length === 0) return out;
  const all = Buffer.concat(out ? [Buffer.from(out.buffer, 0, Math.min(at, out.length)), ...chunks] : chunks);
  return new Uint8Array(all.buffer, all.byteOffset, all.byteLength);
}

/** The studio's own loopback host names (Host header), or its page's origins. */
const isStudioHost = (host: string | undefined, port: number) => host === `127.0.0.1:${port}` || host === `localhost:${port}`;
const isStudioOrigin = (origin: string | undefined, port: number) => origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
const originRefusal = (origin: string | undefined) => `calls from origin ${String(origin).slice(0, 100)} are not accepted`;
const badRequestPayload = (err: unknown) => ({ ok: false, error: { kind: 'bad-request', message: `request refused: ${(err as Error).message}` } });
const badRequestFrame = (err: unknown) => encodeFrame(badRequestPayload(err));

/** Why a contract call cannot have come from our own page, or null when it can. */
export function crossOriginRefusal(req: IncomingMessage, port: number, token?: string): string | null {
  const origin = req.headers.origin;
  if (origin !== undefined && !isStudioOrigin(origin, port)) return originRefusal(origin);
  if (typeof req.headers[TOKEN_HEADER] !== 'string') return `contract calls need the ${TOKEN_HEADER} header`;
  if (token !== undefined && !sameSecret(req.headers[TOKEN_HEADER] as string, token)) return 'wrong token';
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/octet-stream') return `contract calls must be application/octet-stream (got ${type ? type.slice(0, 60) : 'no content type'})`;
  return null;
}

export async function startStudioServer(options: StudioServerOptions): Promise<RunningStudioServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const staticRoot = path.resolve(options.staticDir);
  const listeners = new Set<ServerResponse>();
  const budget = new BodyBudget(maxConcurrentBodyBytes());
  const uploadDirs = new Set<string>();
  let port = 0;

  const broadcast = (event: StudioEvent) => {
    const line = `data: ${JSON.stringify(event)}\n\n`;
    for (const res of listeners) res.write(line);
  };

  const authorised = (req: IncomingMessage, url: URL): boolean => {
    const offered = url.searchParams.get('token') ?? (req.headers[TOKEN_HEADER] as string | undefined) ?? cookieToken(req);
    return typeof offered === 'string' && sameSecret(offered, token);
  };

  /** Streams an upload to a private temp file (never whole in memory) and answers its id for clip.openUpload. */
  const receiveUpload = async (req: IncomingMessage, res: ServerResponse) => {
    let name: string;
    try {
      name = decodeURIComponent(String(req.headers['x-omnizip-name'] ?? 'upload')).slice(0, 512) || 'upload';
    } catch {
      name = 'upload';
    }
    // Named with this process's pid: a later start removes it if this server was killed (state-hygiene.ts).
    const dir = await mkdtemp(ownedTempPrefix(UPLOAD_DIR_PREFIX));
    uploadDirs.add(dir);
    const removeDir = async () => {
      uploadDirs.delete(dir);
      await rm(dir, { recursive: true, force: true });
    };
    const file = path.join(dir, path.basename(name).replace(/[^A-Za-z0-9._-]+/g, '_') || 'upload');
    const reserved = { bytes: 0 };
    const handle = await open(file, 'wx', 0o600);
    try {
      await streamBody(req, budget, reserved, async (c) => {
        await handle.write(c);
      });
    } catch (err) {
      await handle.close();
      await removeDir();
      budget.free(reserved.bytes);
      if (err instanceof BodyError) {
        res.setHeader('Connection', 'close');
        return refuse(res, err.status, `upload refused: ${err.message}`);
      }
      throw err;
    }
    await handle.close();
    // On disk now: the bytes no longer count against what requests hold in memory.
    budget.free(reserved.bytes);
    const expiry = setTimeout(() => void removeDir(), UPLOAD_TTL_MS);
    expiry.unref();
    const uploadId = options.session.adoptUpload(file, name, async () => {
      clearTimeout(expiry);
      await removeDir();
    });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify({ uploadId }));
  };

  // The assets of the page last served still to go out: the host hears of the page once they have.
  let pageAssetsDue = new Set<string>();
  const noteServed = (relative: string, pathname: string, body: Buffer) => {
    if (relative === 'index.html') {
      pageAssetsDue = new Set(pageAssets(body.toString('utf8')));
      options.onPageServed?.();
    } else if (!pageAssetsDue.delete(pathname)) return;
    if (pageAssetsDue.size === 0) options.onPageAssetsServed?.();
  };

  const serveStatic = async (res: ServerResponse, pathname: string, setCookie: boolean) => {
    const relative = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
    const file = path.resolve(staticRoot, relative);
    if (file !== staticRoot && !file.startsWith(staticRoot + path.sep)) return refuse(res, 404, 'not found');
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return refuse(res, 404, relative === 'index.html' ? `the renderer is not built (no ${file}); run npm run build:renderer` : 'not found');
    }
    securityHeaders(res);
    if (setCookie) res.setHeader('Set-Cookie', `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    res.writeHead(200, { 'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream' });
    res.end(body);
    noteServed(relative, pathname, body);
    options.mark?.(`served ${pathname}`);
  };

  /**
   * One contract call, as both transports (POST /api/call and the call socket) run it: its outcome,
   * not yet encoded, since the call socket encodes as it writes (repeating replies reference the last one).
   */
  const runCall = async (method: string, params: unknown) => {
    const dispatched = performance.now();
    const outcome = await dispatch(options.session, method, params, broadcast);
    options.mark?.(`answered ${method}`);
    const status = outcome.ok ? 200 : outcome.error.kind === 'bad-request' ? 400 : outcome.error.kind === 'internal' ? 500 : 422;
    return { outcome, status, hostMs: performance.now() - dispatched };
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (!isStudioHost(req.headers.host, port)) return refuse(res, 403, 'forbidden: unexpected Host header');
      if (!authorised(req, url)) return refuse(res, 403, 'forbidden: this studio needs the token printed when it started');

      if (url.pathname.startsWith('/api/call/') && req.method === 'POST') {
        const refusal = crossOriginRefusal(req, port, token);
        if (refusal) return refuse(res, 403, `forbidden: ${refusal}`);
        const method = decodeURIComponent(url.pathname.slice('/api/call/'.length));
        let params: unknown;
        const reserved = { bytes: 0 };
        try {
          params = decodeFrame(await readBody(req, budget, reserved));
        } catch (err) {
          budget.free(reserved.bytes);
          const frame = badRequestFrame(err);
          res.writeHead(err instanceof BodyError ? err.status : 400, { 'Content-Type': 'application/octet-stream' });
          if (err instanceof BodyError) res.setHeader('Connection', 'close');
          return res.end(frame);
        }
        let answer;
        try {
          answer = await runCall(method, params);
        } finally {
          // The decoded params may view the body: it is released once the call has answered.
          params = undefined;
          budget.free(reserved.bytes);
        }
        const encoding = performance.now();
        const frame = encodeFrame(answer.outcome);
        // The renderer's bench splits a replan's round trip into the host's part and the transport's.
        const timing = `call;dur=${answer.hostMs.toFixed(2)}, encode;dur=${(performance.now() - encoding).toFixed(2)}`;
        res.writeHead(answer.status, { 'Content-Type': 'application/octet-stream', 'Cache-Control': 'no-store', 'Server-Timing': timing });
        return res.end(frame);
      }
      if (url.pathname === '/api/upload' && req.method === 'POST') {
        const refusal = crossOriginRefusal(req, port, token);
        if (refusal) return refuse(res, 403, `forbidden: ${refusal}`);
        return receiveUpload(req, res);
      }
      if (url.pathname === '/api/events' && req.method === 'GET') {
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
        res.write(': connected\n\n');
        listeners.add(res);
        req.on('close', () => listeners.delete(res));
        return;
      }
      if (url.pathname.startsWith('/api/')) return refuse(res, 404, 'no such endpoint');
      if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'method not allowed');
      return serveStatic(res, url.pathname, url.searchParams.has('token'));
    })().catch((err: unknown) => {
      if (!res.headersSent) refuse(res, 500, `internal error: ${(err as Error).message}`);
      else res.end();
    });
  });

  // Upgraded sockets leave the server's connection list: close() ends them itself.
  const callSockets = new Set<Duplex>();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    callSockets.add(socket);
    socket.on('close', () => callSockets.delete(socket));
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== CALL_SOCKET_PATH) return socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
    handleCallSocketUpgrade(req, socket, head, url, {
      refusal: (r, u) => {
        if (!isStudioHost(r.headers.host, port)) return 'unexpected Host header';
        // Browsers always send Origin on a WebSocket handshake: it must be the studio's own page.
        if (!isStudioOrigin(r.headers.origin, port)) return originRefusal(r.headers.origin);
        const given = u.searchParams.get('token');
        if (given === null || !sameSecret(given, token)) return 'this studio needs the token printed when it started';
        return null;
      },
      call: async (method, bytes) => {
        let params: unknown;
        try {
          params = decodeFrame(bytes);
        } catch (err) {
          return { outcome: badRequestPayload(err), hostMs: 0 };
        }
        return runCall(method, params);
      },
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as { port: number }).port;
  const query = new URLSearchParams({ token });
  if (options.openFile) query.set('open', path.resolve(options.openFile));
  return {
    url: `http://127.0.0.1:${port}/?${query.toString()}`,
    port,
    token,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of listeners) res.end();
        for (const dir of uploadDirs) void rm(dir, { recursive: true, force: true });
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of callSockets) socket.destroy();
      }),
  };
}
