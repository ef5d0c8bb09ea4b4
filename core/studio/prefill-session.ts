/**
 * The session side of `prefill.run`: builds the full and compressed sequences of the open clip
 * from the plans the studio shows (same planner, same cached analysis), runs the prefill
 * benchmark off the host's thread (a worker, whose memory passes are child processes), and turns
 * the report into the contract's table-ready view.
 */
import type { FeatureBundle } from '../bundle/types.js';
import { compressSequence } from '../planner/sequence.js';
import type { PlanResult } from '../planner/types.js';
import { runPrefillInWorker, type PrefillRunOptions } from '../compute/client.js';
import type { PrefillJob } from '../prefill/job.js';
import { sequencePositions } from '../prefill/positions.js';
import { demoConfigFor, type PrefillInput } from '../prefill/runner.js';
import type { DemoDecoderConfig } from '../prefill/demo-decoder.js';
import { estimateDemoPrefillMemory, formatBytes, prefillMemoryLimitBytes } from '../prefill/memory-budget.js';
import { TextEmbeddings, compressedSequence, fullSequence } from '../prefill/prefill-sequence.js';
import type { PrefillReport } from '../prefill/types.js';
import { StudioError } from './errors.js';
import { OmniZipError } from '../protocol/errors.js';
import { orderedConfig } from './export.js';
import type { PrefillResultView, PrefillRow, PrefillRunParams } from '../protocol/prefill-contract.js';

export type RunPrefill = (job: PrefillJob, options: PrefillRunOptions) => Promise<PrefillReport>;

export interface PrefillClip {
  clipId: string;
  name: string;
  bundle: FeatureBundle;
  /** The session's own planner path (config resolution, cached analysis). */
  plan(config: Record<string, unknown>): PlanResult;
}

/** Sessions with a prefill run in flight: two at once would time each other's CPU contention. */
const busy = new WeakSet<object>();

function checkRequest(params: PrefillRunParams): void {
  if (params.settings.length === 0) throw new StudioError('bad-request', 'prefill.run needs at least one setting to compare with the full sequence');
  const labels = params.settings.map((s) => s.label);
  const twice = labels.find((l, i) => labels.indexOf(l) !== i);
  if (twice !== undefined) throw new StudioError('bad-request', `prefill.run: the setting label '${twice}' is used twice; labels name the table rows and must differ`);
  if (labels.includes('full')) throw new StudioError('bad-request', "prefill.run: 'full' names the uncompressed sequence; give the setting another label");
  if (params.model.kind === 'manifest' && !params.model.manifestPath) throw new StudioError('bad-request', 'prefill.run: a manifest model needs manifestPath (the model manifest JSON, see docs/prefill.md)');
  const d = params.model.demoHiddenSize;
  if (params.model.kind === 'demo' && (d % 16 !== 0 || d < 48)) {
    throw new StudioError('bad-config', `demo decoder width ${d} must be a multiple of 16 and at least 48 (8 heads with an even head size of at least 6 for M-RoPE)`);
  }
}

/** Refuses a demo decoder whose estimated memory does not fit, saying both figures (issue 15 item 1). */
function checkDemoMemory(model: PrefillRunParams['model'], input: PrefillInput, limit = prefillMemoryLimitBytes()): void {
  let config: DemoDecoderConfig;
  try {
    config = demoConfigFor({ hiddenSize: model.demoHiddenSize, numLayers: model.demoLayers }, input.full.tokens);
  } catch (err) {
    throw studioErrorFor(err);
  }
  const estimate = estimateDemoPrefillMemory(config, input.full.tokens, input.full.hiddenSize);
  if (estimate.totalBytes > limit) {
    throw new StudioError(
      'bad-config',
      `prefill.run refused: the demo decoder with width ${config.hiddenSize} and ${config.numLayers} layers on ${input.full.tokens} tokens needs about ${formatBytes(estimate.totalBytes)} (estimate), more than the ${formatBytes(limit)} limit (OMNIZIP_PREFILL_MEMORY_LIMIT_MB, default half of this machine's memory); choose a smaller width or fewer layers`,
    );
  }
}

/** The worker's errors arrive with their kind (core/protocol/errors.ts); each becomes a studio error kind. */
function studioErrorFor(err: unknown): unknown {
  if (!(err instanceof OmniZipError)) return err;
  switch (err.kind) {
    case 'cancelled':
      return new StudioError('cancelled', 'the prefill run was cancelled');
    case 'bad-manifest':
    case 'model-mismatch':
      return new StudioError('bad-file', err.message);
    case 'bad-config':
      return new StudioError('bad-config', err.message);
    case 'provider-unavailable':
    case 'unknown-provider':
      return new StudioError('unsupported', err.message);
    case 'prefill-failed':
      return new StudioError('prefill-failed', `prefill failed: ${err.message}`);
    default:
      return err;
  }
}

