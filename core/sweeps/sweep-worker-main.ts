/** Body of a sweep worker: evaluates trials one at a time, each cancellable. */
import { parentPort } from 'node:worker_threads';
import { sharedOnnxEngine } from '../analysis/onnx-engine.js';
import { parseProviderPreference } from '../onnx/session.js';
import { evaluateTrial, type TrialJob } from './evaluate.js';
import type { TrialOutcome } from './executor.js';
import type { PoolReply, PoolRequest } from './worker-pool.js';

const port = parentPort;
if (!port) throw new Error('sweep-worker-main must run in a worker thread');
const running = new Map<number, AbortController>();

const providersUsed = new Set<string>();

async function shutdown(): Promise<void> {
  for (const c of running.values()) c.abort();
  while (running.size > 0) await new Promise((r) => setTimeout(r, 20));
  for (const p of providersUsed) await sharedOnnxEngine(parseProviderPreference(p)).dispose();
  port!.close();
}

port.on('message', (m: PoolRequest<TrialJob[]>) => {
  if (m.type === 'shutdown') {
    void shutdown();
    return;
  }
  if (m.type === 'cancel') {
    running.get(m.id)?.abort();
    return;
  }
  for (const job of m.job) providersUsed.add(job.provider ?? 'auto');
  const controller = new AbortController();
  running.set(m.id, controller);
  // Each trial of the batch is reported as it finishes; the result is how many ran.
  const runBatch = async (): Promise<number> => {
    let ran = 0;
    for (const job of m.job) {
      if (controller.signal.aborted) break;
      let outcome: TrialOutcome;
      try {
        outcome = { ok: true, record: await evaluateTrial(job, controller.signal) };
      } catch (err) {
        if (controller.signal.aborted) break;
        const e = err instanceof Error ? err : new Error(String(err));
        outcome = { ok: false, trial: job.trial, key: job.key, name: e.name, message: e.message };
      }
      port.postMessage({ type: 'progress', id: m.id, progress: outcome } satisfies PoolReply<number, TrialOutcome>);
      ran++;
    }
    return ran;
  };
  runBatch().then(
    (result) => port.postMessage({ type: 'result', id: m.id, result } satisfies PoolReply<number, TrialOutcome>),
    (err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      port.postMessage({ type: 'error', id: m.id, name: e.name, message: e.message } satisfies PoolReply<number, TrialOutcome>);
    },
  ).finally(() => running.delete(m.id));
});
