import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { goldenDir } from '../../test-support/golden.js';
import { itWithGolden } from '../../test-support/golden-vitest.js';
import { ModelManifestError, PrefillCancelledError, PrefillError } from '../prefill/errors.js';
import type { PrefillJob } from '../prefill/job.js';
import type { PrefillReport } from '../prefill/types.js';
import { ContractError } from '../protocol/check.js';
import { hostMethods, isHostMethod, type ClipSummary, type PlanView, type ProgressEvent } from '../protocol/contract.js';
import { createDefaultDeps } from './deps.js';
import { dispatch } from './dispatch.js';
import { prefillResultCheck, type PrefillResultView, type PrefillRunParams } from '../protocol/prefill-contract.js';
import { csvField, prefillRunsCsv, prefillRunsJson } from './prefill-export.js';
import type { RunPrefill } from './prefill-session.js';
import { RecentFiles } from './recent.js';
import { StudioSession } from './session.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const golden = (name: string) => path.join(goldenDir(), name);

function newSession(runPrefill?: RunPrefill) {
  return new StudioSession({ ...createDefaultDeps({ appRoot: repoRoot, version: 'test' }), runPrefill }, new RecentFiles(null));
}

async function call<T>(session: StudioSession, method: string, params: unknown, events: ProgressEvent[] = []): Promise<T> {
  const outcome = await dispatch(session, method, params, (e) => events.push(e));
  if (!outcome.ok) throw new Error(`${outcome.error.kind}: ${outcome.error.message}`);
  return outcome.result as T;
}

const tinyDemo = { kind: 'demo', manifestPath: null, demoHiddenSize: 64, demoLayers: 1 } as const;
const params = (clipId: string, extra: Partial<PrefillRunParams> = {}): PrefillRunParams => ({
  jobId: 'p1',
  clipId,
  settings: [{ label: 'current', config: { rho_audio: 0.4, rho_video: 0.7 } }],
  model: tinyDemo,
  provider: 'cpu',
  runs: 2,
  warmupRuns: 0,
  ...extra,
});

describe('prefill.run contract', () => {
  it('is a host method with checked params', () => {
    expect(isHostMethod('prefill.run')).toBe(true);
    const check = hostMethods['prefill.run'].params;
    expect(check.parse(params('abc'))).toEqual(params('abc'));
    expect(() => check.parse({ ...params('abc'), extra: 1 })).toThrow(/unexpected key 'extra'/);
    expect(() => check.parse({ ...params('abc'), runs: 0 })).toThrow(/runs: must be >= 1/);
    expect(() => check.parse({ ...params('abc'), runs: 2.5 })).toThrow(/integer/);
    expect(() => check.parse({ ...params('abc'), provider: 'tpu' })).toThrow(/one of auto, cpu, webgpu, cuda/);
    expect(() => check.parse({ ...params('abc'), model: { ...tinyDemo, kind: 'gguf' } })).toThrow(/model\.kind/);
    expect(() => check.parse({ ...params('abc'), model: { ...tinyDemo, demoHiddenSize: 1e6 } })).toThrow(/demoHiddenSize: must be <= 4096/);
    expect(() => check.parse({ ...params('abc'), clipId: '../x' })).toThrow(ContractError);
    // OmniZip plus every registered baseline fit; more than MAX_PREFILL_SETTINGS do not.
    const nine = Array.from({ length: 9 }, (_, i) => ({ label: `s${i}`, config: {} }));
    expect(() => check.parse({ ...params('abc'), settings: nine })).toThrow(/array longer than 8/);
    expect(() => check.parse({ ...params('abc'), settings: [{ label: 'x', config: 'rho=1' }] })).toThrow(/settings\[0\]\.config/);
  });

  it('refuses a result with a malformed row, naming the field', () => {
    const bad = { clipId: 'c', clipName: 'n', model: { name: 'm', source: 'demo', hiddenSize: 1, numLayers: 1, inputProjection: null, caveat: null }, provider: { name: 'cpu', device: 'd' }, runs: 1, warmupRuns: 0, settings: [], rows: [{ label: 'full' }], notes: [], wallMs: 1, reportJson: '{}' };
    expect(() => prefillResultCheck.parse(bad, 'result')).toThrow(/result\.rows\[0\]\.isFull/);
  });
});

