/**
 * Regression tests of issue 15 (reliability and security) at the contract and session level:
 * each case failed before its fix.
 */
import { mkdtempSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { object, record, string } from '../protocol/check.js';
import { hostMethods, type ClipSummary } from '../protocol/contract.js';
import { createDefaultDeps } from './deps.js';
import { dispatch } from './dispatch.js';
import { RecentFiles } from './recent.js';
import { StudioSession } from './session.js';
import { decodeFrame, encodeFrame } from '../protocol/wire.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shared = process.env.OMNIZIP_SHARED ?? path.resolve(repoRoot, '../shared');
const golden = (name: string) => path.join(shared, 'golden', name);

function newSession() {
  return new StudioSession(createDefaultDeps({ appRoot: repoRoot, version: 'test' }), new RecentFiles(null));
}

/** A request as the web transport delivers it: JSON text inside a wire frame. */
function overTheWire(json: string): unknown {
  const body = new TextEncoder().encode(json);
  const frame = new Uint8Array(8 + body.length + 8);
  frame.set([0x4f, 0x4d, 0x5a, 0x31]);
  new DataView(frame.buffer).setUint32(4, body.length, true);
  frame.set(body, 8);
  return decodeFrame(frame);
}

describe('item 10: contract keys are own properties', () => {
  it('refuses __proto__, constructor and toString keys instead of reading through them', () => {
    const check = hostMethods['clip.openPath'].params;
    const proto = overTheWire('{"jobId":"j","__proto__":{"path":"/etc/passwd"}}');
    expect(() => check.parse(proto, 'params')).toThrow(/unexpected key '__proto__'|params.path: expected a string/);
    expect(() => check.parse(JSON.parse('{"jobId":"j","path":"/x","constructor":1}'), 'params')).toThrow(/unexpected key 'constructor'/);
    expect(() => check.parse(JSON.parse('{"jobId":"j","path":"/x","toString":1}'), 'params')).toThrow(/unexpected key 'toString'/);
  });

  it('never takes a missing field from an inherited property', () => {
    const inherited = Object.create({ name: 'from the prototype' }) as Record<string, unknown>;
    expect(() => object({ name: string() }).parse(inherited, 'p')).toThrow(/p.name: expected a string, got undefined/);
  });

  it('the wire decoder keeps __proto__ an own key (no prototype swap)', () => {
    const decoded = overTheWire('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.hasOwn(decoded, '__proto__')).toBe(true);
    expect((decoded as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('record() forwards a plain copy, so a config with a __proto__ key is an unknown key', async () => {
    const copy = record().parse(overTheWire('{"__proto__":{"rho_audio":0.9}}'));
    expect(Object.keys(copy)).toEqual(['__proto__']);
    const session = newSession();
    const open = await dispatch(session, 'clip.openPath', { jobId: 'p1', path: golden('default_params.safetensors') }, () => {});
    expect(open.ok).toBe(true);
    const clipId = (open as { result: ClipSummary }).result.clipId;
    const outcome = await dispatch(session, 'plan.run', overTheWire(`{"clipId":"${clipId}","config":{"__proto__":{"rho_audio":0.9}}}`), () => {});
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'bad-config', message: expect.stringContaining("unknown config key '__proto__'") } });
  });
});

describe('item 10: config errors are config errors, and what is saved is checked', () => {
  it('plan.run with num_input_frames beyond the video tokens answers bad-config, not internal', async () => {
    const session = newSession();
    const open = await dispatch(session, 'clip.openPath', { jobId: 'p2', path: golden('default_params.safetensors') }, () => {});
    const clipId = (open as { result: ClipSummary }).result.clipId;
    const outcome = await dispatch(session, 'plan.run', { clipId, config: { variant: 'official-units', num_input_frames: 100000 } }, () => {});
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'bad-config', message: expect.stringContaining('num_input_frames (100000)') } });
    expect(encodeFrame(outcome).length).toBeGreaterThan(0);
  });

  it('session.save refuses a state the core would ignore on restore', async () => {
    const session = newSession();
    const open = await dispatch(session, 'clip.openPath', { jobId: 'p3', path: golden('default_params.safetensors') }, () => {});
    const clipId = (open as { result: ClipSummary }).result.clipId;
    const state = { config: { rho_audio: 9 }, pinnedConfig: null, compareMode: 'off', prefill: [] };
    const outcome = await dispatch(session, 'session.save', { clipId, state }, () => {});
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'bad-config', message: expect.stringContaining("'rho_audio'") } });
    const pinned = await dispatch(session, 'session.save', { clipId, state: { ...state, config: {}, pinnedConfig: { nope: 1 } } }, () => {});
    expect(pinned).toMatchObject({ ok: false, error: { kind: 'bad-config', message: expect.stringContaining('pinnedConfig') } });
    expect(await dispatch(session, 'session.save', { clipId, state: { ...state, config: { rho_audio: 0.5 } } }, () => {})).toMatchObject({ ok: true });
  });
});

