/** State of the Sweeps view: the loaded sweep, what the plots show, the brushes and the selection. */
import { create } from 'zustand';
import type { SweepView } from '../../../core/protocol/sweep-contract.js';
import type { Aggregate, Brushes } from './geometry.js';

export interface SweepForm {
  source: 'clip' | 'folder';
  folder: string;
  spaceYaml: string;
  sampler: 'grid' | 'random' | 'sobol';
  trials: number;
  objectives: string;
  methods: string;
  workers: number;
}

export interface SelectedTrial {
  trial: number;
  clipPath: string;
  config: Record<string, unknown>;
  metrics: Record<string, unknown>;
}

export interface SweepsState {
  open: boolean;
  form: SweepForm;
  dirInput: string;
  view: SweepView | null;
  /** Job of a sweep started here: its id, directory and progress. */
  job: { jobId: string; dir: string; fraction: number; stage: string } | null;
  aggregate: Aggregate;
  xMetric: string | null;
  yMetric: string | null;
  colorParam: string | null;
  brushes: Brushes;
  selectedConfig: number | null;
  selectedTrial: SelectedTrial | null;
  setOpen(open: boolean): void;
  setForm(patch: Partial<SweepForm>): void;
  set(patch: Partial<SweepsState>): void;
}

export const DEFAULT_FORM: SweepForm = {
  source: 'clip',
  folder: '',
  spaceYaml: 'rho_video: [0.4, 0.5, 0.6, 0.7, 0.8]\ng: [0, 3, 15]\nrho_audio: [0.2, 0.3, 0.4]',
  sampler: 'grid',
  trials: 64,
  objectives: 'kept_fraction, video_coverage',
  methods: 'omnizip',
  workers: 2,
};

export const useSweeps = create<SweepsState>((set) => ({
  open: false,
  form: DEFAULT_FORM,
  dirInput: '',
  view: null,
  job: null,
  aggregate: 'mean',
  xMetric: null,
  yMetric: null,
  colorParam: null,
  brushes: {},
  selectedConfig: null,
  selectedTrial: null,
  setOpen: (open) => set({ open }),
  setForm: (patch) => set((s) => ({ form: { ...s.form, ...patch } })),
  set: (patch) => set(patch),
}));