/** A stand-in runner that answers from the job alone, instantly (the real one is tested below). */
function fakeReport(job: PrefillJob): PrefillReport {
  if (job.source.kind !== 'sequences') throw new Error('expected sequences');
  const { full, compressed } = job.source.input;
  const seqs = [full, ...compressed];
  const latency = (ms: number) => ({ runs: 1, samplesMs: [ms], medianMs: ms, p95Ms: ms, minMs: ms, maxMs: ms, meanMs: ms });
  const memory = (n: number) => ({ method: 'child-process' as const, peakCounter: 'VmHWM' as const, peakResetAfterLoad: true, cpuArena: true, rssBaselineBytes: 1e8, loadPeakBytes: 1e8, rssPeakBytes: 1e8 + n * 1e4, rssIncreaseBytes: n * 1e4, childMaxRssBytes: 1e8 + n * 1e4, deviceBytes: null, deviceNote: 'cpu' });
  const flops = { tokensFull: 1, tokensCompressed: 1, fullFlops: 1, compressedFlops: 1, ratio: 1, speedup: 1, prefillRatio: 1, prefillSpeedup: 3 };
  return {
    format: 'omnizip-prefill',
    version: 1,
    model: { name: 'fake', source: 'demo', manifestPath: null, modelPath: null, hiddenSize: 64, numLayers: 1, numAttentionHeads: 8, numKeyValueHeads: 2, headDim: 8, intermediateSize: 176, positionIdsKind: 'mrope', inputProjection: { from: 128, to: 64 }, caveat: 'random weights', demoConfig: null },
    provider: { name: 'cpu', device: 'test', attempts: [] },
    settings: { runs: 1, warmupRuns: 0, timingOrderSeed: 1 },
    runs: seqs.map((s) => ({ label: s.label, tokens: s.tokens, audioVideoTokens: s.audioVideoTokens, latency: latency(s.tokens / 10), warmupMs: [], sessionCreateMs: 1, memory: memory(s.tokens), kvCache: { bytes: s.tokens * 512, dtype: 'float32', layers: 1, kvHeads: 2, headDim: 8, tokens: s.tokens }, nextTokenTop5: [1, 2, 3, 4, 5] })),
    comparisons: compressed.map((s) => ({
      label: s.label,
      retention: { sequence: s.tokens / full.tokens, audioVideo: s.audioVideoTokens / full.audioVideoTokens },
      speedup: { median: full.tokens / s.tokens, p95: full.tokens / s.tokens },
      timing: { reliable: false, note: `only 1 timed run: the '${s.label}' speed-up has no spread to judge it by; use at least 3 runs` },
      memory: { rssIncreaseRatio: full.tokens / s.tokens, rssPeakRatio: 1, kvCacheRatio: full.tokens / s.tokens, deviceRatio: null },
      fidelity: { klDivergence: 0.1, top1Agreement: 1, top5Overlap: 0.8, top1InTop5: 1, hiddenCosine: 0.9, fullTop5: [1, 2, 3, 4, 5], compressedTop5: [1, 2, 3, 4, 6] },
      flops: { decodeSteps: 100, dims: { layers: 1, hiddenSize: 64, intermediateSize: 176 }, audioVideoOnly: flops, wholeSequence: flops },
      paperModelFlops: {},
    })),
    processMaxRssBytes: 1,
    notes: ['a note'],
    wallMs: 5,
  };
}

