/**
 * The inference panel's state, apart from the studio store: its form, the run in flight and the
 * kept results (a list: each run is added, never overwritten, so settings can be compared).
 */
import { DEMO_DECODER_DEFAULT_SIZE } from '../../../core/prefill/demo-size.js';
import { create } from 'zustand';
import type { PrefillResultView } from '../../../core/protocol/prefill-contract.js';

export type PrefillModelKind = 'demo' | 'manifest';
export type PrefillProvider = 'auto' | 'cpu' | 'webgpu' | 'cuda';

export interface PrefillForm {
  modelKind: PrefillModelKind;
  manifestPath: string;
  /**
   * Demo decoder size: the one the CLI's `prefill` also defaults to (core/prefill/demo-size.ts), so
   * the panel's and the CLI's figures compare.
   */
  demoHiddenSize: number;
  demoLayers: number;
  runs: number;
  warmupRuns: number;
  provider: PrefillProvider;
  /** Also measure the Compare view's other side(s): pinned A, or the uniform and random baselines. */
  includeCompare: boolean;
}

export const DEFAULT_PREFILL_FORM: Readonly<PrefillForm> = Object.freeze({
  modelKind: 'demo',
  manifestPath: '',
  demoHiddenSize: DEMO_DECODER_DEFAULT_SIZE.hiddenSize,
  demoLayers: DEMO_DECODER_DEFAULT_SIZE.numLayers,
  runs: 3,
  warmupRuns: 1,
  provider: 'auto',
  includeCompare: true,
});

export interface PrefillJobState {
  jobId: string;
  fraction: number;
  stage: string;
  cancelling: boolean;
}

export interface PrefillEntry {
  /** 1, 2, ... in the order the runs finished (the table's and the chart's "run #"). */
  id: number;
  finishedAt: string;
  result: PrefillResultView;
}

export interface PrefillState {
  form: PrefillForm;
  job: PrefillJobState | null;
  results: PrefillEntry[];
  /** How the last run ended, for the status line. */
  outcome: { kind: 'done' | 'cancelled' | 'failed'; text: string } | null;
  setForm(patch: Partial<PrefillForm>): void;
}

export const usePrefill = create<PrefillState>()((set) => ({
  form: { ...DEFAULT_PREFILL_FORM },
  job: null,
  results: [],
  outcome: null,
  setForm: (patch) => set((s) => ({ form: { ...s.form, ...patch } })),
}));
