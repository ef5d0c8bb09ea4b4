import ort from 'onnxruntime-node';
import { defaultProviderSelector } from '../analysis/onnx-engine.js';
import { sessionOptions, type ProviderName } from '../onnx/session.js';
import { DEFAULT_DEMO_DECODER, buildDemoDecoder, buildInputProjection, checkDemoDecoderConfig, demoDecoderSpec, type DemoDecoderConfig } from './demo-decoder.js';
import { ModelSignatureError, PrefillError, throwIfAborted } from './errors.js';
import { compareNextToken, topK } from './fidelity.js';
import { PAPER_DECODE_STEPS, PAPER_MODEL_DIMS, compareFlops, type FlopsComparison } from './flops.js';
import { kvCacheBytes } from './kv-cache.js';
import { modelFeeds, sessionSignature } from './feeds.js';
import { readManifest, validateSignature, type PrefillModelSpec } from './manifest.js';
import { MemoryProbe } from './memory-probe.js';
import { checkPrefillMemory, estimateDemoPrefillMemory, estimateManifestPrefillMemory, formatBytes } from './memory-budget.js';
import { modelWeightSize } from './model-size.js';
import { measureFastvSplit } from './fastv-prefill.js';
import type { SequencePositions } from './positions.js';
import type { PrefillSequence } from './prefill-sequence.js';
import { latencyStats, speedupReliability, timingOrder } from './stats.js';
import type { MemoryFigures, PrefillComparison, PrefillModelInfo, PrefillOptions, PrefillReport, PrefillRunResult } from './types.js';

/** The sequences to measure: the full one and any number of compressed ones of the same clip. */
export interface PrefillInput {
  /** Position ids of the full clip (compressed rows look theirs up by original index). */
  positions: SequencePositions;
  full: PrefillSequence;
  compressed: PrefillSequence[];
}

export const DEMO_CAVEAT =
  'Demo decoder with random weights: its latency, memory and KV size scale with the token count as a real decoder\'s do, but its fidelity numbers (KL, top-k agreement, cosine) say nothing about answer accuracy.';

interface ResolvedModel {
  spec: PrefillModelSpec;
  /** ONNX bytes (demo) or file path (manifest; lets onnxruntime find external weight files). */
  source: Uint8Array | string;
  info: PrefillModelInfo;
}

/** The demo decoder a run builds: the overrides on the defaults, its length rounded up to whole query blocks. */
export function demoConfigFor(overrides: Partial<DemoDecoderConfig> | undefined, longest: number): DemoDecoderConfig {
  const config = { ...DEFAULT_DEMO_DECODER, ...overrides };
  // A narrower or wider decoder keeps the default MLP proportion (Qwen2.5's is about 5.3x; the
  // demo uses 2.75x, LLaMA-like, to keep CPU runs short) unless the caller sets it.
  if (overrides?.hiddenSize !== undefined && overrides.intermediateSize === undefined) {
    config.intermediateSize = Math.ceil((config.hiddenSize * DEFAULT_DEMO_DECODER.intermediateSize) / DEFAULT_DEMO_DECODER.hiddenSize / 8) * 8;
  }
  config.maxSequenceLength = Math.max(config.maxSequenceLength, Math.ceil(longest / config.queryBlock) * config.queryBlock);
  checkDemoDecoderConfig(config);
  return config;
}