describe('prefill.run in the session', () => {
  itWithGolden('measures the sequences of the plans the studio shows, with progress, and answers a checked view', async () => {
    const jobs: PrefillJob[] = [];
    const session = newSession(async (job, options) => {
      jobs.push(job);
      options.onProgress?.({ fraction: 0.5, stage: 'full: run 1/1', variant: 'full' });
      return fakeReport(job);
    });
    const clip = await call<ClipSummary>(session, 'clip.openPath', { jobId: 'o', path: golden('default_params.safetensors') });
    const plan = await call<PlanView>(session, 'plan.run', { clipId: clip.clipId, config: { rho_audio: 0.4, rho_video: 0.7 } });
    const pinned = await call<PlanView>(session, 'plan.run', { clipId: clip.clipId, config: { rho_audio: 0.2, rho_video: 0.5 } });
    const events: ProgressEvent[] = [];
    const result = await call<PrefillResultView>(
      session,
      'prefill.run',
      params(clip.clipId, { settings: [{ label: 'B (live)', config: { rho_audio: 0.4, rho_video: 0.7 } }, { label: 'A (pinned)', config: { rho_audio: 0.2, rho_video: 0.5 } }] }),
      events,
    );
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ model: { kind: 'demo', config: { hiddenSize: 64, numLayers: 1 } }, provider: 'cpu', runs: 2, warmupRuns: 0 });
    expect(result.rows.map((r) => [r.label, r.tokens])).toEqual([
      ['full', clip.sequenceLength],
      ['B (live)', plan.counts.sequence.kept],
      ['A (pinned)', pinned.counts.sequence.kept],
    ]);
    expect(result.rows[0]).toMatchObject({ isFull: true, speedupMedian: null, klDivergence: null });
    expect(result.rows[1]).toMatchObject({ isFull: false, flopsSpeedup: 3, top1Agreement: 1, top5Overlap: 0.8, hiddenCosine: 0.9 });
    expect(result.settings[0].config).toMatchObject({ rho_audio: 0.4, rho_video: 0.7, g: 3 });
    expect(result.model).toMatchObject({ caveat: 'random weights', inputProjection: [128, 64] });
    expect(JSON.parse(result.reportJson).format).toBe('omnizip-prefill');
    expect(events.map((e) => e.jobId)).toEqual(events.map(() => 'p1'));
    expect(events.some((e) => e.stage === 'full: run 1/1' && e.fraction > 0.4 && e.fraction < 0.6)).toBe(true);
  });

  itWithGolden('maps the core errors onto studio error kinds and refuses bad requests', async () => {
    let fail: Error = new ModelManifestError('thinker.json: missing key hidden_size');
    const session = newSession(async () => {
      throw fail;
    });
    const clip = await call<ClipSummary>(session, 'clip.openPath', { jobId: 'o', path: golden('short_1group.safetensors') });
    const run = (extra: Partial<PrefillRunParams> = {}) => dispatch(session, 'prefill.run', params(clip.clipId, extra), () => {});
    expect(await run()).toEqual({ ok: false, error: { kind: 'bad-file', message: 'thinker.json: missing key hidden_size' } });
    fail = new PrefillCancelledError();
    expect(await run()).toMatchObject({ ok: false, error: { kind: 'cancelled' } });
    fail = new PrefillError("memory pass of 'full': the child process was killed by SIGKILL (out of memory?) without a result");
    expect(await run()).toMatchObject({ ok: false, error: { kind: 'prefill-failed', message: expect.stringContaining('out of memory?') } });
    expect(await run({ settings: [] })).toMatchObject({ ok: false, error: { kind: 'bad-request', message: expect.stringContaining('at least one setting') } });
    expect(await run({ settings: [{ label: 'x', config: {} }, { label: 'x', config: {} }] })).toMatchObject({ ok: false, error: { kind: 'bad-request', message: expect.stringContaining("'x' is used twice") } });
    expect(await run({ model: { ...tinyDemo, kind: 'manifest' } })).toMatchObject({ ok: false, error: { kind: 'bad-request', message: expect.stringContaining('manifestPath') } });
    expect(await run({ model: { ...tinyDemo, demoHiddenSize: 40 } })).toMatchObject({ ok: false, error: { kind: 'bad-config', message: expect.stringContaining('multiple of 16') } });
    expect(await run({ settings: [{ label: 'x', config: { rho_video: 3 } }] })).toMatchObject({ ok: false, error: { kind: 'bad-config' } });
    expect(await run({ clipId: 'nope' })).toMatchObject({ ok: false, error: { kind: 'unknown-clip' } });
  });

  itWithGolden('runs one prefill at a time per session', async () => {
    let release!: () => void;
    const session = newSession((job) => new Promise((resolve) => (release = () => resolve(fakeReport(job)))));
    const clip = await call<ClipSummary>(session, 'clip.openPath', { jobId: 'o', path: golden('short_1group.safetensors') });
    const first = dispatch(session, 'prefill.run', params(clip.clipId), () => {});
    await new Promise((r) => setTimeout(r, 20));
    expect(await dispatch(session, 'prefill.run', params(clip.clipId, { jobId: 'p2' }), () => {})).toMatchObject({ ok: false, error: { kind: 'bad-request', message: expect.stringContaining('already in progress') } });
    release();
    expect(await first).toMatchObject({ ok: true });
    // Free again once the first has finished.
    const again = dispatch(session, 'prefill.run', params(clip.clipId, { jobId: 'p3' }), () => {});
    await new Promise((r) => setTimeout(r, 20));
    release();
    expect(await again).toMatchObject({ ok: true });
  });

  itWithGolden('runs the real benchmark in the worker, and job.cancel stops it', async () => {
    const session = newSession();
    const clip = await call<ClipSummary>(session, 'clip.openPath', { jobId: 'o', path: golden('default_params.safetensors') });
    const plan = await call<PlanView>(session, 'plan.run', { clipId: clip.clipId, config: { rho_audio: 0.4, rho_video: 0.7 } });
    const result = await call<PrefillResultView>(session, 'prefill.run', params(clip.clipId));
    const [full, current] = result.rows;
    expect(full.tokens).toBe(clip.sequenceLength);
    expect(current.tokens).toBe(plan.counts.sequence.kept);
    expect(current.audioVideoTokens).toBe(plan.counts.audio.kept + plan.counts.video.kept);
    for (const row of result.rows) {
      expect(row.samplesMs).toHaveLength(2);
      expect(row.medianMs).toBeGreaterThan(0);
      expect(row.peakMemoryBytes).toBeGreaterThan(row.memoryBaselineBytes);
      expect(row.kvCacheBytes).toBe(1 * 2 * 2 * row.tokens * 8 * 4);
    }
    expect(current.flopsSpeedup).toBeGreaterThan(1);
    expect(current.klDivergence).toBeGreaterThanOrEqual(0);
    expect(current.hiddenCosine).toBeGreaterThan(0);
    expect(result.model.caveat).toMatch(/say nothing about answer accuracy/);
    expect(result.model.inputProjection).toEqual([clip.hiddenSize, 64]);

    const events: ProgressEvent[] = [];
    const running = dispatch(session, 'prefill.run', params(clip.clipId, { jobId: 'long', runs: 100 }), (e) => {
      events.push(e);
      if (e.stage.includes('run 3/100')) void dispatch(session, 'job.cancel', { jobId: 'long' }, () => {});
    });
    expect(await running).toMatchObject({ ok: false, error: { kind: 'cancelled', message: 'the prefill run was cancelled' } });
    expect(events.some((e) => e.stage.includes('run 3/100'))).toBe(true);
    expect(events.some((e) => e.stage.includes('run 10/100'))).toBe(false);
    // The session is free for the next run.
    expect((await call<PrefillResultView>(session, 'prefill.run', params(clip.clipId, { jobId: 'again', runs: 1 }))).rows).toHaveLength(2);
  }, 60_000);
});

