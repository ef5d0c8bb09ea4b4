/**
 * Reads sweep directories for the studio host off its event loop: parsing tens of thousands of
 * trial records and computing both fronts takes long enough to stall the web server or the
 * compute host. One unref'd worker is kept for the host's life.
 */
import type { SweepView } from '../protocol/sweep-contract.js';
import { SweepDirError } from './errors.js';
import { threadSpawner, WorkerJobError, WorkerPool } from './worker-pool.js';
import { entryUrl } from '../runtime/entry-points.js';

let pool: WorkerPool<{ dir: string }, SweepView, never> | null = null;

export async function loadSweepViewInWorker(dir: string): Promise<SweepView> {
  pool ??= new WorkerPool(entryUrl('sweep-view-worker'), 1, threadSpawner({ unref: true }));
  try {
    return await pool.run({ dir });
  } catch (err) {
    // Errors meant for the user keep their kind across the thread boundary.
    if (err instanceof WorkerJobError && err.name === 'SweepDirError') throw new SweepDirError(err.message);
    throw err;
  }
}
