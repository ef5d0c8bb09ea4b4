import { describe, expect, it } from 'vitest';
import { makeSyntheticBundle } from '../../test-support/synthetic/index.js';
import { DEFAULT_CONFIG } from '../config/schema.js';
import { prefillInputFromBundle } from './clip.js';
import { DEFAULT_DEMO_DECODER, buildDemoDecoder, demoDecoderSpec, type DemoDecoderConfig } from './demo-decoder.js';
import { PrefillCancelledError } from './errors.js';
import { MemoryProbe } from './memory-probe.js';
import { parseVmHwm } from './peak-rss.js';
import { runPrefillBenchmark } from './runner.js';

// Big enough that activations dominate the noise of a Node process (about 4.6 k tokens: the
// full run adds about 360 MB, the 35% run about 125 MB), small enough for 2 CPU cores.
const bundle = makeSyntheticBundle({ seconds: 30, hiddenSize: 128, tokensPerFrame: 128, seed: 11 });
const decoder: Partial<DemoDecoderConfig> = { hiddenSize: 128, numLayers: 2, intermediateSize: 352, vocabSize: 2048 };
const at35 = { ...DEFAULT_CONFIG, rho_audio: 0.4, rho_video: 0.7 };
const MB = 2 ** 20;

describe('peak RSS counter', () => {
  it('reads VmHWM from /proc status text', () => {
    expect(parseVmHwm('Name:\tnode\nVmPeak:\t  100 kB\nVmHWM:\t   40960 kB\nVmRSS:\t 1 kB\n')).toBe(40960 * 1024);
    expect(parseVmHwm('Name:\tnode\n')).toBeNull();
  });
});

describe('memory pass in a child process', () => {
  it('reads more memory for the full sequence than at 35%, positive and stable across two benchmarks', async () => {
    const input = await prefillInputFromBundle(bundle, [{ label: '35%', config: at35 }]);
    expect(input.full.tokens).toBeGreaterThan(4000);
    const first = await runPrefillBenchmark(input, { model: { kind: 'demo', config: decoder }, provider: 'cpu', runs: 1, warmupRuns: 0 });
    const second = await runPrefillBenchmark(input, { model: { kind: 'demo', config: decoder }, provider: 'cpu', runs: 1, warmupRuns: 0 });
    for (const report of [first, second]) {
      const [full, compressed] = report.runs;
      for (const run of [full, compressed]) {
        expect(run.memory.method).toBe('child-process');
        expect(run.memory.rssBaselineBytes).toBeGreaterThan(10 * MB);
        expect(run.memory.rssPeakBytes).toBeGreaterThan(run.memory.rssBaselineBytes);
        expect(run.memory.rssIncreaseBytes).toBe(run.memory.rssPeakBytes - run.memory.rssBaselineBytes);
        expect(run.memory.cpuArena).toBe(true);
        if (process.platform === 'linux') {
          expect(run.memory.peakCounter).toBe('VmHWM');
          expect(run.memory.peakResetAfterLoad).toBe(true);
        }
      }
      // The prefill of 4.6 k tokens needs clearly more than the prefill of 1.7 k.
      expect(full.memory.rssIncreaseBytes).toBeGreaterThan(1.3 * compressed.memory.rssIncreaseBytes);
      expect(full.memory.rssPeakBytes).toBeGreaterThan(compressed.memory.rssPeakBytes);
      expect(report.comparisons[0].memory.rssIncreaseRatio).toBeGreaterThan(1.3);
    }
    // A fresh process per pass: the same sequence reads the same, whatever ran before it.
    for (let i = 0; i < 2; i++) {
      const a = first.runs[i].memory.rssIncreaseBytes;
      const b = second.runs[i].memory.rssIncreaseBytes;
      expect(Math.abs(a - b)).toBeLessThanOrEqual(Math.max(8 * MB, 0.15 * Math.max(a, b)));
    }
  }, 120_000);

  it('does not count the spawning process: a parent holding 600 MB leaves the child peak untouched', async () => {
    const input = await prefillInputFromBundle(bundle, [{ label: '35%', config: at35 }]);
    const config = { ...DEFAULT_DEMO_DECODER, ...decoder, hiddenSize: 128, maxSequenceLength: 4096 };
    const ballast = Buffer.alloc(600 * MB, 1);
    const probe = await MemoryProbe.prepare({ model: buildDemoDecoder(config), spec: demoDecoderSpec(config), positions: input.positions, provider: 'cpu' });
    try {
      const reading = await probe.measure(input.compressed[0]);
      expect(process.memoryUsage.rss()).toBeGreaterThan(600 * MB);
      // On Linux getrusage's maxRSS carries the parent's RSS across fork + exec; VmHWM does not.
      expect(reading.rssPeakBytes).toBeLessThan(600 * MB);
      expect(reading.rssPeakBytes).toBeGreaterThan(reading.rssBaselineBytes);
    } finally {
      await probe.dispose();
    }
    expect(ballast[600 * MB - 1]).toBe(1);
  }, 60_000);

  it('is cancelled at once: the child process is killed, not waited for', async () => {
    const input = await prefillInputFromBundle(bundle, [{ label: '35%', config: at35 }]);
    const config = { ...DEFAULT_DEMO_DECODER, ...decoder, maxSequenceLength: 4096 };
    const probe = await MemoryProbe.prepare({ model: buildDemoDecoder(config), spec: demoDecoderSpec(config), positions: input.positions, provider: 'cpu' });
    try {
      const controller = new AbortController();
      const started = performance.now();
      setTimeout(() => controller.abort(), 200);
      await expect(probe.measure(input.full, controller.signal)).rejects.toThrow(PrefillCancelledError);
      expect(performance.now() - started).toBeLessThan(1500);
    } finally {
      await probe.dispose();
    }
  }, 30_000);
});
