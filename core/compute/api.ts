/**
 * The compute worker's API: the heavy work of the core (analysis, media encoding, prefill, sweep
 * trials and sweep views) as typed RPC methods, so the hosts (web server, Electron compute host)
 * and the CLI run it off their event loop. Served by ./worker.ts, called through ./client.ts; the
 * sweep methods by core/sweeps (a pool of these workers runs a local sweep).
 */
import type { AnalyzeProgress, ClipAnalysis } from '../analysis/types.js';
import type { SpeechActivityRequest } from '../analysis/speech-activity.js';
import type { AudioNeighbourLists } from '../planner/audio-neighbours.js';
import type { FeatureBundle } from '../bundle/types.js';
import type { EncodeProgress } from '../encoders/encode-media.js';
import type { EncodeJobRequest, EncodeJobSummary } from '../encoders/encode-job.js';
import type { FastvAttention, FastvAttentionRequest } from '../methods/fastv-scores.js';
import type { ProviderPreference } from '../onnx/session.js';
import type { PrefillJob } from '../prefill/job.js';
import type { PrefillProgress, PrefillReport } from '../prefill/types.js';
import type { SweepView } from '../protocol/sweep-contract.js';
import type { RpcMethod } from '../rpc/messages.js';
import type { TrialJob, TrialOutcome } from '../sweeps/evaluate.js';

/** The parts of a FeatureBundle the analysis reads (its buffers move to the worker). */
export interface AnalysisInput {
  numAudio: number;
  numVideo: number;
  hiddenSize: number;
  audioEmbeds: Float32Array;
  videoEmbeds: Float32Array;
  audioScores: Float32Array | null;
  contentHash?: string;
}

export interface AnalysisRequest {
  bundle: AnalysisInput;
  frameGeometries: number[];
  provider: ProviderPreference;
  /** Use the on-disk analysis cache. */
  cache: boolean;
}

/** What `analysis.warm` opens ahead of the first clip: the analysis engine of this provider preference (its provider choice and onnxruntime sessions). */
export interface WarmRequest {
  provider: ProviderPreference;
  /** The bundle file the host expects to open first: when its analysis is cached, no session is opened (./warm.ts). */
  firstClip?: string;
}

export interface AnalysisReply {
  analysis: ClipAnalysis;
  /** The clip's content hash (computed in the worker when the bundle had none). */
  contentHash: string;
  cache: 'hit' | 'miss' | 'corrupt' | 'disabled';
  cacheProblem?: string;
  /** The merge stage's neighbour lists, built here so the host's first plan does not build them on its loop. */
  audioNeighbours: AudioNeighbourLists | null;
}

export interface MediaEncodeRequest {
  file: string;
  /** 'demo' or the path of an encoder manifest (JSON). */
  encoders: string;
}

/** A type alias, not an interface: an RpcApi needs the implicit index signature. */
export type ComputeApi = {
  'analysis.run': RpcMethod<AnalysisRequest, AnalysisReply, AnalyzeProgress>;
  /**
   * Loads onnxruntime and opens the sessions the first analysis needs, so a host can start that
   * work before any clip arrives. Answers null whether or not it worked: a failure is
   * met again, and reported, by the analysis that needs the sessions.
   */
  'analysis.warm': RpcMethod<WarmRequest, null>;
  /** Silero VAD per audio token (or its cached answer): off the host's loop, whose request it held up to ~1 s. */
  'speech.activity': RpcMethod<SpeechActivityRequest, Float32Array>;
  /** A media file → an in-memory feature bundle. */
  'media.encode': RpcMethod<MediaEncodeRequest, FeatureBundle, EncodeProgress>;
  /** A media file → a bundle file on disk. */
  'encode.job': RpcMethod<EncodeJobRequest, EncodeJobSummary, EncodeProgress>;
  'prefill.run': RpcMethod<PrefillJob, PrefillReport, PrefillProgress>;
  /** FastV's decoder run: the layer-K attention row of the clip's last prompt position. */
  'fastv.attention': RpcMethod<FastvAttentionRequest, FastvAttention>;
  /** A batch of sweep trials, in order: each outcome is reported as progress when it finishes; the result is how many ran. */
  'sweep.evaluate': RpcMethod<TrialJob[], number, TrialOutcome>;
  /** A sweep directory (plan, records, fronts) as the studio's columnar view. */
  'sweep.view': RpcMethod<{ dir: string }, SweepView>;
};