describe('prefill exports', () => {
  const view = (label: string): PrefillResultView => ({
    clipId: 'c1',
    clipName: 'demo, "quoted"',
    model: { name: 'demo d=64', source: 'demo', hiddenSize: 64, numLayers: 1, inputProjection: null, caveat: 'random weights' },
    provider: { name: 'cpu', device: 'CPU' },
    runs: 3,
    warmupRuns: 1,
    settings: [{ label, config: { rho_audio: 0.3 } }],
    rows: [
      { label: 'full', isFull: true, tokens: 100, audioVideoTokens: 90, medianMs: 10, p95Ms: 12, minMs: 9, maxMs: 12, samplesMs: [9, 10, 12], peakMemoryBytes: 2e8, memoryIncreaseBytes: 5e7, memoryBaselineBytes: 1.5e8, peakCounter: 'VmHWM', deviceBytes: null, kvCacheBytes: 51200, retentionSequence: null, retentionAudioVideo: null, speedupMedian: null, speedupP95: null, flopsSpeedup: null, flopsSpeedupAudioVideo: null, memoryRatio: null, klDivergence: null, top1Agreement: null, top5Overlap: null, hiddenCosine: null },
      { label, isFull: false, tokens: 40, audioVideoTokens: 30, medianMs: 4, p95Ms: 5, minMs: 4, maxMs: 5, samplesMs: [4, 4, 5], peakMemoryBytes: 1.7e8, memoryIncreaseBytes: 2e7, memoryBaselineBytes: 1.5e8, peakCounter: 'VmHWM', deviceBytes: null, kvCacheBytes: 20480, retentionSequence: 0.4, retentionAudioVideo: 1 / 3, speedupMedian: 2.5, speedupP95: 2.4, flopsSpeedup: 2.8, flopsSpeedupAudioVideo: 3.1, memoryRatio: 2.5, klDivergence: 0.25, top1Agreement: 0, top5Overlap: 0.6, hiddenCosine: null },
    ],
    notes: [],
    wallMs: 100,
    reportJson: JSON.stringify({ format: 'omnizip-prefill', version: 1 }),
  });

  it('CSV: one line per sequence per run, quoted where needed, empty for n/a', () => {
    const csv = prefillRunsCsv([view('35%'), view('45%')]);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines).toHaveLength(1 + 4);
    const header = lines[0].split(',');
    expect(header.slice(0, 8)).toEqual(['run', 'clip', 'model', 'provider', 'timed_runs', 'warmup_runs', 'setting', 'tokens_in']);
    expect(lines[2]).toContain('"demo, ""quoted"""');
    const cells = lines[4].replace('"demo, ""quoted"""', 'CLIP').split(',');
    const at = (name: string) => cells[header.indexOf(name)];
    expect(at('run')).toBe('2');
    expect(at('setting')).toBe('45%');
    expect(at('speedup_median')).toBe('2.5');
    expect(at('flops_speedup_prefill')).toBe('2.8');
    expect(at('hidden_cosine')).toBe('');
    expect(at('caveat')).toBe('random weights');
    expect(csvField(Number.NaN)).toBe('');
    expect(csvField('a\nb')).toBe('"a\nb"');
  });

  it('JSON: every run with its view and the whole core report', () => {
    const doc = JSON.parse(prefillRunsJson([view('35%')]));
    expect(doc.format).toBe('omnizip-prefill-runs');
    expect(doc.runs[0]).toMatchObject({ run: 1, clipName: 'demo, "quoted"', report: { format: 'omnizip-prefill' } });
    expect(doc.runs[0].rows[1].speedupMedian).toBe(2.5);
    expect(doc.runs[0].reportJson).toBeUndefined();
  });
});
