/**
 * Reads sweep directories for the studio host off its event loop: parsing tens of thousands of
 * trial records and computing both fronts takes long enough to stall the web server or the
 * compute host. A compute worker of its own (its `sweep.view` method), so a view never waits
 * behind an analysis; kept for the host's life, it does not hold the process open while idle.
 */
import type { ComputeApi } from '../compute/api.js';
import { OmniZipError } from '../protocol/errors.js';
import type { SweepView } from '../protocol/sweep-contract.js';
import { RpcClient } from '../rpc/client.js';
import { entryUrl } from '../runtime/entry-points.js';
import { SWEEP_DIR_KIND, SweepDirError } from './errors.js';

let views: RpcClient<ComputeApi> | null = null;

export async function loadSweepViewInWorker(dir: string): Promise<SweepView> {
  views ??= new RpcClient<ComputeApi>({ entry: entryUrl('compute-worker'), name: 'sweep view' });
  try {
    return await views.call('sweep.view', { dir });
  } catch (err) {
    // The studio tells a bad sweep directory (a user error) from a failure by its kind.
    if (err instanceof OmniZipError && err.kind === SWEEP_DIR_KIND) throw new SweepDirError(err.message);
    throw err;
  }
}
