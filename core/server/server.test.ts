import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStudioServer } from '../../test-support/studio-server.js';
import { decodeFrame, encodeFrame } from '../protocol/wire.js';
import { pageAssets, type RunningStudioServer } from './server.js';

let server: RunningStudioServer;
const marks: string[] = [];
let pagesServed = 0;
let pageAssetsServed = 0;

function raw(pathname: string, options: { method?: string; headers?: Record<string, string>; body?: Uint8Array } = {}): Promise<{ status: number; body: Buffer; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: pathname, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

beforeAll(async () => {
  server = await startTestStudioServer({ mark: (what) => marks.push(what), onPageServed: () => pagesServed++, onPageAssetsServed: () => pageAssetsServed++ });
});
afterAll(async () => server.close());

describe('web-mode server', () => {
  it('tells its host when the page and then its assets went out, and marks what it served and answered (start-up marks)', async () => {
    expect((await raw(`/assets/missing.js?token=${server.token}`)).status).toBe(404);
    expect(pagesServed).toBe(0);
    expect((await raw(`/?token=${server.token}`)).status).toBe(200);
    expect([pagesServed, pageAssetsServed]).toEqual([1, 0]);
    const cookie = { cookie: `omz_token=${server.token}` };
    expect((await raw('/assets/app.js', { headers: cookie })).status).toBe(200);
    expect(pageAssetsServed).toBe(0);
    expect((await raw('/assets/app.css', { headers: cookie })).status).toBe(200);
    expect(pageAssetsServed).toBe(1);
    // An asset served again is no news.
    expect((await raw('/assets/app.css', { headers: cookie })).status).toBe(200);
    expect(pageAssetsServed).toBe(1);
    await raw('/api/call/app.info', { method: 'POST', headers: { 'x-omnizip-token': server.token, 'content-type': 'application/octet-stream' }, body: encodeFrame({}) });
    expect(marks).toEqual(['served /', 'served /assets/app.js', 'served /assets/app.css', 'served /assets/app.css', 'answered app.info']);
  });

  it('reads the assets a built page names (pageAssets)', () => {
    expect(pageAssets('<script type="module" crossorigin src="./assets/index-A1.js"></script><link rel="stylesheet" crossorigin href="./assets/index-B2.css"><link rel="modulepreload" crossorigin href="./assets/plotly-C3.js"><link rel="icon" href="data:,">')).toEqual(['/assets/index-A1.js', '/assets/index-B2.css', '/assets/plotly-C3.js']);
    expect(pageAssets('<script type="module" src="./src/main.tsx"></script>')).toEqual([]);
  });

  it('listens on loopback and prints a URL carrying the token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{20,}$/);
  });

  it('refuses every request without the token with 403', async () => {
    expect((await raw('/')).status).toBe(403);
    expect((await raw('/assets/x.js')).status).toBe(403);
    expect((await raw('/api/call/app.info', { method: 'POST', body: encodeFrame({}) })).status).toBe(403);
    expect((await raw('/api/call/app.info', { method: 'POST', headers: { 'x-omnizip-token': 'wrong' }, body: encodeFrame({}) })).status).toBe(403);
    expect((await raw(`/?token=${server.token}x`)).status).toBe(403);
  });

  it('refuses a foreign Host header even with the token (DNS rebinding)', async () => {
    const res = await raw(`/?token=${server.token}`, { headers: { Host: 'evil.example:80' } });
    expect(res.status).toBe(403);
  });

  it('serves the page with a strict CSP and sets the token cookie', async () => {
    const res = await raw(`/?token=${server.token}`);
    expect(res.status).toBe(200);
    expect(String(res.headers['content-security-policy'])).toContain("script-src 'self'");
    expect(String(res.headers['content-security-policy'])).not.toContain('unsafe-eval');
    expect(String(res.headers['set-cookie'])).toContain('HttpOnly');
    const cookie = String(res.headers['set-cookie']).split(';')[0];
    expect((await raw('/index.html', { headers: { Cookie: cookie } })).status).toBe(200);
    expect((await raw('/..%2f..%2fpackage.json', { headers: { Cookie: cookie } })).status).toBe(404);
  });

  it('refuses contract calls authorised by the cookie alone, of a simple content type, or from another origin (issue 15 item 2)', async () => {
    const page = await raw(`/?token=${server.token}`);
    const cookie = String(page.headers['set-cookie']).split(';')[0];
    const body = encodeFrame({});
    const cookieOnly = await raw('/api/call/app.info', { method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'text/plain' }, body });
    expect(cookieOnly.status).toBe(403);
    expect(cookieOnly.body.toString()).toContain('x-omnizip-token');
    const cookieOctet = await raw('/api/call/app.info', { method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'application/octet-stream' }, body });
    expect(cookieOctet.status).toBe(403);
    const simpleType = await raw('/api/call/app.info', { method: 'POST', headers: { 'x-omnizip-token': server.token, 'Content-Type': 'text/plain' }, body });
    expect(simpleType.status).toBe(403);
    const foreign = await raw('/api/call/app.info', { method: 'POST', headers: { 'x-omnizip-token': server.token, 'Content-Type': 'application/octet-stream', Origin: 'http://127.0.0.1:1' }, body });
    expect(foreign.status).toBe(403);
    expect(foreign.body.toString()).toContain('origin');
    const own = await raw('/api/call/app.info', { method: 'POST', headers: { 'x-omnizip-token': server.token, 'Content-Type': 'application/octet-stream', Origin: `http://127.0.0.1:${server.port}` }, body });
    expect(own.status).toBe(200);
  });

  it('answers contract calls as binary frames and refuses malformed ones', async () => {
    const headers = { 'x-omnizip-token': server.token, 'Content-Type': 'application/octet-stream' };
    const ok = await raw('/api/call/app.info', { method: 'POST', headers, body: encodeFrame({}) });
    expect(ok.status).toBe(200);
    expect(decodeFrame(new Uint8Array(ok.body))).toMatchObject({ ok: true, result: { contractVersion: 1 } });
    const extra = await raw('/api/call/app.info', { method: 'POST', headers, body: encodeFrame({ sneaky: true }) });
    expect(extra.status).toBe(400);
    expect(decodeFrame(new Uint8Array(extra.body))).toMatchObject({ ok: false, error: { kind: 'bad-request' } });
    const garbage = await raw('/api/call/app.info', { method: 'POST', headers, body: new TextEncoder().encode('{}') });
    expect(garbage.status).toBe(400);
    const unknown = await raw('/api/call/fs.read', { method: 'POST', headers, body: encodeFrame({}) });
    expect(unknown.status).toBe(400);
  });
});