async function resolveModel(options: PrefillOptions, input: PrefillInput): Promise<ResolvedModel> {
  const bundleDim = input.full.hiddenSize;
  if (options.model.kind === 'demo') {
    const config = demoConfigFor(options.model.config, input.full.tokens);
    // Refused before the graph is built: building alone holds the weights (issue 15 item 1).
    checkPrefillMemory(estimateDemoPrefillMemory(config, input.full.tokens, bundleDim), `the demo decoder with width ${config.hiddenSize} and ${config.numLayers} layers on ${input.full.tokens} tokens`);
    const spec = demoDecoderSpec(config);
    return {
      spec,
      source: buildDemoDecoder(config),
      info: {
        ...specInfo(spec),
        source: 'demo',
        manifestPath: null,
        modelPath: null,
        inputProjection: bundleDim === config.hiddenSize ? null : { from: bundleDim, to: config.hiddenSize },
        caveat: DEMO_CAVEAT,
        demoConfig: config,
      },
    };
  }
  const spec = await readManifest(options.model.path);
  if (spec.hiddenSize !== bundleDim) {
    throw new ModelSignatureError(
      `${options.model.path}: the model's hidden_size is ${spec.hiddenSize} but the bundle's embeddings have D = ${bundleDim}; use a bundle dumped from this model (or the demo decoder, which projects)`,
    );
  }
  // Refused before onnxruntime loads the files (issue 15 item 1).
  const weights = await modelWeightSize(spec.modelPath as string);
  checkPrefillMemory(estimateManifestPrefillMemory(spec, input.full.tokens, weights.bytes), `${spec.name} (${spec.numLayers} layers, hidden size ${spec.hiddenSize}, ${formatBytes(weights.bytes)} of model files) on ${input.full.tokens} tokens`);
  return {
    spec,
    source: spec.modelPath as string,
    info: { ...specInfo(spec), source: 'manifest', manifestPath: options.model.path, modelPath: spec.modelPath, inputProjection: null, caveat: null, demoConfig: null },
  };
}

function specInfo(spec: PrefillModelSpec): Omit<PrefillModelInfo, 'source' | 'manifestPath' | 'modelPath' | 'inputProjection' | 'caveat' | 'demoConfig'> {
  return {
    name: spec.name,
    hiddenSize: spec.hiddenSize,
    numLayers: spec.numLayers,
    numAttentionHeads: spec.numAttentionHeads,
    numKeyValueHeads: spec.numKeyValueHeads,
    headDim: spec.headDim,
    intermediateSize: spec.intermediateSize,
    positionIdsKind: spec.positionIdsKind,
  };
}

/** Projects every sequence from the bundle's D to the demo decoder's hidden size (untimed). */
async function projectSequences(sequences: PrefillSequence[], from: number, to: number, seed: number, provider: ProviderName): Promise<PrefillSequence[]> {
  const session = await ort.InferenceSession.create(buildInputProjection(from, to, seed), sessionOptions(provider));
  try {
    const out: PrefillSequence[] = [];
    for (const s of sequences) {
      const result = await session.run({ x: new ort.Tensor('float32', s.embeds, [s.tokens, from]) });
      out.push({ ...s, embeds: result.y.data as Float32Array, hiddenSize: to });
    }
    return out;
  } finally {
    await session.release();
  }
}

/** The last position's row of a [1, V] or [1, seq, V] output. */
function lastRow(tensor: ort.Tensor | undefined, name: string, label: string): Float32Array {
  if (!tensor || !(tensor.data instanceof Float32Array)) throw new PrefillError(`model run '${label}' returned no float32 output '${name}'`);
  const width = tensor.dims[tensor.dims.length - 1];
  const data = tensor.data;
  if (!width || data.length < width) throw new PrefillError(`model run '${label}': output '${name}' has an empty last axis (dims [${tensor.dims.join(', ')}])`);
  return data.slice(data.length - width);
}

interface MeasuredRun {
  result: PrefillRunResult;
  logits: Float32Array;
  hidden: Float32Array | null;
}

/** Seed of the timing order: fixed, so a rerun on the same machine times in the same order. */
export const TIMING_ORDER_SEED = 0x5eed_0f7;

/**
 * Times every sequence in one session of the provider (arena on, as an application runs it).
 * Each sequence is warmed up on its own shape first; then every round times each sequence once,
 * in that round's fixed-seed shuffled order (stats.ts timingOrder), so drift over the run (clock
 * ramps, allocator growth, other load) spreads over all sequences instead of landing on whichever
 * ran first.
 */
