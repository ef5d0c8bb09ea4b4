import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { serializeBundle } from '../bundle/writer.js';
import { randomBundle } from '../../test-support/random-bundle.js';
import { sweepFixture } from '../../test-support/sweeps.js';
import { OmniZipError } from '../protocol/errors.js';
import { SweepDirError } from './errors.js';
import { runSweep } from './executor.js';
import { createPlan } from './plan.js';
import { loadSweepSpec } from './spec.js';
import { sweepStatus } from './status.js';
import { FAILURES_FILE, readJsonl, readResults, type FailureRecord } from './store.js';
import { loadSweepViewInWorker } from './view-in-worker.js';

describe('sweeps on the worker RPC', () => {
  it("stops promptly when cancelled: the running trial's command is stopped, nothing is recorded for it", async () => {
    const fx = sweepFixture();
    const spec = await loadSweepSpec(fx.writeSpec(`clips: [clips/a.safetensors]\nspace: {g: [0, 3]}\nobjectives: [eval.score]\neval_command: "sleep 60; echo '{\\"score\\": 1}'"\n`));
    const dir = path.join(fx.root, 'out');
    await createPlan(spec, dir);
    const stop = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let stoppedAt = 0;
    const summary = await runSweep(dir, {
      workers: 2,
      signal: stop.signal,
      // Once both trials are on their workers, give them a moment inside the command, then stop.
      onProgress: () =>
        void (timer ??= setTimeout(() => {
          stoppedAt = performance.now();
          stop.abort();
        }, 3000)),
    });
    expect(summary).toMatchObject({ stopped: true, done: 0, failed: 0 });
    // Far less than the command's minute (on a loaded machine a worker may still be starting when the stop comes).
    expect(performance.now() - stoppedAt).toBeLessThan(20_000);
    expect((await readResults(dir)).trials).toHaveLength(0);
    expect((await readJsonl<FailureRecord>(path.join(dir, FAILURES_FILE))).records).toEqual([]);
    expect(await sweepStatus(dir)).toMatchObject({ done: 0, failed: 0, pending: 2 });
  }, 60_000);

  it("records a worker's trial failure with its kind (a clip changed since planning: bad-sweep-dir)", async () => {
    const fx = sweepFixture();
    const spec = await loadSweepSpec(fx.writeSpec('clips: [clips/a.safetensors]\nspace: {g: [0, 3]}\nobjectives: [kept_fraction]\n'));
    const dir = path.join(fx.root, 'out');
    await createPlan(spec, dir);
    const shape = { videoChunks: 4, audioChunks: 4, gridH: 4, gridW: 8, framesPerChunk: 2, audioPerChunk: 25, dim: 16 };
    writeFileSync(path.join(fx.clipsDir, 'a.safetensors'), serializeBundle(randomBundle({ ...shape, seed: 9 })));
    const summary = await runSweep(dir, { workers: 1 });
    expect(summary).toMatchObject({ done: 0, failed: 2 });
    const { records } = await readJsonl<FailureRecord>(path.join(dir, FAILURES_FILE));
    expect(records.map((r) => r.kind)).toEqual(['bad-sweep-dir', 'bad-sweep-dir']);
    expect(records[0].error).toMatch(/changed since the sweep was planned/);
  }, 60_000);

  it('reads a sweep view in a worker and keeps a bad directory a SweepDirError (by its kind)', async () => {
    const fx = sweepFixture();
    const missing = loadSweepViewInWorker(path.join(fx.root, 'nowhere'));
    await expect(missing).rejects.toBeInstanceOf(SweepDirError);
    await expect(missing).rejects.toMatchObject({ kind: 'bad-sweep-dir', message: expect.stringMatching(/is not a sweep directory/) });
    await expect(missing).rejects.toBeInstanceOf(OmniZipError);
  }, 60_000);
});
