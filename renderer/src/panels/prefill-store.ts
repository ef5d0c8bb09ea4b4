/**
 * The inference panel's state, apart from the studio store: its form, the run in flight and the
 * kept results (a list: each run is added, never overwritten, so settings can be compared).
 */
import { create } from 'zustand';
import type { PrefillResultView } from '../../../core/protocol/prefill-contract.js';

export type PrefillModelKind = 'demo' | 'manifest';
export type PrefillProvider = 'auto' | 'cpu' | 'webgpu' | 'cuda';

export interface PrefillForm {
  modelKind: PrefillModelKind;
  manifestPath: string;
  /**
   * Demo decoder defaults sized for the panel: d 256 x 2 layers keeps a run on the 24 s demo clip
   * (3.5 k tokens) at about 5 s on 2 CPU cores (d 512 x 4 layers, the CLI's default, takes ~4x).
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
  demoHiddenSize: 256,
  demoLayers: 2,
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
