/**
 * What a demo-decoder prefill run will hold in memory, estimated before anything is built, so a
 * request the machine cannot hold is refused with the figures instead of growing the host until
 * the OS kills it (issue 15 item 1). The estimate errs high: the weights exist three times (the
 * ONNX bytes built in the worker, the timing session, the memory child's session) and one
 * forward pass's activations twice (timing session and memory child).
 */
import os from 'node:os';
import { OmniZipError } from '../protocol/errors.js';
import type { DemoDecoderConfig } from './demo-decoder.js';
import type { DecoderDimensions } from './manifest.js';

const FLOAT32 = 4;

export interface PrefillMemoryEstimate {
  weightBytes: number;
  activationBytes: number;
  totalBytes: number;
}

export function estimateDemoPrefillMemory(config: DemoDecoderConfig, tokens: number, inputSize: number): PrefillMemoryEstimate {
  const d = config.hiddenSize;
  const kvWidth = (d / config.numAttentionHeads) * config.numKeyValueHeads;
  const perLayer = 2 * d * d + 2 * d * kvWidth + 3 * d * config.intermediateSize + 2 * d;
  const weights = (config.numLayers * perLayer + d * config.vocabSize + d + inputSize * d) * FLOAT32;
  // One layer's live tensors for the whole sequence (hidden, q/k/v, MLP gate and up) plus one
  // query block's scores, and the KV of every layer that the graph keeps until the end.
  const perToken = 6 * d + 2 * kvWidth + 3 * config.intermediateSize + inputSize;
  const scores = config.numAttentionHeads * config.queryBlock * Math.max(tokens, config.queryBlock);
  const kv = config.numLayers * 2 * kvWidth * tokens;
  const activations = (tokens * perToken + scores + kv) * FLOAT32;
  return { weightBytes: weights, activationBytes: activations, totalBytes: 3 * weights + 2 * activations };
}

/**
 * A user decoder (a manifest's ONNX model): its weights are the bytes of its files (see
 * model-size.ts), held by the timing session and, at load, by onnxruntime's copy of the file, so
 * twice; the activations of one forward pass are estimated from the manifest's dimensions (one
 * layer's live tensors for the whole sequence plus every layer's KV), twice as for the demo
 * decoder. A graph that materialises full attention scores or full-sequence logits needs more.
 */
export function estimateManifestPrefillMemory(spec: DecoderDimensions, tokens: number, weightBytes: number): PrefillMemoryEstimate {
  const d = spec.hiddenSize;
  const kvWidth = spec.numKeyValueHeads * spec.headDim;
  const qWidth = spec.numAttentionHeads * spec.headDim;
  const perToken = 4 * d + qWidth + 2 * kvWidth + 3 * spec.intermediateSize;
  const kv = spec.numLayers * 2 * kvWidth * tokens;
  const activations = (tokens * perToken + kv) * FLOAT32;
  return { weightBytes, activationBytes: activations, totalBytes: 2 * weightBytes + 2 * activations };
}

/** A prefill run refused before anything was built or loaded, because its estimate exceeds the limit. */
export class PrefillMemoryError extends OmniZipError {
  constructor(message: string) {
    super('bad-config', message);
  }
}

/** Throws PrefillMemoryError, with the estimate and the limit, when `estimate` does not fit. */
export function checkPrefillMemory(estimate: PrefillMemoryEstimate, what: string, limit = prefillMemoryLimitBytes()): void {
  if (estimate.totalBytes <= limit) return;
  throw new PrefillMemoryError(
    `prefill refused: ${what} needs about ${formatBytes(estimate.totalBytes)} (estimate: ${formatBytes(estimate.weightBytes)} of weights, ${formatBytes(estimate.activationBytes)} of activations per pass), more than the ${formatBytes(limit)} limit (OMNIZIP_PREFILL_MEMORY_LIMIT_MB, default half of this machine's memory)`,
  );
}

/**
 * Memory a prefill run may use: OMNIZIP_PREFILL_MEMORY_LIMIT_MB when set, else half of this
 * machine's memory (the host, the renderer and the OS keep the rest).
 */
export function prefillMemoryLimitBytes(env: NodeJS.ProcessEnv = process.env): number {
  const configured = Number(env.OMNIZIP_PREFILL_MEMORY_LIMIT_MB);
  if (env.OMNIZIP_PREFILL_MEMORY_LIMIT_MB !== undefined && Number.isFinite(configured) && configured > 0) return configured * 1024 * 1024;
  return Math.floor(os.totalmem() / 2);
}

export function formatBytes(bytes: number): string {
  const gib = bytes / 1024 ** 3;
  return gib >= 1 ? `${gib.toFixed(1)} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;
}
