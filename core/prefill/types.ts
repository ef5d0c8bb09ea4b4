import type { ProviderPreference, ProviderProbe } from '../onnx/session.js';
import type { DemoDecoderConfig } from './demo-decoder.js';
import type { FidelityMetrics } from './fidelity.js';
import type { FlopsComparison } from './flops.js';
import type { KvDType } from './kv-cache.js';
import type { DecoderDimensions, PositionIdsKind } from './manifest.js';
import type { PeakCounter } from './peak-rss.js';
import type { LatencyStats } from './stats.js';

/** Which decoder to run: the built-in demo decoder, or a user model described by a manifest. */
export type PrefillModelChoice = { kind: 'demo'; config?: Partial<DemoDecoderConfig> } | { kind: 'manifest'; path: string };

export interface PrefillProgress {
  /** 0..1 over the whole benchmark. */
  fraction: number;
  /** What is happening, for a status line: 'building demo decoder', 'full: run 2/5', ... */
  stage: string;
  /** The sequence being measured, when one is. */
  variant?: string;
}

export interface PrefillOptions {
  model: PrefillModelChoice;
  provider?: ProviderPreference;
  /** Timed runs per sequence (>= 1). */
  runs?: number;
  /** Untimed runs before timing (>= 0): first-run allocations and kernel selection. */
  warmupRuns?: number;
  signal?: AbortSignal;
  onProgress?: (progress: PrefillProgress) => void;
}

export interface MemoryFigures {
  /** Read in a fresh child process per sequence (core/prefill/memory-child.ts), one run after the model load. */
  method: 'child-process';
  /** The OS peak counter read: Linux VmHWM (the child's own high-water mark) or getrusage maxRSS elsewhere. */
  peakCounter: PeakCounter;
  /** True when the peak counter was reset after the model load, so the peak covers the run alone. */
  peakResetAfterLoad: boolean;
  /** The measured session used onnxruntime's CPU memory arena (the provider's normal session). */
  cpuArena: boolean;
  /** Child RSS with the model loaded and the inputs built, just before the run. */
  rssBaselineBytes: number;
  /** The child's peak counter before the run (process start and model load). */
  loadPeakBytes: number;
  /** The child's peak RSS during the run (the whole child's life when the counter could not be reset). */
  rssPeakBytes: number;
  /** rssPeakBytes - rssBaselineBytes: what the prefill run itself added. */
  rssIncreaseBytes: number;
  /** getrusage maxRSS of the child; on Linux it includes the spawning process's RSS (kept for reference). */
  childMaxRssBytes: number;
  /** Device memory where the provider exposes it (CUDA: nvidia-smi for the child); null otherwise (see deviceNote). */
  deviceBytes: number | null;
  deviceNote: string;
}

export interface KvCacheFigures {
  /** layers x 2 x kv_heads x tokens x head_dim x bytes */
  bytes: number;
  dtype: KvDType;
  layers: number;
  kvHeads: number;
  headDim: number;
  tokens: number;
}

/** One sequence measured on one model. */
export interface PrefillRunResult {
  label: string;
  tokens: number;
  audioVideoTokens: number;
  latency: LatencyStats;
  warmupMs: number[];
  sessionCreateMs: number;
  memory: MemoryFigures;
  kvCache: KvCacheFigures;
  /** Top-5 next-token ids of this run. */
  nextTokenTop5: number[];
}

/** A compressed sequence against the full one. */
export interface PrefillComparison {
  label: string;
  retention: {
    /** tokens / full tokens (the whole sequence). */
    sequence: number;
    /** audio+video tokens kept / audio+video tokens (the paper's "retained" ratio). */
    audioVideo: number;
  };
  /** Measured prefill speed-up: full latency / compressed latency. */
  speedup: { median: number; p95: number };
  /** Whether the timings' spread lets the speed-up be read at face value (stats.ts speedupReliability). */
  timing: { reliable: boolean; note: string | null };
  memory: {
    /** full RSS increase / compressed RSS increase. */
    rssIncreaseRatio: number;
    rssPeakRatio: number;
    kvCacheRatio: number;
    deviceRatio: number | null;
  };
  fidelity: FidelityMetrics;
  /** The paper's FLOPs formula with the benchmarked model's dimensions. */
  flops: FlopsComparison;
  /** The same formula with the paper's model dimensions, for reference. */
  paperModelFlops: Record<string, FlopsComparison>;
}

export interface PrefillModelInfo extends DecoderDimensions {
  name: string;
  source: 'demo' | 'manifest';
  /** Manifest and ONNX file, when the model came from disk. */
  manifestPath: string | null;
  modelPath: string | null;
  positionIdsKind: PositionIdsKind;
  /** The bundle's D -> model hidden size projection applied before timing (demo decoder only). */
  inputProjection: { from: number; to: number } | null;
  /** What the numbers mean for this model; always set for the demo decoder. */
  caveat: string | null;
  demoConfig: DemoDecoderConfig | null;
}

export interface PrefillReport {
  format: 'omnizip-prefill';
  version: 1;
  model: PrefillModelInfo;
  provider: { name: string; device: string; attempts: ProviderProbe[] };
  /** timingOrderSeed: the seed of the interleaved timing order (stats.ts timingOrder). */
  settings: { runs: number; warmupRuns: number; timingOrderSeed: number };
  /** Measurements in the order given: the full sequence first. */
  runs: PrefillRunResult[];
  /** One per compressed sequence, in the order given. */
  comparisons: PrefillComparison[];
  /** Process-wide peak RSS (getrusage), which includes everything this process did before. */
  processMaxRssBytes: number;
  notes: string[];
  wallMs: number;
}
