/**
 * Web mode keeps answering while a clip is analysed: the analysis runs in the compute worker, so
 * the HTTP server's event loop only relays its progress. The clip is the benchmark's 60-s reference
 * clip (1500 audio + 60 x 128 video tokens, D = 3584).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { get, request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFERENCE_CLIP, makeSyntheticBundle } from '../../test-support/synthetic/index.js';
import { writeBundle } from '../bundle/writer.js';
import type { StudioEvent } from '../protocol/contract.js';
import { createStudioHost, type StudioHost } from '../studio/host.js';
import { decodeFrame, encodeFrame } from '../protocol/wire.js';
import { startStudioServer, type RunningStudioServer } from './server.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TOKEN_HEADER = 'x-omnizip-token';
let dir = '';
let clipFile = '';
let host: StudioHost;
let server: RunningStudioServer;

function call(method: string, params: unknown): Promise<{ ok: boolean; error?: { message: string } }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: `/api/call/${method}`, method: 'POST', headers: { [TOKEN_HEADER]: server.token } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(decodeFrame(new Uint8Array(Buffer.concat(chunks))) as { ok: boolean }));
    });
    req.on('error', reject);
    req.end(encodeFrame(params));
  });
}

/** Calls `onEvent` for each event the server pushes; returns a function that stops listening. */
function listen(onEvent: (e: StudioEvent) => void): Promise<() => void> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port: server.port, path: '/api/events', headers: { [TOKEN_HEADER]: server.token } }, (res) => {
      let pending = '';
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        pending += text;
        const blocks = pending.split('\n\n');
        pending = blocks.pop() ?? '';
        for (const block of blocks) if (block.startsWith('data: ')) onEvent(JSON.parse(block.slice(6)) as StudioEvent);
      });
      resolve(() => req.destroy());
    });
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'omz-responsive-'));
  // A private analysis cache: the analysis must really run, not come from an earlier run's cache.
  process.env.OMNIZIP_CACHE_DIR = path.join(dir, 'cache');
  clipFile = path.join(dir, 'reference-60s.safetensors');
  await writeBundle(clipFile, makeSyntheticBundle({ ...REFERENCE_CLIP }));
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>studio</title>');
  host = createStudioHost({ appRoot: repoRoot, version: 'test', stateDir: null });
  server = await startStudioServer({ session: host.session, staticDir: dir });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await host?.shutdown();
  delete process.env.OMNIZIP_CACHE_DIR;
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('web mode while a 60-s clip is analysed', () => {
  it('answers app.info within 50 ms', async () => {
    let analysing = false;
    const stop = await listen((e) => {
      // 0.1 .. 0.95 is the analysis proper (before: reading the file; after: registering the clip).
      if (e.type === 'job.progress' && e.jobId === 'ref' && e.fraction > 0.1 && e.fraction < 0.95) analysing = true;
    });
    let opened = false;
    const open = call('clip.openPath', { jobId: 'ref', path: clipFile }).finally(() => (opened = true));
    const latencies: number[] = [];
    while (!opened) {
      const started = performance.now();
      const info = await call('app.info', {});
      const ms = performance.now() - started;
      expect(info.ok).toBe(true);
      if (analysing && !opened) latencies.push(ms);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    stop();
    expect((await open).ok).toBe(true);
    latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
    const max = latencies[latencies.length - 1];
    console.log(`app.info during the analysis: ${latencies.length} calls, median ${at(0.5).toFixed(1)} ms, p90 ${at(0.9).toFixed(1)} ms, max ${max.toFixed(1)} ms`);
    expect(latencies.length).toBeGreaterThan(5);
    // Answered within 50 ms. On a machine shared by many processes the OS sometimes leaves this
    // thread unscheduled for a few tens of ms, whatever it runs, so the bound holds for nine calls
    // in ten; an analysis on this loop instead would hold every call for seconds, which the
    // second bound catches.
    expect(at(0.9)).toBeLessThan(50);
    expect(max).toBeLessThan(1000);
  }, 300_000);
});
