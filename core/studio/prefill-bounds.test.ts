/**
 * Issue 15 item 1: a prefill request the machine cannot hold is refused with the estimate and the
 * limit, and cancel stops a run that is still building its model within a second.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DEMO_DECODER } from '../prefill/demo-decoder.js';
import { estimateDemoPrefillMemory, prefillMemoryLimitBytes } from '../prefill/memory-budget.js';
import type { ClipSummary } from '../protocol/contract.js';
import { createDefaultDeps } from './deps.js';
import { dispatch } from './dispatch.js';
import type { PrefillRunParams } from '../protocol/prefill-contract.js';
import type { RunPrefill } from './prefill-session.js';
import { RecentFiles } from './recent.js';
import { StudioSession } from './session.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shared = process.env.OMNIZIP_SHARED ?? path.resolve(repoRoot, '../shared');
const golden = (name: string) => path.join(shared, 'golden', name);

function newSession(runPrefill?: RunPrefill) {
  return new StudioSession({ ...createDefaultDeps({ appRoot: repoRoot, version: 'test' }), runPrefill }, new RecentFiles(null));
}

async function openGolden(session: StudioSession): Promise<string> {
  const open = await dispatch(session, 'clip.openPath', { jobId: 'open', path: golden('default_params.safetensors') }, () => {});
  if (!open.ok) throw new Error(open.error.message);
  return (open.result as ClipSummary).clipId;
}

const request = (clipId: string, hiddenSize: number, layers: number, runs = 100): PrefillRunParams => ({
  jobId: 'big',
  clipId,
  settings: [{ label: 'current', config: {} }],
  model: { kind: 'demo', manifestPath: null, demoHiddenSize: hiddenSize, demoLayers: layers },
  provider: 'cpu',
  runs,
  warmupRuns: 0,
});

describe('prefill memory bound', () => {
  it('estimates the contract maximum far above any laptop and the default far below', () => {
    const huge = estimateDemoPrefillMemory({ ...DEFAULT_DEMO_DECODER, hiddenSize: 4096, numLayers: 64, intermediateSize: 11264 }, 9180, 3584);
    expect(huge.totalBytes).toBeGreaterThan(100 * 1024 ** 3);
    const normal = estimateDemoPrefillMemory(DEFAULT_DEMO_DECODER, 9180, 3584);
    expect(normal.totalBytes).toBeLessThan(2 * 1024 ** 3);
    expect(normal.totalBytes).toBeGreaterThan(normal.weightBytes);
  });

  it('takes the limit from OMNIZIP_PREFILL_MEMORY_LIMIT_MB, else half the machine', () => {
    expect(prefillMemoryLimitBytes({ OMNIZIP_PREFILL_MEMORY_LIMIT_MB: '512' })).toBe(512 * 1024 * 1024);
    expect(prefillMemoryLimitBytes({})).toBeGreaterThan(0);
  });

  it('refuses demoHiddenSize 4096 x 64 layers before building anything, saying the estimate and the limit', async () => {
    let ran = false;
    const session = newSession(async () => {
      ran = true;
      throw new Error('must not run');
    });
    const clipId = await openGolden(session);
    const outcome = await dispatch(session, 'prefill.run', request(clipId, 4096, 64), () => {});
    expect(ran).toBe(false);
    expect(outcome.ok).toBe(false);
    const { kind, message } = (outcome as { error: { kind: string; message: string } }).error;
    expect(kind).toBe('bad-config');
    expect(message).toMatch(/needs about \d+(\.\d)? GiB \(estimate\), more than the \d+(\.\d)? (GiB|MiB) limit/);
  });
});

describe('prefill cancel', () => {
  it('stops a run still building a large demo graph within a second of job.cancel', async () => {
    const session = newSession(); // the real worker
    const clipId = await openGolden(session);
    // 768 x 8 takes several seconds to build here (about 230 MB of weights), all of it synchronous.
    const running = dispatch(session, 'prefill.run', { ...request(clipId, 768, 8, 3), jobId: 'cancel-me' }, () => {});
    await new Promise((resolve) => setTimeout(resolve, 400));
    const asked = performance.now();
    const cancel = await dispatch(session, 'job.cancel', { jobId: 'cancel-me' }, () => {});
    expect(cancel).toMatchObject({ ok: true, result: { cancelled: true } });
    const outcome = await running;
    const tookMs = performance.now() - asked;
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'cancelled' } });
    expect(tookMs).toBeLessThan(1000);
  }, 60_000);
});
