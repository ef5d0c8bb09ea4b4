/**
 * Issue 15 item 2: a page served from ANOTHER loopback origin, in the same browser that holds the
 * studio's session cookie, must not be able to make the studio act (here: open a file).
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { golden, studioUrl } from './helpers.js';

let attacker: Server;
let attackerOrigin = '';

test.beforeAll(async () => {
  attacker = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<!doctype html><title>elsewhere</title><p>another site on this machine</p>');
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', () => resolve()));
  attackerOrigin = `http://127.0.0.1:${(attacker.address() as { port: number }).port}`;
});
test.afterAll(async () => new Promise<void>((resolve) => attacker.close(() => resolve())));

test('a page on another 127.0.0.1 port cannot call the studio with the session cookie', async ({ page }) => {
  const studio = new URL(studioUrl());
  const token = studio.searchParams.get('token') ?? '';
  // A file only this test knows: if the studio ever opens it, it shows up in the recent list.
  const bait = path.join(mkdtempSync(path.join(os.tmpdir(), 'omz-bait-')), `bait-${Date.now()}.safetensors`);
  copyFileSync(golden('default_params.safetensors'), bait);

  await page.goto(studio.toString()); // the studio sets its HttpOnly cookie in this browser
  await page.goto(`${attackerOrigin}/`);
  expect(page.url().startsWith(attackerOrigin)).toBe(true);
  const outcomes = await page.evaluate(
    async ({ target, file }) => {
      const frame = (json: string) => {
        const body = new TextEncoder().encode(json);
        const out = new Uint8Array(8 + body.length + 8);
        out.set([0x4f, 0x4d, 0x5a, 0x31]);
        new DataView(out.buffer).setUint32(4, body.length, true);
        out.set(body, 8);
        return out;
      };
      const body = frame(JSON.stringify({ jobId: 'x1', path: file }));
      const results: string[] = [];
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']) {
        try {
          const r = await fetch(`${target}/api/call/clip.openPath`, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'Content-Type': type }, body });
          results.push(`${type}: opaque ${r.type}`);
        } catch (err) {
          results.push(`${type}: ${(err as Error).message}`);
        }
      }
      try {
        // A CORS request with the right body type is preflighted, and the preflight is refused.
        const r = await fetch(`${target}/api/call/clip.openPath`, { method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/octet-stream' }, body });
        results.push(`cors: ${r.status}`);
      } catch (err) {
        results.push(`cors: ${(err as Error).message}`);
      }
      return results;
    },
    { target: studio.origin, file: bait },
  );
  expect(outcomes).toHaveLength(4);
  // Give any accepted request time to finish opening before asking what was opened.
  await page.waitForTimeout(1500);
  const info = await page.request.post(`${studio.origin}/api/call/app.info`, {
    headers: { 'x-omnizip-token': token, 'Content-Type': 'application/octet-stream' },
    data: Buffer.from([0x4f, 0x4d, 0x5a, 0x31, 2, 0, 0, 0, 0x7b, 0x7d, 0, 0, 0, 0, 0, 0]),
  });
  expect(info.status()).toBe(200);
  const text = (await info.body()).toString('latin1');
  expect(text).toContain('"recent"');
  expect(text).not.toContain(path.basename(bait));

  // The same request from the studio's own page (token header) still works.
  await page.goto(studio.toString());
  const ownStatus = await page.evaluate(async (target) => {
    const tokenValue = new URL(location.href).searchParams.get('token') ?? '';
    const r = await fetch(`${target}/api/call/app.info`, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream', 'x-omnizip-token': tokenValue }, body: new Uint8Array([0x4f, 0x4d, 0x5a, 0x31, 2, 0, 0, 0, 0x7b, 0x7d, 0, 0, 0, 0, 0, 0]) });
    return r.status;
  }, studio.origin);
  expect(ownStatus).toBe(200);
});
