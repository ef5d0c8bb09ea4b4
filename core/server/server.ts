/**
 * Web mode: the studio's renderer and its contract served over HTTP on loopback, for machines
 * without Electron or a display, remote GPU boxes over an SSH tunnel, and browser tests.
 *
 * Every request must carry the run's secret token (query `token`, header `x-omnizip-token`, or the
 * HttpOnly cookie set when the page is first opened with the token); anything else gets 403.
 * The Host header must name the loopback address we listen on, which defeats DNS rebinding.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { dispatch } from '../studio/dispatch.js';
import type { StudioSession } from '../studio/session.js';
import type { StudioEvent } from '../protocol/contract.js';
import { decodeFrame, encodeFrame } from '../protocol/wire.js';
import { CONTENT_SECURITY_POLICY } from './csp.js';

export { CONTENT_SECURITY_POLICY };

export const TOKEN_HEADER = 'x-omnizip-token';
const COOKIE = 'omz_token';
/** Uploaded bundles of a 60 s 7B clip are ~130 MB; leave room for longer clips. */
const MAX_BODY_BYTES = 1536 * 1024 * 1024;

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

async function readBody(req: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error(`request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const all = Buffer.concat(chunks);
  return new Uint8Array(all.buffer, all.byteOffset, all.byteLength);
}

export async function startStudioServer(options: StudioServerOptions): Promise<RunningStudioServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const staticRoot = path.resolve(options.staticDir);
  const listeners = new Set<ServerResponse>();
  let port = 0;

  const broadcast = (event: StudioEvent) => {
    const line = `data: ${JSON.stringify(event)}\n\n`;
    for (const res of listeners) res.write(line);
  };

  const authorised = (req: IncomingMessage, url: URL): boolean => {
    const offered = url.searchParams.get('token') ?? (req.headers[TOKEN_HEADER] as string | undefined) ?? cookieToken(req);
    return typeof offered === 'string' && sameSecret(offered, token);
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
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const host = req.headers.host ?? '';
      if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return refuse(res, 403, 'forbidden: unexpected Host header');
      if (!authorised(req, url)) return refuse(res, 403, 'forbidden: this studio needs the token printed when it started');

      if (url.pathname.startsWith('/api/call/') && req.method === 'POST') {
        const method = decodeURIComponent(url.pathname.slice('/api/call/'.length));
        let params: unknown;
        try {
          params = decodeFrame(await readBody(req));
        } catch (err) {
          const frame = encodeFrame({ ok: false, error: { kind: 'bad-request', message: `request refused: ${(err as Error).message}` } });
          res.writeHead(400, { 'Content-Type': 'application/octet-stream' });
          return res.end(frame);
        }
        const outcome = await dispatch(options.session, method, params, broadcast);
        const status = outcome.ok ? 200 : outcome.error.kind === 'bad-request' ? 400 : outcome.error.kind === 'internal' ? 500 : 422;
        res.writeHead(status, { 'Content-Type': 'application/octet-stream', 'Cache-Control': 'no-store' });
        return res.end(encodeFrame(outcome));
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
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
