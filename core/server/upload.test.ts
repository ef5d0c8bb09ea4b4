/**
 * Issue 15 item 7: uploads stream to a temp file under a cap on concurrent bytes and are freed on
 * completion; the server's memory returns near its idle figure after uploads and a prefill run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from '../protocol/wire.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shared = process.env.OMNIZIP_SHARED ?? path.resolve(repoRoot, '../shared');
const golden = path.join(shared, 'golden', 'default_params.safetensors');

interface Server {
  child: ChildProcess;
  port: number;
  token: string;
  pid: number;
}

async function startServer(env: Record<string, string> = {}): Promise<Server> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/run-ts.mjs'), path.join(repoRoot, 'core/server/test-server-entry.ts')], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`test server exited with ${code}`)));
  });
  return { child, ...(JSON.parse(line) as { port: number; token: string; pid: number }) };
}

function post(server: Server, pathname: string, body: Uint8Array | ((write: (b: Uint8Array) => void, end: () => void) => void), headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, path: pathname, method: 'POST', headers: { 'x-omnizip-token': server.token, 'Content-Type': 'application/octet-stream', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', (err) => (err.message.includes('EPIPE') || err.message.includes('ECONNRESET') ? resolve({ status: 503, body: Buffer.from(err.message) }) : reject(err)));
    if (typeof body === 'function') body((b) => req.write(b), () => req.end());
    else req.end(body);
  });
}

async function call(server: Server, method: string, params: unknown): Promise<{ ok: boolean; result?: Record<string, unknown>; error?: { message: string } }> {
  const r = await post(server, `/api/call/${method}`, encodeFrame(params));
  return decodeFrame(new Uint8Array(r.body)) as never;
}

const rssBytes = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
const uploadDirs = () => readdirSync(os.tmpdir()).filter((n) => n.startsWith('omnizip-upload-')).length;

describe('uploads', () => {
  let server: Server;
  beforeAll(async () => {
    server = await startServer({ OMNIZIP_MAX_CONCURRENT_UPLOAD_MB: '400' });
  }, 60_000);
  afterAll(() => server.child.kill('SIGTERM'));

  it('streams an upload to disk, opens it with clip.openUpload and deletes it', async () => {
    const before = uploadDirs();
    const up = await post(server, '/api/upload', new Uint8Array(readFileSync(golden)), { 'x-omnizip-name': 'clip.safetensors' });
    expect(up.status).toBe(200);
    const { uploadId } = JSON.parse(up.body.toString()) as { uploadId: string };
    const opened = await call(server, 'clip.openUpload', { jobId: 'u1', uploadId });
    expect(opened).toMatchObject({ ok: true, result: { name: 'clip.safetensors', path: null } });
    expect(uploadDirs()).toBe(before);
    const again = await call(server, 'clip.openUpload', { jobId: 'u2', uploadId });
    expect(again.error?.message).toMatch(/unknown or was already opened/);
  }, 60_000);

  it('refuses an upload beyond the concurrent-bytes cap while others are in flight', async () => {
    const chunk = new Uint8Array(1024 * 1024);
    let finishFirst: () => void = () => undefined;
    const first = post(server, '/api/upload', (write, end) => {
      for (let i = 0; i < 300; i++) write(chunk);
      finishFirst = end;
    });
    // Loopback moves 300 MB in well under this; then the first upload holds 300 of the 400 MB.
    await new Promise((r) => setTimeout(r, 5000));
    const second = await post(server, '/api/upload', (write, end) => {
      for (let i = 0; i < 150; i++) write(chunk);
      end();
    });
    expect(second.status).toBe(503);
    expect(second.body.toString()).toMatch(/already receiving \d+ bytes \(limit 419430400/);
    finishFirst();
    expect((await first).status).toBe(200);
  }, 60_000);

  it('returns to within 100 MB of its idle RSS after three concurrent uploads and a prefill run', async () => {
    const fresh = await startServer();
    try {
      const open = await call(fresh, 'clip.openPath', { jobId: 'm0', path: golden });
      expect(open.ok).toBe(true);
      await new Promise((r) => setTimeout(r, 500));
      const idle = rssBytes(fresh.pid);
      const big = new Uint8Array(120 * 1024 * 1024);
      const ups = await Promise.all([0, 1, 2].map(() => post(fresh, '/api/upload', big, { 'x-omnizip-name': 'big.bin' })));
      for (const u of ups) expect(u.status).toBe(200);
      const clipId = String(open.result?.clipId);
      const prefill = await call(fresh, 'prefill.run', {
        jobId: 'm1',
        clipId,
        settings: [{ label: 'current', config: {} }],
        model: { kind: 'demo', manifestPath: null, demoHiddenSize: 64, demoLayers: 1 },
        provider: 'cpu',
        runs: 2,
        warmupRuns: 0,
      });
      expect(prefill.ok).toBe(true);
      await new Promise((r) => setTimeout(r, 1000));
      const after = rssBytes(fresh.pid);
      console.log(`web server RSS: idle ${(idle / 2 ** 20).toFixed(0)} MB, after 3 x 120 MB uploads + prefill ${(after / 2 ** 20).toFixed(0)} MB`);
      expect(after - idle).toBeLessThan(100 * 1024 * 1024);
    } finally {
      fresh.child.kill('SIGTERM');
    }
  }, 120_000);
});

// Nothing of the uploads may stay behind once the servers have gone.
afterAll(() => expect(existsSync(os.tmpdir())).toBe(true));
