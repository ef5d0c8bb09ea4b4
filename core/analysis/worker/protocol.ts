import type { ProviderPreference } from '../../onnx/session.js';
import type { AnalyzeProgress, ClipAnalysis } from '../types.js';

/** Messages between WorkerAnalysisEngine (host) and analysis-worker.ts. */

/** The parts of a FeatureBundle the analysis reads; its buffers are transferred, not copied. */
export interface WorkerBundle {
  numAudio: number;
  numVideo: number;
  hiddenSize: number;
  audioEmbeds: Float32Array;
  videoEmbeds: Float32Array;
  audioScores: Float32Array | null;
  contentHash?: string;
}

export type HostMessage =
  | { type: 'analyze'; id: number; bundle: WorkerBundle; frameGeometries: number[]; provider: ProviderPreference }
  | { type: 'cancel'; id: number }
  /** Release the onnxruntime sessions and end the thread (terminating it mid-run can abort the process). */
  | { type: 'shutdown' };

export type WorkerMessage =
  | { type: 'progress'; id: number; progress: AnalyzeProgress }
  | { type: 'result'; id: number; analysis: ClipAnalysis }
  | { type: 'error'; id: number; name: string; message: string };