async function timeSequences(
  model: ResolvedModel,
  sequences: PrefillSequence[],
  positions: SequencePositions,
  provider: ProviderName,
  runs: number,
  warmupRuns: number,
  options: PrefillOptions,
  progress: (stage: string, variant: string, runsDone: number, index: number) => void,
  memory: MemoryFigures[],
): Promise<MeasuredRun[]> {
  const { spec } = model;
  progress('creating session', sequences[0].label, 0, 0);
  const created = performance.now();
  const session = typeof model.source === 'string' ? await ort.InferenceSession.create(model.source, sessionOptions(provider)) : await ort.InferenceSession.create(model.source, sessionOptions(provider));
  const sessionCreateMs = performance.now() - created;
  try {
    const signature = sessionSignature(session);
    validateSignature(spec, signature, spec.modelPath ?? spec.name);
    const feeds = sequences.map((seq) => modelFeeds(spec, signature, seq, positions));
    const warmupMs: number[][] = sequences.map(() => []);
    const samples: number[][] = sequences.map(() => []);
    const outputs: { logits: Float32Array; hidden: Float32Array | null }[] = new Array(sequences.length);
    const runOnce = async (index: number): Promise<number> => {
      throwIfAborted(options.signal);
      const started = performance.now();
      const out = await session.run(feeds[index]);
      const ms = performance.now() - started;
      const label = sequences[index].label;
      outputs[index] = {
        logits: lastRow(out[spec.outputs.logits], spec.outputs.logits, label),
        hidden: spec.outputs.lastHiddenState ? lastRow(out[spec.outputs.lastHiddenState], spec.outputs.lastHiddenState, label) : null,
      };
      return ms;
    };
    for (let index = 0; index < sequences.length; index++) {
      for (let w = 0; w < warmupRuns; w++) {
        progress(`warm-up ${w + 1}/${warmupRuns}`, sequences[index].label, w, index);
        warmupMs[index].push(await runOnce(index));
      }
    }
    const rounds = timingOrder(sequences.length, runs, TIMING_ORDER_SEED);
    for (let r = 0; r < runs; r++) {
      for (const index of rounds[r]) {
        progress(`run ${r + 1}/${runs}`, sequences[index].label, warmupRuns + r, index);
        samples[index].push(await runOnce(index));
      }
    }
    return sequences.map((seq, index) => {
      const kvDims = { layers: spec.numLayers, kvHeads: spec.numKeyValueHeads, headDim: spec.headDim, dtype: spec.kvDtype };
      return {
        logits: outputs[index].logits,
        hidden: outputs[index].hidden,
        result: {
          label: seq.label,
          tokens: seq.tokens,
          audioVideoTokens: seq.audioVideoTokens,
          latency: latencyStats(samples[index]),
          warmupMs: warmupMs[index],
          sessionCreateMs,
          memory: memory[index],
          kvCache: { ...kvDims, tokens: seq.tokens, bytes: kvCacheBytes(kvDims, seq.tokens) },
          nextTokenTop5: topK(outputs[index].logits, 5),
        },
      };
    });
  } finally {
    await session.release();
  }
}

function ratio(a: number, b: number): number {
  return b > 0 ? a / b : Number.NaN;
}

/** FastV sequences are counted as FastV runs: layers 1..K over the full sequence (K clamped to the model's depth). */
function flopsFor(dims: { layers: number; hiddenSize: number; intermediateSize: number }, full: PrefillSequence, compressed: PrefillSequence): FlopsComparison {
  const counts = {
    audioVideoFull: full.audioVideoTokens,
    audioVideoCompressed: compressed.audioVideoTokens,
    sequenceFull: full.tokens,
    sequenceCompressed: compressed.tokens,
  };
  return compareFlops(dims, counts, PAPER_DECODE_STEPS, compressed.fastvLayer ?? null);
}

/**
 * Measures prefill latency, memory and KV size of the full sequence and each compressed one, and
 * compares each compressed run's next-token output with the full run's. Memory is read per
 * sequence in a child process; latency is timed in one session, interleaved across rounds in a
 * fixed-seed order (timeSequences), and each speed-up says whether its spread makes it reliable.
 */
