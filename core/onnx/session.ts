import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { entryUrl } from '../runtime/entry-points.js';
import { missingGpuPrerequisite } from './gpu-prerequisites.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { GraphBuilder, attr } from './graph-builder.js';
import { OmniZipError } from '../protocol/errors.js';

/**
 * Execution-provider selection for onnxruntime-node. A provider list given to onnxruntime does not
 * fall back by itself when a provider fails to initialise, so each provider is tried on its own:
 * GPU providers are probed once in a child process (their native start-up can hang or abort), the
 * outcome is remembered, and 'auto' walks WebGPU -> CUDA -> CPU.
 */

import { PROVIDER_PREFERENCES, type ProviderName, type ProviderPreference } from '../protocol/enums.js';

export { PROVIDER_PREFERENCES, type ProviderName, type ProviderPreference };
/** The order 'auto' tries providers in: fastest first. */
export const AUTO_PROVIDER_ORDER: readonly ProviderName[] = ['webgpu', 'cuda', 'cpu'];

export interface ProviderProbe {
  provider: ProviderName;
  ok: boolean;
  /** Device description when ok. */
  device?: string;
  /** Why it is unusable when not ok. */
  error?: string;
  probeMs: number;
  /** True when the answer came from the in-process or on-disk memo instead of a fresh probe. */
  remembered: boolean;
}

export interface ProviderChoice {
  provider: ProviderName;
  device: string;
  /** Every provider tried, in order, including the failures 'auto' skipped. */
  attempts: ProviderProbe[];
}

export class ProviderUnavailableError extends OmniZipError {
  constructor(
    readonly provider: ProviderName,
    readonly reason: string,
  ) {
    super('provider-unavailable', `execution provider '${provider}' is not available: ${reason}`);
  }
}

export class UnknownProviderError extends OmniZipError {
  constructor(value: string) {
    super('unknown-provider', `unknown execution provider '${value}' (expected one of: ${PROVIDER_PREFERENCES.join(', ')})`);
  }
}

export function parseProviderPreference(value: string): ProviderPreference {
  if ((PROVIDER_PREFERENCES as readonly string[]).includes(value)) return value as ProviderPreference;
  throw new UnknownProviderError(value);
}

