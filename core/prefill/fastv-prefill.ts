import type { ProviderName } from '../onnx/session.js';
import { demoDecoderSpec, type DemoDecoderConfig } from './demo-decoder.js';
import { throwIfAborted } from './errors.js';
import { topK } from './fidelity.js';
import { kvCacheBytes } from './kv-cache.js';
import { DemoSplitPrefill, demoSplitParts, resolveFastvLayer } from './layer-attention.js';
import { MemoryProbe } from './memory-probe.js';
import type { MemoryChildResult } from './memory-protocol.js';
import type { SequencePositions } from './positions.js';
import type { PrefillSequence } from './prefill-sequence.js';
import { latencyStats } from './stats.js';
import type { MemoryFigures, PrefillRunResult } from './types.js';

/**
 * FastV's prefill measured the way FastV runs it: layers 1..K on the full sequence, then the
 * remaining layers on the kept rows only (their hidden states after layer K, at their original
 * positions). Latency times both parts back to back; memory is read in a fresh child per part
 * (like every other run) and the run's figure is the larger part's increase over its baseline.
 */

export interface FastvMeasured {
  result: PrefillRunResult;
  logits: Float32Array;
  hidden: Float32Array;
  note: string;
}

function memoryFigures(head: MemoryChildResult, tail: MemoryChildResult | null, cpuArena: boolean): MemoryFigures {
  const increase = (r: MemoryChildResult) => Math.max(0, r.rssPeakBytes - r.rssBaselineBytes);
  const rssIncreaseBytes = Math.max(increase(head), tail ? increase(tail) : 0);
  return {
    method: 'child-process',
    peakCounter: head.counter,
    peakResetAfterLoad: head.peakReset && (tail?.peakReset ?? true),
    cpuArena,
    rssBaselineBytes: head.rssBaselineBytes,
    loadPeakBytes: Math.max(head.loadPeakBytes, tail?.loadPeakBytes ?? 0),
    rssPeakBytes: head.rssBaselineBytes + rssIncreaseBytes,
    rssIncreaseBytes,
    childMaxRssBytes: Math.max(head.maxRssBytes, tail?.maxRssBytes ?? 0),
    deviceBytes: head.deviceBytes === null ? null : Math.max(head.deviceBytes, tail?.deviceBytes ?? 0),
    deviceNote: head.deviceNote,
  };
}

/**
 * Measures one FastV run: `full` is the whole (projected) sequence, `kept` the plan's kept rows
 * (their `sequencePositions` index `full`'s rows, which are the positions 0..L-1).
 */
export async function measureFastvSplit(args: {
  config: DemoDecoderConfig;
  requestedLayer: number;
  full: PrefillSequence;
  kept: PrefillSequence;
  positions: SequencePositions;
  provider: ProviderName;
  runs: number;
  warmupRuns: number;
  signal?: AbortSignal;
  progress: (stage: string, runsDone: number) => void;
}): Promise<FastvMeasured> {
  const { config, full, kept, positions, provider } = args;
  const { layer, note: clampNote } = resolveFastvLayer(args.requestedLayer, config.numLayers, 'the demo decoder');
  const spec = demoDecoderSpec(config);
  const cpuArena = true;
  const parts = demoSplitParts(config, layer);

  args.progress('memory pass, layers before the split (child process)', 0);
  const headProbe = await MemoryProbe.prepare({ model: parts.head.model, spec: parts.head.spec, positions, provider, cpuArena });
  let head: MemoryChildResult;
  try {
    head = await headProbe.measure(full, args.signal);
  } finally {
    await headProbe.dispose();
  }
  let tail: MemoryChildResult | null = null;
  if (parts.tail) {
    throwIfAborted(args.signal);
    args.progress('memory pass, layers after the split (child process)', 0);
    const tailProbe = await MemoryProbe.prepare({ model: parts.tail.model, spec: parts.tail.spec, positions, provider, cpuArena });
    try {
      // Memory depends on the shapes only: the kept rows' inputs stand in for their hidden states.
      tail = await tailProbe.measure(kept, args.signal);
    } finally {
      await tailProbe.dispose();
    }
  }

  args.progress('creating sessions', 0);
  const created = performance.now();
  const split = await DemoSplitPrefill.create(config, layer, provider, parts);
  const sessionCreateMs = performance.now() - created;
  try {
    const rows = kept.sequencePositions;
    const warmupMs: number[] = [];
    const samples: number[] = [];
    let last: Awaited<ReturnType<DemoSplitPrefill['run']>> | null = null;
    for (let i = 0; i < args.warmupRuns + args.runs; i++) {
      throwIfAborted(args.signal);
      const warm = i < args.warmupRuns;
      args.progress(warm ? `warm-up ${i + 1}/${args.warmupRuns}` : `run ${i - args.warmupRuns + 1}/${args.runs}`, i);
      const started = performance.now();
      last = await split.run(full, rows, positions);
      (warm ? warmupMs : samples).push(performance.now() - started);
    }
    const out = last as NonNullable<typeof last>;
    const kvHead = { layers: layer, kvHeads: spec.numKeyValueHeads, headDim: spec.headDim, dtype: spec.kvDtype };
    const kvTail = { ...kvHead, layers: config.numLayers - layer };
    const note =
      `FastV run '${kept.label}': layers 1..${layer} on all ${full.tokens} tokens, layers ${layer + 1}..${config.numLayers} on the ${kept.tokens} kept ones; ` +
      `latency times both parts, memory is the larger part's increase (read in a child per part), the KV cache holds ${full.tokens} tokens in the first ${layer} layers.` +
      (clampNote ? ` ${clampNote}` : '');
    return {
      logits: out.logits,
      hidden: out.lastHidden,
      note,
      result: {
        label: kept.label,
        tokens: kept.tokens,
        audioVideoTokens: kept.audioVideoTokens,
        latency: latencyStats(samples),
        warmupMs,
        sessionCreateMs,
        memory: memoryFigures(head, tail, cpuArena),
        // The figure's fields describe the part after the split; bytes cover both parts.
        kvCache: { ...kvTail, layers: config.numLayers, tokens: kept.tokens, bytes: kvCacheBytes(kvHead, full.tokens) + kvCacheBytes(kvTail, kept.tokens) },
        nextTokenTop5: topK(out.logits, 5),
      },
    };
  } finally {
    await split.release();
  }
}
