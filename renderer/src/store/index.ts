/**
 * The studio's state, one zustand slice per concern. Only ids, configs and small derived values
 * live here; arrays stay in `dataCache`.
 */
import { usePicked } from './pick.js';
import { create } from 'zustand';
import { DEFAULT_CONFIG, type OmniZipConfig } from '../../../core/config/schema.js';
import type { AnalysisProviderChoice, ClipSummary, RecentFile, Result } from '../../../core/protocol/contract.js';

export interface JobState {
  jobId: string;
  label: string;
  fraction: number;
  stage: string;
}

export interface StudioMessage {
  id: number;
  text: string;
}

export interface SessionSlice {
  mode: 'electron' | 'web';
  info: Result<'app.info'> | null;
  clip: ClipSummary | null;
  job: JobState | null;
  errors: StudioMessage[];
  recent: RecentFile[];
  /** Execution provider the user forced for analysis; changes only once an analysis on it succeeded. */
  provider: AnalysisProviderChoice;
  /** Set while the open clip shows settings restored from its saved session (the status line's "Reset"). */
  sessionRestored: { clipId: string; savedAt: string } | null;
  /** Increments when the open clip's data in the data cache was fetched again (its speech curve came after the open). */
  clipDataSeq: number;
  setInfo(info: Result<'app.info'>): void;
  setClip(clip: ClipSummary): void;
  setJob(job: JobState | null): void;
  pushError(text: string): void;
  dismissError(id: number): void;
}

export interface ConfigSlice {
  config: OmniZipConfig;
  past: OmniZipConfig[];
  future: OmniZipConfig[];
  /** Sets config keys; a new undo step unless `coalesce` says the same slider is still moving. */
  setConfig(patch: Partial<OmniZipConfig>, coalesceKey?: string): void;
  undo(): void;
  redo(): void;
}

export interface PlanSlice {
  /** Key of the plan in the data cache that every view shows. */
  planKey: string | null;
  planError: string | null;
  /** Increments with each committed plan: the redraw tracker pairs it with slider marks. */
  planSeq: number;
  /** Bumped whenever the plan object under planKey is replaced (a new plan, or an identical copy: redraw-rehearsal.ts); usePlan reads by it. */
  planRevision: number;
  setPlan(planKey: string, seq: number): void;
  /** The plan under planKey was replaced by an identical copy: the views recompute from it. */
  touchPlan(): void;
  setPlanError(message: string | null): void;
}

export interface SelectionSlice {
  /** Time under the pointer in any view (seconds), or null. */
  hoverTime: number | null;
  /** Time the user clicked or scrubbed to (seconds). */
  selectedTime: number;
  setHoverTime(t: number | null): void;
  setSelectedTime(t: number): void;
  /** The time range the timeline is zoomed to (seconds); null: the whole clip. Linked to Groups and Frames. */
  viewRange: [number, number] | null;
  setViewRange(range: [number, number] | null): void;
}

export type CompareMode = 'off' | 'pinned' | 'baselines';
/** A registered baseline's method id (core/methods/registry.ts). */
export type Baseline = string;

/** Baselines the Compare view plans by default: every registered method but OmniZip. */
export const DEFAULT_COMPARE_METHODS: readonly string[] = ['uniform', 'random', 'dycoke', 'fastv', 'visionzip'];

export interface CompareSlice {
  compareMode: CompareMode;
  pinnedConfig: OmniZipConfig | null;
  baseline: Baseline;
  /** Plan keys of the comparison's other side(s). */
  comparePlanKey: string | null;
  baselinePlanKeys: Partial<Record<Baseline, string>>;
  /** Baselines compared with OmniZip at once (the overlay shows `baseline`, the table and heatmap all). */
  compareMethods: string[];
  /** Why a selected baseline could not be planned on this clip (e.g. FastV without decoder attention). */
  baselineErrors: Record<string, string>;
  setCompareMode(mode: CompareMode): void;
  pin(config: OmniZipConfig): void;
  setBaseline(b: Baseline): void;
  toggleCompareMethod(id: string): void;
  setComparePlans(keys: { compare?: string | null; baselines?: Partial<Record<Baseline, string>>; errors?: Record<string, string> }): void;
}

export type StudioState = SessionSlice & ConfigSlice & PlanSlice & SelectionSlice & CompareSlice;