/** Threads onnxruntime's intra-op pool uses on the CPU provider. */
export function cpuThreadCount(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

export function cpuDeviceDescription(): string {
  const model = os.cpus()[0]?.model?.trim() || 'unknown CPU';
  return `CPU: ${model} (${cpuThreadCount()} threads)`;
}

/** The model the probe child runs: out[i] = max_j a_i . b_j. */
export function probeModelBytes(): Uint8Array {
  const g = new GraphBuilder('provider_probe');
  const a = g.input('a', 'float32', ['n', 'd']);
  const b = g.input('b', 'float32', ['m', 'd']);
  const s = g.node('Gemm', [a, b], { transB: attr.int(1) });
  const out = g.node('ReduceMax', [s, g.int64s('axis1', [1])], { keepdims: attr.int(0) }, 'row_max');
  g.output(out, 'float32', ['n']);
  return g.toModelBytes();
}

const DEFAULT_PROBE_TIMEOUT_MS = 20_000;
/** How long GPU probe outcomes are remembered on disk: a working GPU rarely disappears, while a
 * failure may be fixed by installing a driver, so failures are re-probed sooner. */
const MEMO_TTL_OK_MS = 24 * 3600 * 1000;
const MEMO_TTL_FAILED_MS = 3600 * 1000;

/** Runs the probe child for one GPU provider; never throws, never hangs past `timeoutMs`. */
function probeInChild(provider: ProviderName, timeoutMs: number): Promise<Omit<ProviderProbe, 'probeMs' | 'remembered'>> {
  return new Promise((resolve) => {
    // Inside Electron (the compute host) process.execPath is the app itself: run it as plain Node.
    const env = process.versions.electron ? { ...process.env, ELECTRON_RUN_AS_NODE: '1' } : process.env;
    const child = spawn(process.execPath, [fileURLToPath(entryUrl('probe-provider')), provider], { stdio: ['pipe', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    let settled = false;
    const finish = (result: Omit<ProviderProbe, 'probeMs' | 'remembered'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish({ provider, ok: false, error: `probe did not finish within ${timeoutMs} ms` });
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err) => finish({ provider, ok: false, error: `could not start probe process: ${err.message}` }));
    child.on('close', (code, signal) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        const parsed = JSON.parse(line) as { ok: boolean; device?: string; error?: string };
        finish({ provider, ok: parsed.ok === true, device: parsed.device, error: parsed.error });
      } catch {
        const lastErr = stderr.trim().split('\n').pop() ?? '';
        finish({ provider, ok: false, error: `probe process ended (${signal ?? `exit ${code}`}) without an answer${lastErr ? `: ${lastErr}` : ''}` });
      }
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(Buffer.from(probeModelBytes()));
  });
}

interface MemoFile {
  fingerprint: string;
  probes: Record<string, { ok: boolean; device?: string; error?: string; at: number }>;
}

function machineFingerprint(): string {
  return [process.platform, process.arch, os.hostname(), process.versions.node, ort.env.versions?.node ?? 'ort'].join('|');
}

export interface ProviderSelectorOptions {
  /** JSON file remembering GPU probe outcomes across processes; null = remember in memory only. */
  memoFile?: string | null;
  probeTimeoutMs?: number;
  /** Replaces the child-process probe of GPU providers (tests of the fallback logic). */
  probeGpu?: (provider: ProviderName) => Promise<{ ok: boolean; device?: string; error?: string }>;
  /**
   * Why a GPU provider cannot start here, known without a probe (gpu-prerequisites.ts), or null.
   * Defaults to the machine's own check, or to none when `probeGpu` is replaced.
   */
  gpuPrerequisite?: (provider: ProviderName) => string | null;
}

/** Chooses providers and remembers which work. One per process is enough (see `defaultSelector`). */
export class ProviderSelector {
  private readonly probes = new Map<ProviderName, Promise<ProviderProbe>>();
  private readonly memoFile: string | null;
  private readonly timeoutMs: number;
  private readonly probeGpu: NonNullable<ProviderSelectorOptions['probeGpu']>;
  private readonly gpuPrerequisite: NonNullable<ProviderSelectorOptions['gpuPrerequisite']>;
  /** Memo writes one after another: probes now finish concurrently, and each rewrites the whole file. */
  private memoWrites: Promise<void> = Promise.resolve();

  constructor(options: ProviderSelectorOptions = {}) {
    this.memoFile = options.memoFile ?? null;
    this.timeoutMs = options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
    this.probeGpu = options.probeGpu ?? ((provider) => probeInChild(provider, this.timeoutMs));
    this.gpuPrerequisite = options.gpuPrerequisite ?? (options.probeGpu ? () => null : (provider) => missingGpuPrerequisite(provider));
  }

  private async readMemo(provider: ProviderName): Promise<ProviderProbe | null> {
    if (!this.memoFile) return null;
    try {
      const memo = JSON.parse(await readFile(this.memoFile, 'utf8')) as MemoFile;
      const entry = memo.fingerprint === machineFingerprint() ? memo.probes?.[provider] : undefined;
      if (!entry || typeof entry.ok !== 'boolean' || Date.now() - entry.at > (entry.ok ? MEMO_TTL_OK_MS : MEMO_TTL_FAILED_MS)) return null;
      return { provider, ok: entry.ok, device: entry.device, error: entry.error, probeMs: 0, remembered: true };
    } catch {
      return null; // missing or unreadable memo: probe afresh
    }
  }

  private writeMemo(probe: ProviderProbe): Promise<void> {
    this.memoWrites = this.memoWrites.then(() => this.writeMemoNow(probe)).catch(() => undefined);
    return this.memoWrites;
  }

  private async writeMemoNow(probe: ProviderProbe): Promise<void> {
    if (!this.memoFile) return;
    let memo: MemoFile = { fingerprint: machineFingerprint(), probes: {} };
    try {
      const existing = JSON.parse(await readFile(this.memoFile, 'utf8')) as MemoFile;
      if (existing.fingerprint === memo.fingerprint && existing.probes) memo = existing;
    } catch {
      // start a fresh memo
    }
    memo.probes[probe.provider] = { ok: probe.ok, device: probe.device, error: probe.error, at: Date.now() };
    await writeFileAtomic(this.memoFile, `${JSON.stringify(memo, null, 2)}\n`).catch(() => undefined);
  }

  private async runProbe(provider: ProviderName): Promise<ProviderProbe> {
    if (provider === 'cpu') return { provider, ok: true, device: cpuDeviceDescription(), probeMs: 0, remembered: false };
    const listed = ort.listSupportedBackends().find((b) => b.name === provider);
    if (!listed) {
      return { provider, ok: false, error: `this onnxruntime-node build has no '${provider}' backend`, probeMs: 0, remembered: false };
    }
    // Checked on every start and not remembered: installing a driver takes effect at once.
    const missing = this.gpuPrerequisite(provider);
    if (missing) return { provider, ok: false, error: missing, probeMs: 0, remembered: false };
    const remembered = await this.readMemo(provider);
    if (remembered) return remembered;
    const started = performance.now();
    const result = await this.probeGpu(provider);
    const probe: ProviderProbe = { provider, ok: result.ok, device: result.device, error: result.error, probeMs: performance.now() - started, remembered: false };
    await this.writeMemo(probe);
    return probe;
  }

  /** The (memoised) probe of one provider. */
  probe(provider: ProviderName): Promise<ProviderProbe> {
    let pending = this.probes.get(provider);
    if (!pending) {
      pending = this.runProbe(provider);
      this.probes.set(provider, pending);
    }
    return pending;
  }

  /** Records that a provider which probed fine later failed for real, so 'auto' skips it. */
  markFailed(provider: ProviderName, error: string): void {
    const probe: ProviderProbe = { provider, ok: false, error, probeMs: 0, remembered: false };
    this.probes.set(provider, Promise.resolve(probe));
    void this.writeMemo(probe);
  }

  /**
   * The provider to use: the forced one (or a ProviderUnavailableError), or the first that works.
   * 'auto' starts every probe at once and then takes them in order: the GPU probes are child
   * processes that each load onnxruntime (~0.8 s on the 2-core machines), and one after the other
   * they held a first start's analysis back by ~1.7 s where neither GPU exists (issue 16 goal 5).
   */
  async select(preference: ProviderPreference): Promise<ProviderChoice> {
    const order = preference === 'auto' ? AUTO_PROVIDER_ORDER : [preference];
    const probes = order.map((provider) => this.probe(provider));
    // A later probe still running when an earlier one wins is left to finish (and be remembered).
    for (const p of probes) p.catch(() => undefined);
    const attempts: ProviderProbe[] = [];
    for (const [k, provider] of order.entries()) {
      const probe = await probes[k];
      attempts.push(probe);
      if (probe.ok) return { provider, device: probe.device ?? provider, attempts };
      if (preference !== 'auto') throw new ProviderUnavailableError(provider, probe.error ?? 'probe failed');
    }
    // Unreachable in practice: the CPU provider always probes fine.
    throw new ProviderUnavailableError('cpu', attempts.map((a) => `${a.provider}: ${a.error}`).join('; '));
  }
}

/** Session options for one provider: a single provider, all cores on CPU. */
export function sessionOptions(provider: ProviderName): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: provider === 'cpu' ? cpuThreadCount() : undefined,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    // onnxruntime's intra-op threads spin between ops by default. On the 2-vCPU machines that
    // spinning took the cores from the work itself (issue 16): the demo's analysis computed in
    // 70 ms instead of 200-250 (0.38 s CPU instead of 0.85 for the whole `analyze`), the 60-s
    // clip's in 1.2-1.3 s instead of 1.45-1.6, and in the studio's cold start it no longer
    // competes with the page loading plotly. Threads now sleep when out of work.
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
}

export async function createSession(modelBytes: Uint8Array, provider: ProviderName): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(modelBytes, sessionOptions(provider));
}