export async function runPrefillBenchmark(input: PrefillInput, options: PrefillOptions): Promise<PrefillReport> {
  const started = performance.now();
  const runs = options.runs ?? 5;
  const warmupRuns = options.warmupRuns ?? 1;
  if (!Number.isInteger(runs) || runs < 1) throw new PrefillError(`runs must be a positive integer, got ${runs}`);
  if (!Number.isInteger(warmupRuns) || warmupRuns < 0) throw new PrefillError(`warm-up runs must be a non-negative integer, got ${warmupRuns}`);
  for (const s of [input.full, ...input.compressed]) {
    if (s.embeds.length !== s.tokens * s.hiddenSize) throw new PrefillError(`sequence '${s.label}': ${s.embeds.length} values for ${s.tokens} x ${s.hiddenSize}`);
    if (s.hiddenSize !== input.full.hiddenSize) throw new PrefillError(`sequence '${s.label}' has hidden size ${s.hiddenSize}, the full one ${input.full.hiddenSize}`);
  }
  const report = (fraction: number, stage: string, variant?: string) => options.onProgress?.({ fraction: Math.min(1, fraction), stage, variant });

  report(0, options.model.kind === 'demo' ? 'building demo decoder' : 'reading model manifest');
  const model = await resolveModel(options, input);
  throwIfAborted(options.signal);
  report(0.02, 'choosing execution provider');
  const choice = await defaultProviderSelector().select(options.provider ?? 'auto');
  const notes: string[] = [];
  if (choice.provider === 'cpu') notes.push('No GPU provider was usable; every figure is from the CPU provider.');

  let sequences = [input.full, ...input.compressed];
  if (model.info.inputProjection) {
    report(0.04, `projecting inputs ${model.info.inputProjection.from} -> ${model.info.inputProjection.to}`);
    sequences = await projectSequences(sequences, model.info.inputProjection.from, model.info.inputProjection.to, model.info.demoConfig?.seed ?? 0, choice.provider);
    notes.push(`Inputs were projected from the bundle's D = ${model.info.inputProjection.from} to the demo decoder's ${model.info.inputProjection.to} by a fixed random Gaussian matrix (entries N(0, 1/D)) before timing; the projection is not timed.`);
  }
  throwIfAborted(options.signal);

  // Work is dominated by the longest sequences: one run weighs tokens². A memory pass is one run
  // plus a child process start (node, onnxruntime, the model load), counted as a fixed share.
  const runWeight = sequences.map((s) => s.tokens * s.tokens);
  const childStart = 0.2 * Math.max(...runWeight);
  const totalWork = runWeight.reduce((sum, w) => sum + w * (runs + warmupRuns + 1) + childStart, 0) || 1;
  // Memory passes go smallest first: each is its own child process, so order cannot bias them.
  const order = sequences.map((_, i) => i).sort((a, b) => sequences[a].tokens - sequences[b].tokens);
  const memory: MemoryFigures[] = new Array(sequences.length);
  // Memory is read in a fresh child process per sequence (memory-probe.ts): onnxruntime's arena
  // and the allocator keep what a session grew, so in this process every reading after the first
  // would depend on what ran before. Latency is timed here, in the normal session.
  const probe = await MemoryProbe.prepare({ model: model.source, spec: model.spec, positions: input.positions, provider: choice.provider });
  let done = 0;
  // FastV on the demo decoder is timed by its own split run (fastv-prefill.ts), not in the shared session.
  const splitRuns = new Map<number, MeasuredRun>();
  try {
    for (const index of order) {
      const seq = sequences[index];
      throwIfAborted(options.signal);
      if (seq.fastvLayer !== undefined) {
        // FastV: the first K layers on the full sequence, the rest on the kept rows (fastv-prefill.ts).
        if (model.info.demoConfig) {
          const base = done;
          const split = await measureFastvSplit({ config: model.info.demoConfig, requestedLayer: seq.fastvLayer, full: sequences[0], kept: seq, positions: input.positions, provider: choice.provider, runs, warmupRuns, signal: options.signal, progress: (stage, runsDone) => report(0.05 + (0.95 * (base + runsDone * runWeight[index])) / totalWork, `${seq.label}: ${stage}`, seq.label) });
          splitRuns.set(index, { result: split.result, logits: split.logits, hidden: split.hidden });
          notes.push(split.note);
          done += runWeight[index] * (runs + warmupRuns + 1) + childStart;
          continue;
        }
        notes.push(`FastV run '${seq.label}': a manifest model is one ONNX graph and cannot be split after layer ${seq.fastvLayer}; every layer ran on the kept tokens, which overstates FastV's speed-up.`);
      }
      report(0.05 + (0.95 * done) / totalWork, `${seq.label}: memory pass (child process)`, seq.label);
      const child = await probe.measure(seq, options.signal);
      done += runWeight[index] + childStart;
      memory[index] = {
        method: 'child-process',
        peakCounter: child.counter,
        peakResetAfterLoad: child.peakReset,
        cpuArena: probe.cpuArena,
        rssBaselineBytes: child.rssBaselineBytes,
        loadPeakBytes: child.loadPeakBytes,
        rssPeakBytes: child.rssPeakBytes,
        rssIncreaseBytes: Math.max(0, child.rssPeakBytes - child.rssBaselineBytes),
        childMaxRssBytes: child.maxRssBytes,
        deviceBytes: child.deviceBytes,
        deviceNote: child.deviceNote,
      };
    }
  } finally {
    await probe.dispose();
  }
  const memoryDone = done;
  // The full sequence (index 0) is never a FastV split, so the shared session always has work.
  const sessionIndices = sequences.map((_, i) => i).filter((i) => !splitRuns.has(i));
  const runsDone = sessionIndices.map(() => 0);
  const timed = await timeSequences(
    model,
    sessionIndices.map((i) => sequences[i]),
    input.positions,
    choice.provider,
    runs,
    warmupRuns,
    options,
    (stage, variant, _runs, k) => {
      if (stage !== 'creating session') runsDone[k]++;
      const timedWork = runsDone.reduce((sum, n, j) => sum + n * runWeight[sessionIndices[j]], 0);
      report(0.05 + (0.95 * (memoryDone + timedWork)) / totalWork, `${variant}: ${stage}`, variant);
    },
    sessionIndices.map((i) => memory[i]),
  );
  const measured: MeasuredRun[] = sequences.map((_, i) => splitRuns.get(i) ?? timed[sessionIndices.indexOf(i)]);

  const full = measured[0];
  const comparisons: PrefillComparison[] = input.compressed.map((seq, k) => {
    const run = measured[k + 1];
    const paperModelFlops: Record<string, FlopsComparison> = {};
    for (const [name, dims] of Object.entries(PAPER_MODEL_DIMS)) paperModelFlops[name] = flopsFor(dims, input.full, seq);
    return {
      label: seq.label,
      retention: {
        sequence: ratio(seq.tokens, input.full.tokens),
        audioVideo: ratio(seq.audioVideoTokens, input.full.audioVideoTokens),
      },
      speedup: {
        median: ratio(full.result.latency.medianMs, run.result.latency.medianMs),
        p95: ratio(full.result.latency.p95Ms, run.result.latency.p95Ms),
      },
      timing: speedupReliability(full.result.latency, run.result.latency, seq.label),
      memory: {
        rssIncreaseRatio: ratio(full.result.memory.rssIncreaseBytes, run.result.memory.rssIncreaseBytes),
        rssPeakRatio: ratio(full.result.memory.rssPeakBytes, run.result.memory.rssPeakBytes),
        kvCacheRatio: ratio(full.result.kvCache.bytes, run.result.kvCache.bytes),
        deviceRatio: full.result.memory.deviceBytes !== null && run.result.memory.deviceBytes !== null ? ratio(full.result.memory.deviceBytes, run.result.memory.deviceBytes) : null,
      },
      fidelity: compareNextToken(full, run),
      flops: flopsFor({ layers: model.spec.numLayers, hiddenSize: model.spec.hiddenSize, intermediateSize: model.spec.intermediateSize }, input.full, seq),
      paperModelFlops,
    };
  });
  report(1, 'done');
  return {
    format: 'omnizip-prefill',
    version: 1,
    model: model.info,
    provider: { name: choice.provider, device: choice.device, attempts: choice.attempts },
    settings: { runs, warmupRuns, timingOrderSeed: TIMING_ORDER_SEED },
    runs: measured.map((m) => m.result),
    comparisons,
    processMaxRssBytes: process.resourceUsage().maxRSS * 1024,
    notes,
    wallMs: performance.now() - started,
  };
}
