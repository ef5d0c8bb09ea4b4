import type { ProviderName } from '../onnx/session.js';
import type { PrefillModelSpec } from './manifest.js';
import type { PeakCounter } from './peak-rss.js';

/**
 * What the parent (memory-probe.ts) sends the memory child (memory-child.ts) on stdin, and what
 * the child prints back. Arrays travel as raw little-endian files in a private temp directory.
 */
export interface MemoryChildRequest {
  /** The .onnx file (a user model's own path, or the demo decoder written to the temp dir). */
  modelPath: string;
  spec: PrefillModelSpec;
  provider: ProviderName;
  /** onnxruntime's CPU memory arena on or off for the measured session. */
  cpuArena: boolean;
  label: string;
  tokens: number;
  hiddenSize: number;
  /** float32 [tokens, hiddenSize] */
  embedsFile: string;
  /** int32 [tokens]: original sequence position of each row */
  sequencePositionsFile: string;
  /** L: positions of the full clip */
  fullLength: number;
  /** int32 [3, L] and [L]: position ids of the full clip */
  mropeFile: string;
  linearFile: string;
}

export interface MemoryChildResult {
  counter: PeakCounter;
  /** Whether the peak counter was reset after the model load (Linux); if not, the peak also covers the load. */
  peakReset: boolean;
  /** RSS with the model loaded and the inputs built, just before the run. */
  rssBaselineBytes: number;
  /** The peak counter before the run: start-up and model load. */
  loadPeakBytes: number;
  /** The peak counter after the one run. */
  rssPeakBytes: number;
  /** getrusage maxRSS after the run (on Linux it may include the spawning process; see peak-rss.ts). */
  maxRssBytes: number;
  deviceBytes: number | null;
  deviceNote: string;
  runMs: number;
}

/** The child prints exactly one line starting with this marker, followed by JSON. */
export const RESULT_MARKER = 'OMNIZIP_MEMORY_RESULT ';

export type MemoryChildReply = { ok: true; result: MemoryChildResult } | { ok: false; kind: string; message: string };
