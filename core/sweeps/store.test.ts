import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSweep } from './executor.js';
import { createPlan } from './plan.js';
import { loadSweepSpec } from './spec.js';
import { sweepStatus } from './status.js';
import { JsonlAppender, readJsonl, readResults, TRIALS_FILE, type TrialRecord } from './store.js';
import { ISSUE_EXAMPLE_SPEC, sweepFixture } from '../../test-support/sweeps.js';

describe('trials store', () => {
  it('appends whole lines; a half-written last line is ignored by readers and cut by the next appender', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'omnizip-store-'));
    const file = path.join(dir, 'x.jsonl');
    const a = await JsonlAppender.open(file);
    await a.append({ n: 1 });
    await a.append({ n: 2 });
    await a.close();
    appendFileSync(file, '{"n": 3, "trunc');
    expect(await readJsonl(file)).toEqual({ records: [{ n: 1 }, { n: 2 }], skipped: 1 });
    const b = await JsonlAppender.open(file);
    await b.append({ n: 4 });
    await b.close();
    expect(readFileSync(file, 'utf8')).toBe('{"n":1}\n{"n":2}\n{"n":4}\n');
  });

  it('keeps concurrent appenders line-atomic', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'omnizip-store-'));
    const file = path.join(dir, 'x.jsonl');
    const writers = await Promise.all([0, 1, 2].map(() => JsonlAppender.open(file)));
    const pad = 'x'.repeat(3000);
    await Promise.all(writers.map((w, k) => Promise.all(Array.from({ length: 50 }, (_, i) => w.append({ k, i, pad })))));
    await Promise.all(writers.map((w) => w.close()));
    const { records, skipped } = await readJsonl<{ k: number; i: number }>(file);
    expect(skipped).toBe(0);
    expect(records).toHaveLength(150);
  });
});

describe('local executor', () => {
  it('runs the issue example on 2 workers, records the contract fields, and resumes without redoing work', async () => {
    const fx = sweepFixture();
    const spec = await loadSweepSpec(fx.writeSpec(ISSUE_EXAMPLE_SPEC));
    const dir = path.join(fx.root, 'out');
    const plan = await createPlan(spec, dir);
    expect(plan.trials).toHaveLength(36);

    // Stop after 5 trials, as Ctrl-C would.
    const stop = new AbortController();
    let seen = 0;
    const first = await runSweep(dir, { workers: 2, signal: stop.signal, onRecord: () => ++seen >= 5 && stop.abort() });
    expect(first.stopped).toBe(true);
    const partial = await readResults(dir);
    expect(partial.trials.length).toBeGreaterThanOrEqual(5);
    expect(partial.trials.length).toBeLessThan(36);
    // A killed writer's half line: ignored, then repaired.
    appendFileSync(path.join(dir, TRIALS_FILE), '{"trial": 99, "key": "half');
    const mid = await sweepStatus(dir);
    expect(mid.done).toBe(partial.trials.length);
    expect(mid.pending + mid.running).toBe(36 - partial.trials.length);

    const again = await createPlan(spec, dir);
    expect(again.trials.map((t) => t.trial)).toEqual(plan.trials.map((t) => t.trial));
    const second = await runSweep(dir, { workers: 2 });
    expect(second.alreadyDone).toBe(partial.trials.length);
    expect(second.done).toBe(36 - partial.trials.length);
    const all = await readResults(dir);
    expect(all.trials).toHaveLength(36);
    expect(all.skippedLines).toBe(0);
    expect(new Set(all.trials.map((t) => t.trial)).size).toBe(36);
    const r: TrialRecord = all.trials[0];
    expect(Object.keys(r)).toEqual(expect.arrayContaining(['trial', 'clip', 'method', 'config', 'counts', 'metrics', 'wall_ms', 'host']));
    expect(r.clip.content_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(r.metrics).sort()).toEqual(['kept_fraction', 'video_coverage']);
    expect(r.metrics.kept_fraction).toBeCloseTo(r.counts.sequence.kept / r.counts.sequence.total, 12);
    expect(r.metrics.video_coverage).toBeGreaterThan(0);
    expect(r.metrics.video_coverage).toBeLessThanOrEqual(1 + 1e-6);
    expect(await sweepStatus(dir)).toMatchObject({ total: 36, done: 36, running: 0, failed: 0, pending: 0 });

    // A third run finds nothing to do.
    const third = await runSweep(dir, { workers: 2 });
    expect(third).toMatchObject({ done: 0, alreadyDone: 36 });
  });

  it('records failures separately and counts them in status', async () => {
    const fx = sweepFixture();
    const spec = await loadSweepSpec(
      fx.writeSpec(`clips: [clips/a.safetensors]\nspace: {g: [0, 3]}\nobjectives: [kept_fraction, eval.score]\neval_command: "if [ $OMNIZIP_G = 0 ]; then exit 3; fi; echo '{\\"score\\": '$OMNIZIP_G'}'"\n`),
    );
    const dir = path.join(fx.root, 'out');
    await createPlan(spec, dir);
    const summary = await runSweep(dir, { workers: 1 });
    expect(summary).toMatchObject({ done: 1, failed: 1 });
    const { trials } = await readResults(dir);
    expect(trials[0].metrics['eval.score']).toBe(3);
    const status = await sweepStatus(dir);
    expect(status).toMatchObject({ done: 1, failed: 1, pending: 0 });
    expect(status.recentFailures[0]).toMatch(/eval_command exited with status 3/);
    writeFileSync(path.join(fx.root, 'unused'), '');
  });
});