const HISTORY_LIMIT = 200;
let lastCoalesceKey: string | null = null;
let lastCoalesceAt = 0;
let nextMessageId = 1;

export const useStudio = create<StudioState>()((set, get) => ({
  // session
  mode: 'web',
  info: null,
  clip: null,
  job: null,
  errors: [],
  recent: [],
  provider: 'auto',
  sessionRestored: null,
  clipDataSeq: 0,
  setInfo: (info) => set({ info, recent: info.recent }),
  setClip: (clip) => set({ clip, sessionRestored: null, planKey: null, comparePlanKey: null, baselinePlanKeys: {}, selectedTime: 0, hoverTime: null, viewRange: null }),
  setJob: (job) => set({ job }),
  pushError: (text) => set((s) => ({ errors: [...s.errors.slice(-4), { id: nextMessageId++, text }] })),
  dismissError: (id) => set((s) => ({ errors: s.errors.filter((e) => e.id !== id) })),

  // config with undo/redo
  config: { ...DEFAULT_CONFIG },
  past: [],
  future: [],
  setConfig: (patch, coalesceKey) => {
    const { config, past } = get();
    const next = { ...config, ...patch };
    if (JSON.stringify(next) === JSON.stringify(config)) return;
    const now = Date.now();
    // A drag of one slider is one undo step, not one per pixel.
    const coalesce = coalesceKey !== undefined && coalesceKey === lastCoalesceKey && now - lastCoalesceAt < 800;
    lastCoalesceKey = coalesceKey ?? null;
    lastCoalesceAt = now;
    set({ config: next, past: coalesce ? past : [...past, config].slice(-HISTORY_LIMIT), future: [] });
  },
  undo: () => {
    const { past, config, future } = get();
    if (past.length === 0) return;
    lastCoalesceKey = null;
    set({ config: past[past.length - 1], past: past.slice(0, -1), future: [config, ...future] });
  },
  redo: () => {
    const { past, config, future } = get();
    if (future.length === 0) return;
    lastCoalesceKey = null;
    set({ config: future[0], past: [...past, config], future: future.slice(1) });
  },

  // plan
  planKey: null,
  planError: null,
  planSeq: 0,
  planRevision: 0,
  setPlan: (planKey, seq) => set((s) => ({ planKey, planSeq: seq, planError: null, planRevision: s.planRevision + 1 })),
  touchPlan: () => set((s) => ({ planRevision: s.planRevision + 1 })),
  setPlanError: (planError) => set({ planError }),

  // selection
  hoverTime: null,
  selectedTime: 0,
  setHoverTime: (hoverTime) => {
    if (get().hoverTime !== hoverTime) set({ hoverTime });
  },
  setSelectedTime: (selectedTime) => set({ selectedTime }),
  viewRange: null,
  setViewRange: (viewRange) => set({ viewRange }),

  // compare
  compareMode: 'off',
  pinnedConfig: null,
  baseline: 'uniform',
  comparePlanKey: null,
  baselinePlanKeys: {},
  compareMethods: [...DEFAULT_COMPARE_METHODS],
  baselineErrors: {},
  toggleCompareMethod: (id) =>
    set((s) => ({ compareMethods: s.compareMethods.includes(id) ? s.compareMethods.filter((m) => m !== id) : DEFAULT_COMPARE_METHODS.filter((m) => m === id || s.compareMethods.includes(m)) })),
  setCompareMode: (compareMode) => set((s) => ({ compareMode, pinnedConfig: compareMode === 'pinned' ? (s.pinnedConfig ?? s.config) : s.pinnedConfig })),
  pin: (config) => set({ pinnedConfig: { ...config }, compareMode: 'pinned' }),
  setBaseline: (baseline) => set({ baseline }),
  setComparePlans: (keys) =>
    set((s) => ({
      comparePlanKey: keys.compare === undefined ? s.comparePlanKey : keys.compare,
      baselinePlanKeys: keys.baselines ?? s.baselinePlanKeys,
      baselineErrors: keys.errors ?? s.baselineErrors,
    })),
}));

/** Several fields of the studio state in one subscription (see `usePicked`). */
export function useStudioPick<K extends keyof StudioState>(...keys: K[]): Pick<StudioState, K> {
  return usePicked(useStudio, keys);
}
