/**
 * FastV's decoder in the studio: which decoder its layer-K scores come from (the demo decoder or a
 * user decoder manifest: a server-side path in web mode, the shell's open dialog in the desktop
 * app), what that decoder can give (`fastv.decoder`: its depth, a clamped K, or why it cannot
 * expose layer-K attention), and the decoder run itself as a cancellable job (`fastv.scores`) whose
 * progress the Compare view's FastV column shows. One choice serves Compare and the inference panel.
 */
import { create } from 'zustand';
import type { FastvDecoderInfo } from '../../../core/protocol/fastv-contract.js';
import type { FastvDecoderChoice } from '../../../core/protocol/prefill-contract.js';
import { StudioRemoteError } from '../../../core/protocol/contract.js';
import { connectedClient } from '../actions.js';
import type { StudioClient } from '../transport/client.js';
import { cancelPanelJob, followJobProgress, type PanelJob } from './panel-job.js';
import { errorText } from '../error-text.js';

export interface FastvJob extends PanelJob {
  /** clip | layer | decoder: what the run computes. */
  key: string;
}

export interface FastvState {
  kind: 'demo' | 'manifest';
  /** The manifest path as typed (web) or chosen in the dialog (desktop). */
  manifestPath: string;
  /** What the chosen decoder can give at the current K (Compare's decoder), and for the inference panel's. */
  info: FastvDecoderInfo | null;
  prefillInfo: FastvDecoderInfo | null;
  job: FastvJob | null;
  /** How the last scores run ended when it did not succeed (shown in FastV's column). */
  failure: { key: string; kind: 'cancelled' | 'failed'; text: string } | null;
}

export const useFastv = create<FastvState>()(() => ({ kind: 'demo', manifestPath: '', info: null, prefillInfo: null, job: null, failure: null }));

/** The choice as the contract carries it (plan.run, export.build, prefill.run, fastv.*). */
export function fastvDecoderChoice(state: Pick<FastvState, 'kind' | 'manifestPath'> = useFastv.getState()): FastvDecoderChoice {
  const path = state.manifestPath.trim();
  return state.kind === 'manifest' && path !== '' ? { kind: 'manifest', manifestPath: path } : { kind: 'demo', manifestPath: null };
}

/** A FastV request's decoder field: only when a manifest is chosen (the host's default is the demo decoder). */
export function fastvDecoderParam(): { fastvDecoder?: FastvDecoderChoice } {
  const choice = fastvDecoderChoice();
  return choice.kind === 'manifest' ? { fastvDecoder: choice } : {};
}

export function fastvRunKey(clipId: string, layer: number, choice: FastvDecoderChoice = fastvDecoderChoice()): string {
  return `${clipId}|${layer}|${choice.kind}:${choice.manifestPath ?? ''}`;
}


/**
 * Asks the host what the chosen decoder can give at K: for Compare (the default demo decoder) or for
 * the inference panel (`demo`: the size it measures; absent when it measures a manifest model).
 */
export async function refreshFastvInfo(layer: number, slot: 'compare' | 'prefill', demo?: { hiddenSize: number; numLayers: number }): Promise<void> {
  const decoder = fastvDecoderChoice();
  const field = slot === 'compare' ? 'info' : 'prefillInfo';
  let info: FastvDecoderInfo;
  try {
    info = await connectedClient().call('fastv.decoder', { decoder, layer, ...(demo ? { demo } : {}) });
  } catch (err) {
    info = { name: decoder.manifestPath ?? 'demo decoder', numLayers: null, requestedLayer: layer, layer: null, clampNote: null, unavailable: errorText(err) };
  }
  const now = fastvDecoderChoice();
  if (now.kind === decoder.kind && now.manifestPath === decoder.manifestPath) useFastv.setState({ [field]: info });
}

/** Desktop: the manifest comes from the shell's open dialog (the path is then one the user chose). */
export async function chooseManifestWithDialog(client: StudioClient = connectedClient()): Promise<void> {
  const picked = await client.call('shell.openDialog', {});
  if (picked.path) useFastv.setState({ kind: 'manifest', manifestPath: picked.path, failure: null });
}

export function setFastvDecoder(patch: Partial<Pick<FastvState, 'kind' | 'manifestPath'>>): void {
  useFastv.setState({ ...patch, failure: null, info: null, prefillInfo: null });
}

let running: { key: string; done: Promise<boolean> } | null = null;

/**
 * Runs (or joins) the decoder's layer-K run on the clip as a job; true when the scores are ready.
 * A run already going for the same clip, K and decoder is joined, never started twice, so one
 * cancel stops it.
 */
export function ensureFastvScores(clipId: string, layer: number, client: StudioClient = connectedClient()): Promise<boolean> {
  const decoder = fastvDecoderChoice();
  const key = fastvRunKey(clipId, layer, decoder);
  if (running?.key === key) return running.done;
  const jobId = `fastv${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  useFastv.setState({ job: { jobId, key, fraction: 0, stage: 'starting', cancelling: false }, failure: null });
  const stopListening = followJobProgress(client, useFastv, jobId);
  const done = client
    .call('fastv.scores', { jobId, clipId, decoder, layer })
    .then(() => true)
    .catch((err: unknown) => {
      const cancelled = err instanceof StudioRemoteError && err.kind === 'cancelled';
      useFastv.setState({ failure: { key, kind: cancelled ? 'cancelled' : 'failed', text: cancelled ? 'cancelled: FastV\u2019s layer-K attention was not computed' : errorText(err) } });
      return false;
    })
    .finally(() => {
      stopListening();
      if (running?.key === key) running = null;
      useFastv.setState((s) => (s.job?.jobId === jobId ? { job: null } : {}));
    });
  running = { key, done };
  return done;
}

export function cancelFastvScores(): Promise<void> {
  const key = useFastv.getState().job?.key ?? '';
  return cancelPanelJob(connectedClient(), useFastv, (text) => useFastv.setState({ failure: { key, kind: 'failed', text } }));
}
