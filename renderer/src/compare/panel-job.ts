/**
 * A panel's own long job (the inference panel's prefill run, FastV's decoder run): the host's
 * job.progress events for its id update the panel's store, and cancel marks it as cancelling
 * until the host answers. Shared so both panels follow and cancel their jobs the same way.
 */
import type { StudioClient } from '../transport/client.js';
import { errorText } from '../error-text.js';

export interface PanelJob {
  jobId: string;
  fraction: number;
  stage: string;
  cancelling: boolean;
}

/** The part of a zustand store these helpers touch: its `job`. */
export interface JobStore<J extends PanelJob> {
  getState(): { job: J | null };
  setState(update: (s: { job: J | null }) => { job?: J | null }): void;
}

/** Follows `jobId`'s progress into the store; returns the unsubscribe. */
export function followJobProgress<J extends PanelJob>(client: StudioClient, store: JobStore<J>, jobId: string): () => void {
  return client.onEvent((event) => {
    if (event.type !== 'job.progress' || event.jobId !== jobId) return;
    store.setState((s) => (s.job?.jobId === jobId ? { job: { ...s.job, fraction: event.fraction, stage: event.stage } } : {}));
  });
}

/** Asks the host to cancel the store's job (once); `onError` gets why the request itself failed. */
export async function cancelPanelJob<J extends PanelJob>(client: StudioClient, store: JobStore<J>, onError: (text: string) => void): Promise<void> {
  const job = store.getState().job;
  if (!job || job.cancelling) return;
  store.setState(() => ({ job: { ...job, cancelling: true, stage: `${job.stage} (cancelling…)` } }));
  try {
    await client.call('job.cancel', { jobId: job.jobId });
  } catch (err) {
    onError(`cancel failed: ${errorText(err)}`);
  }
}
