/** Body of a sweep worker: evaluates trials one at a time, each cancellable. */
import { parentPort } from 'node:worker_threads';
import { sharedOnnxEngine } from '../analysis/onnx-engine.js';
import { parseProviderPreference } from '../onnx/session.js';
import { evaluateTrial, type TrialJob } from './evaluate.js';
import type { TrialRecord } from './store.js';
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

port.on('message', (m: PoolRequest<TrialJob>) => {
  if (m.type === 'shutdown') {
    void shutdown();
    return;
  }
  if (m.type === 'cancel') {
    running.get(m.id)?.abort();
    return;
  }
  providersUsed.add(m.job.provider ?? 'auto');
  const controller = new AbortController();
  running.set(m.id, controller);
  evaluateTrial(m.job, controller.signal).then(
    (result) => port.postMessage({ type: 'result', id: m.id, result } satisfies PoolReply<TrialRecord, never>),
    (err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      port.postMessage({ type: 'error', id: m.id, name: e.name, message: e.message } satisfies PoolReply<TrialRecord, never>);
    },
  ).finally(() => running.delete(m.id));
});