describe('item 3: the studio opens regular files only', () => {
  it('answers bad-file at once for a .safetensors symlink to /dev/zero', async () => {
    const link = path.join(mkdtempSync(path.join(os.tmpdir(), 'omz-zero-')), 'zero.safetensors');
    symlinkSync('/dev/zero', link);
    const outcome = await dispatch(newSession(), 'clip.openPath', { jobId: 'z1', path: link }, () => {});
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'bad-file', message: expect.stringContaining('not a regular file') } });
  });
});

describe('item 6: concurrent opens and eviction', () => {
  const bundles = ['default_params', 'g_zero', 'contextual_zero', 'more_audio_chunks', 'd32_one_frame_per_chunk'].map((n) => golden(`${n}.safetensors`));

  it('four concurrent opens all answer their clip, and the least recently used goes first', async () => {
    const session = newSession();
    const outcomes = await Promise.all(bundles.slice(0, 4).map((file, i) => dispatch(session, 'clip.openPath', { jobId: `c${i}`, path: file }, () => {})));
    for (const o of outcomes) expect(o).toMatchObject({ ok: true });
    const ids = outcomes.map((o) => (o as { result: ClipSummary }).result.clipId);
    // Three stay open (MAX_OPEN_CLIPS); touch the oldest survivor, then open a fifth clip.
    const open = async (id: string) => (await dispatch(session, 'clip.data', { clipId: id }, () => {})).ok;
    const alive: boolean[] = [];
    for (const id of ids) alive.push(await open(id));
    expect(alive.filter(Boolean)).toHaveLength(3);
    const survivors = ids.filter((_, i) => alive[i]);
    await open(survivors[0]);
    const fifth = await dispatch(session, 'clip.openPath', { jobId: 'c5', path: bundles[4] }, () => {});
    expect(fifth.ok).toBe(true);
    expect(await open(survivors[0])).toBe(true);
    expect(await open(survivors[1])).toBe(false);
    expect(await open(survivors[2])).toBe(true);
  }, 60_000);
});

describe('item 13: session.save is acknowledged only once durable', () => {
  it('the file is on disk when session.save answers', async () => {
    const { mkdtemp, readFile } = await import('node:fs/promises');
    const { SessionStore } = await import('./session-store.js');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'omz-durable-'));
    const session = new StudioSession(createDefaultDeps({ appRoot: repoRoot, version: 'test' }), new RecentFiles(null), new SessionStore(dir));
    const open = await dispatch(session, 'clip.openPath', { jobId: 'd1', path: golden('default_params.safetensors') }, () => {});
    const clip = (open as { result: ClipSummary }).result;
    for (let i = 1; i <= 5; i++) {
      const state = { config: { rho_video: 0.5 + i / 100 }, pinnedConfig: null, compareMode: 'off', prefill: [] };
      expect(await dispatch(session, 'session.save', { clipId: clip.clipId, state }, () => {})).toMatchObject({ ok: true, result: { saved: true } });
      // No flush, no waiting: what was acknowledged is what a restarted server would read.
      const files = (await import('node:fs')).readdirSync(dir).filter((f) => f.endsWith('.json'));
      expect(files).toHaveLength(1);
      expect(JSON.parse(await readFile(path.join(dir, files[0]), 'utf8')).state.config.rho_video).toBeCloseTo(0.5 + i / 100);
    }
  });
});
