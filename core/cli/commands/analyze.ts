import path from 'node:path';
import { AnalysisCache, analyzeWithCache } from '../../analysis/cache.js';
import { sharedOnnxEngine } from '../../analysis/onnx-engine.js';
import { readBundle } from '../../bundle/reader.js';
import { parseProviderPreference } from '../../onnx/session.js';
import { requiredFrameGeometries } from '../../planner/plan.js';
import { single } from '../args.js';
import { defineCommand } from '../command.js';

const usage = 'analyze BUNDLE [--provider auto|cpu|webgpu|cuda] [--no-cache] [--json]';

function peakRssMB(): number {
  // maxRSS is in kilobytes on Linux and macOS.
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

export const analyzeCommand = defineCommand({
  name: 'analyze',
  summary: 'Run (or load from cache) the similarity analysis of a bundle; print provider, device, time, peak memory, cache use.',
  usage,
  options: { valued: ['provider'], boolean: ['no-cache', 'json'] },
  positional: 'bundle',
  async run(args, file) {
    const provider = parseProviderPreference(single(args, 'provider') ?? 'auto');
    const noCache = args.flags.has('no-cache');
    // Milliseconds since the process's time origin: everything before `commandStarted` is Node's
    // start, module loading and argument parsing.
    const commandStarted = performance.now();
    const engine = sharedOnnxEngine(provider);
    // The content hash only keys the cache: without one, skip hashing the whole file (~0.1 GEMM-eq at 60 s).
    const bundle = await readBundle(file, { computeHash: !noCache });
    const bundleLoaded = performance.now();
    const loadMs = bundleLoaded - commandStarted;
    const frameGeometries = requiredFrameGeometries(bundle);
    const analysisStarted = performance.now();
    const cache = noCache ? null : new AnalysisCache();
    // Without a cache the analysis is certainly computed: open the sessions (provider choice, graph
    // building, onnxruntime's optimisation) as a stage of their own, so the bench can place them.
    // Opening them while the bundle is read was measured slower on a shared 2-core machine: the
    // synchronous session creation and the read then compete for the same cores.
    const sessionsReady = noCache ? await engine.providerInfo().then(() => performance.now()) : null;
    const outcome = await analyzeWithCache(bundle, engine, { frameGeometries, cache, requireProvider: provider === 'auto' ? undefined : provider });
    const analysisEnded = performance.now();
    const analysisMs = analysisEnded - analysisStarted;
    // The engine is the process's shared one: its sessions serve a later analysis in this process
    // and go with the process at exit, so they are not released here (releasing took tens of ms).
    const { analysis } = outcome;
    if (outcome.cacheWarning) process.stderr.write(`omnizip-studio: warning: ${outcome.cacheWarning}\n`);
    const report = {
      bundle: path.resolve(file),
      contentHash: bundle.contentHash ?? null,
      numAudio: analysis.numAudio,
      numVideo: analysis.numVideo,
      hiddenSize: analysis.hiddenSize,
      frameGeometries,
      cache: outcome.cache,
      cacheFile: outcome.cacheFile ?? null,
      cacheProblem: outcome.cacheProblem ?? null,
      engine: analysis.engine.engine,
      provider: analysis.engine.provider,
      device: analysis.engine.device,
      /** Time the engine spent when the analysis was computed (on a hit: when it was cached). */
      computeMs: Math.round(analysis.engine.wallMs * 10) / 10,
      /** Time this command spent getting the analysis (cache read on a hit). */
      analysisMs: Math.round(analysisMs * 10) / 10,
      loadMs: Math.round(loadMs * 10) / 10,
      peakRssMB: peakRssMB(),
      /** The cache's size against its cap (OMNIZIP_CACHE_MAX_MB), or null with --no-cache. */
      cacheUsage: cache ? await cache.usage() : null,
      /**
       * Where this run's time went, as ms since the process's time origin (rounded): the command
       * started after Node's start and the imports; with --no-cache the sessions open after the
       * load (sessionsReady, else null). What follows `reportAt` (writing, exit, native teardown)
       * only the caller can time.
       */
      marks: {
        commandStarted: Math.round(commandStarted),
        bundleLoaded: Math.round(bundleLoaded),
        sessionsReady: sessionsReady === null ? null : Math.round(sessionsReady),
        analysisEnded: Math.round(analysisEnded),
        reportAt: Math.round(performance.now()),
      },
    };
    if (args.flags.has('json')) {
      process.stdout.write(`${JSON.stringify(report)}\n`);
      return 0;
    }
    const cacheLine =
      report.cache === 'hit'
        ? `hit (${report.cacheFile})`
        : report.cache === 'disabled'
          ? 'disabled (--no-cache)'
          : report.cacheFile === null
            ? `${report.cache}, not stored (see the warning)`
            : `${report.cache}, stored ${report.cacheFile}${report.cacheProblem ? ` (rejected entry: ${report.cacheProblem})` : ''}`;
    const lines = [
      `bundle     ${report.bundle}`,
      `tokens     ${report.numAudio} audio, ${report.numVideo} video, D=${report.hiddenSize}; frame geometries [${frameGeometries.join(', ')}]`,
      `engine     ${report.engine}`,
      `provider   ${report.provider}`,
      `device     ${report.device}`,
      `cache      ${cacheLine}`,
      ...(report.cacheUsage ? [`cache size ${(report.cacheUsage.bytes / 1024 ** 2).toFixed(1)} MB in ${report.cacheUsage.entries} entries (cap ${(report.cacheUsage.maxBytes / 1024 ** 2).toFixed(0)} MB, OMNIZIP_CACHE_MAX_MB; ${report.cacheUsage.dir})`] : []),
      `wall       ${report.analysisMs.toFixed(1)} ms analysis${report.cache === 'hit' ? ` (computed in ${report.computeMs.toFixed(1)} ms originally)` : ''}, ${report.loadMs.toFixed(1)} ms bundle load`,
      `peak RSS   ${report.peakRssMB} MB`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
});