export function prefillInputForClip(clip: PrefillClip, settings: PrefillRunParams['settings']): { input: PrefillInput; resolved: { label: string; config: Record<string, unknown> }[] } {
  const text = TextEmbeddings.forBundle(clip.bundle);
  const resolved: { label: string; config: Record<string, unknown> }[] = [];
  const compressed = settings.map((setting) => {
    const plan = clip.plan(setting.config);
    resolved.push({ label: setting.label, config: orderedConfig(plan.config) });
    const seq = compressedSequence(clip.bundle, compressSequence(clip.bundle, plan), text, setting.label);
    // FastV's prefill splits after layer K (core/prefill/fastv-prefill.ts).
    return plan.config.method === 'fastv' ? { ...seq, fastvLayer: plan.config.fastv_layer } : seq;
  });
  return { input: { positions: sequencePositions(clip.bundle), full: fullSequence(clip.bundle, text), compressed }, resolved };
}

export function prefillRows(report: PrefillReport): PrefillRow[] {
  const row = (k: number): PrefillRow => {
    const run = report.runs[k];
    const c = k === 0 ? null : report.comparisons[k - 1];
    return {
      label: run.label,
      isFull: k === 0,
      tokens: run.tokens,
      audioVideoTokens: run.audioVideoTokens,
      medianMs: run.latency.medianMs,
      p95Ms: run.latency.p95Ms,
      minMs: run.latency.minMs,
      maxMs: run.latency.maxMs,
      samplesMs: [...run.latency.samplesMs],
      peakMemoryBytes: run.memory.rssPeakBytes,
      memoryIncreaseBytes: run.memory.rssIncreaseBytes,
      memoryBaselineBytes: run.memory.rssBaselineBytes,
      peakCounter: run.memory.peakCounter,
      deviceBytes: run.memory.deviceBytes,
      kvCacheBytes: run.kvCache.bytes,
      retentionSequence: c ? c.retention.sequence : null,
      retentionAudioVideo: c ? c.retention.audioVideo : null,
      speedupMedian: c ? c.speedup.median : null,
      speedupP95: c ? c.speedup.p95 : null,
      timingNote: c ? c.timing.note : null,
      flopsSpeedup: c ? c.flops.wholeSequence.prefillSpeedup : null,
      flopsSpeedupAudioVideo: c ? c.flops.audioVideoOnly.prefillSpeedup : null,
      memoryRatio: c ? c.memory.rssIncreaseRatio : null,
      klDivergence: c ? c.fidelity.klDivergence : null,
      top1Agreement: c ? c.fidelity.top1Agreement : null,
      top5Overlap: c ? c.fidelity.top5Overlap : null,
      hiddenCosine: c ? c.fidelity.hiddenCosine : null,
    };
  };
  return report.runs.map((_, k) => row(k));
}

export async function runStudioPrefill(
  owner: object,
  clip: PrefillClip,
  params: PrefillRunParams,
  run: RunPrefill | undefined,
  signal: AbortSignal,
  progress: (fraction: number, stage: string) => void,
): Promise<PrefillResultView> {
  checkRequest(params);
  if (busy.has(owner)) throw new StudioError('bad-request', 'a prefill run is already in progress; cancel it or wait for it to finish');
  busy.add(owner);
  try {
    progress(0, 'planning the settings');
    const { input, resolved } = prefillInputForClip(clip, params.settings);
    if (signal.aborted) throw new StudioError('cancelled', 'the prefill run was cancelled');
    if (params.model.kind === 'demo') checkDemoMemory(params.model, input);
    const model: PrefillJob['model'] =
      params.model.kind === 'manifest'
        ? { kind: 'manifest', path: params.model.manifestPath as string }
        : { kind: 'demo', config: { hiddenSize: params.model.demoHiddenSize, numLayers: params.model.demoLayers } };
    let report: PrefillReport;
    try {
      report = await (run ?? runPrefillInWorker)(
        { source: { kind: 'sequences', input }, model, provider: params.provider, runs: params.runs, warmupRuns: params.warmupRuns },
        { signal, onProgress: (p) => progress(0.02 + 0.98 * p.fraction, p.stage) },
      );
    } catch (err) {
      throw studioErrorFor(err);
    }
    return {
      clipId: clip.clipId,
      clipName: clip.name,
      model: {
        name: report.model.name,
        source: report.model.source,
        hiddenSize: report.model.hiddenSize,
        numLayers: report.model.numLayers,
        inputProjection: report.model.inputProjection ? [report.model.inputProjection.from, report.model.inputProjection.to] : null,
        caveat: report.model.caveat,
      },
      provider: { name: report.provider.name, device: report.provider.device },
      runs: report.settings.runs,
      warmupRuns: report.settings.warmupRuns,
      settings: resolved,
      rows: prefillRows(report),
      notes: report.notes,
      wallMs: report.wallMs,
      reportJson: JSON.stringify(report),
    };
  } finally {
    busy.delete(owner);
  }
}
