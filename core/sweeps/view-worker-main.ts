/** Body of the sweep-view worker: reads a sweep directory into the studio's columnar view. */
import { parentPort } from 'node:worker_threads';
import type { SweepView } from '../protocol/sweep-contract.js';
import { loadSweepView } from './view.js';
import type { PoolReply, PoolRequest } from './worker-pool.js';

const port = parentPort;
if (!port) throw new Error('view-worker-main must run in a worker thread');
port.on('message', (m: PoolRequest<{ dir: string }>) => {
  if (m.type === 'shutdown') {
    port.close();
    return;
  }
  if (m.type !== 'run') return;
  loadSweepView(m.job.dir).then(
    (result) => port.postMessage({ type: 'result', id: m.id, result } satisfies PoolReply<SweepView, never>),
    (err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      port.postMessage({ type: 'error', id: m.id, name: e.name, message: e.message } satisfies PoolReply<SweepView, never>);
    },
  );
});
