import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProviderSelector, ProviderUnavailableError, UnknownProviderError, createSession, parseProviderPreference, probeModelBytes, type ProviderName } from './session.js';

const tmp = await mkdtemp(path.join(os.tmpdir(), 'omnizip-session-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));

function fakeProbe(working: ProviderName[], calls: ProviderName[] = []) {
  return async (provider: ProviderName) => {
    calls.push(provider);
    return working.includes(provider) ? { ok: true, device: `fake ${provider} device` } : { ok: false, error: `no ${provider} here` };
  };
}

describe('provider preference', () => {
  it('parses the four preferences and names the valid ones on a typo', () => {
    for (const p of ['auto', 'cpu', 'webgpu', 'cuda']) expect(parseProviderPreference(p)).toBe(p);
    expect(() => parseProviderPreference('gpu')).toThrow(UnknownProviderError);
    expect(() => parseProviderPreference('gpu')).toThrow("unknown execution provider 'gpu' (expected one of: auto, cpu, webgpu, cuda)");
  });
});

describe('ProviderSelector', () => {
  it('auto falls back WebGPU -> CUDA -> CPU, one provider per attempt, and reports every attempt', async () => {
    const calls: ProviderName[] = [];
    const selector = new ProviderSelector({ probeGpu: fakeProbe([], calls) });
    const choice = await selector.select('auto');
    expect(choice.provider).toBe('cpu');
    expect(choice.device).toMatch(/^CPU: .*\(\d+ threads\)$/);
    expect(choice.attempts.map((a) => [a.provider, a.ok])).toEqual([
      ['webgpu', false],
      ['cuda', false],
      ['cpu', true],
    ]);
    expect(calls).toEqual(['webgpu', 'cuda']);
    // remembered: a second selection probes nothing
    await selector.select('auto');
    expect(calls).toEqual(['webgpu', 'cuda']);
  });

  it('does not probe a GPU provider whose prerequisites are missing, and says why', async () => {
    const calls: ProviderName[] = [];
    const selector = new ProviderSelector({ probeGpu: fakeProbe(['webgpu', 'cuda'], calls), gpuPrerequisite: (p) => (p === 'webgpu' ? 'no Vulkan driver' : null) });
    const choice = await selector.select('auto');
    expect(choice.provider).toBe('cuda');
    expect(choice.attempts[0]).toMatchObject({ provider: 'webgpu', ok: false, error: 'no Vulkan driver', remembered: false });
    expect(calls).toEqual(['cuda']);
    await expect(selector.select('webgpu')).rejects.toThrow("execution provider 'webgpu' is not available: no Vulkan driver");
  });

  it('auto takes the first working GPU provider', async () => {
    const selector = new ProviderSelector({ probeGpu: fakeProbe(['cuda']) });
    const choice = await selector.select('auto');
    expect(choice).toMatchObject({ provider: 'cuda', device: 'fake cuda device' });
  });

  it('auto probes the GPU providers at once, yet takes them in order and returns on the first that works', async () => {
    const started: ProviderName[] = [];
    const answers = new Map<ProviderName, (r: { ok: boolean; device?: string; error?: string }) => void>();
    const selector = new ProviderSelector({
      probeGpu: (provider) => {
        started.push(provider);
        return new Promise((resolve) => answers.set(provider, resolve));
      },
    });
    const choosing = selector.select('auto');
    await expect.poll(() => started.length).toBe(2);
    expect(started).toEqual(['webgpu', 'cuda']);
    // CUDA answers first, but WebGPU comes first in the order: the choice waits for it.
    answers.get('cuda')!({ ok: true, device: 'fake cuda device' });
    let settled = false;
    void choosing.then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    answers.get('webgpu')!({ ok: true, device: 'fake webgpu device' });
    expect(await choosing).toMatchObject({ provider: 'webgpu', device: 'fake webgpu device', attempts: [{ provider: 'webgpu', ok: true }] });
    // WebGPU working while a CUDA probe still hangs: the choice does not wait for CUDA.
    const hanging = new ProviderSelector({ probeGpu: (provider) => (provider === 'webgpu' ? Promise.resolve({ ok: true, device: 'gpu' }) : new Promise(() => undefined)) });
    expect((await hanging.select('auto')).provider).toBe('webgpu');
  });

  it('remembers both of two probes that finish together in the memo file', async () => {
    const memoFile = path.join(tmp, 'providers-concurrent.json');
    await new ProviderSelector({ memoFile, probeGpu: fakeProbe([]) }).select('auto');
    const memo = JSON.parse(await readFile(memoFile, 'utf8'));
    expect(Object.keys(memo.probes).sort()).toEqual(['cuda', 'webgpu']);
  });

  it('a forced provider that does not work is a clear error, not a silent fallback', async () => {
    const selector = new ProviderSelector({ probeGpu: fakeProbe([]) });
    await expect(selector.select('webgpu')).rejects.toThrow(ProviderUnavailableError);
    await expect(selector.select('webgpu')).rejects.toThrow("execution provider 'webgpu' is not available: no webgpu here");
    await expect(selector.select('cpu')).resolves.toMatchObject({ provider: 'cpu' });
  });

  it('markFailed makes auto skip a provider that probed fine but failed for real', async () => {
    const selector = new ProviderSelector({ probeGpu: fakeProbe(['webgpu']) });
    expect((await selector.select('auto')).provider).toBe('webgpu');
    selector.markFailed('webgpu', 'device lost');
    const next = await selector.select('auto');
    expect(next.attempts[0]).toMatchObject({ provider: 'webgpu', ok: false, error: 'device lost' });
  });

  it('remembers probe outcomes on disk for the next process', async () => {
    const memoFile = path.join(tmp, 'providers.json');
    const calls: ProviderName[] = [];
    await new ProviderSelector({ memoFile, probeGpu: fakeProbe(['cuda'], calls) }).select('auto');
    // Both probes start at once, each after its own memo read: either may call first.
    expect([...calls].sort()).toEqual(['cuda', 'webgpu']);
    const memo = JSON.parse(await readFile(memoFile, 'utf8'));
    expect(memo.probes.webgpu.ok).toBe(false);
    expect(memo.probes.cuda.ok).toBe(true);
    const later: ProviderName[] = [];
    const choice = await new ProviderSelector({ memoFile, probeGpu: fakeProbe([], later) }).select('auto');
    expect(later).toEqual([]);
    expect(choice.provider).toBe('cuda');
    expect(choice.attempts.every((a) => a.provider === 'cpu' || a.remembered)).toBe(true);
  });

  it('probes the real GPU providers in a child process without hanging or crashing this one', async () => {
    // The child process itself, even where the machine check would rule a provider out.
    const selector = new ProviderSelector({ probeTimeoutMs: 30_000, gpuPrerequisite: () => null });
    for (const provider of ['webgpu', 'cuda'] as const) {
      const probe = await selector.probe(provider);
      expect(probe.provider).toBe(provider);
      if (probe.ok) expect(probe.device).toBeTruthy();
      else expect(probe.error).toBeTruthy();
    }
    const choice = await selector.select('auto');
    expect(['webgpu', 'cuda', 'cpu']).toContain(choice.provider);
  });

  it('a probe that does not answer in time counts as unavailable', async () => {
    const selector = new ProviderSelector({ probeTimeoutMs: 1, gpuPrerequisite: () => null });
    const probe = await selector.probe('webgpu');
    expect(probe.ok).toBe(false);
    expect(probe.error).toMatch(/did not finish within 1 ms|probe process|adapter|backend/);
  });
});

describe('createSession', () => {
  it('creates a CPU session for a built model', async () => {
    const session = await createSession(probeModelBytes(), 'cpu');
    expect(session.inputNames).toEqual(['a', 'b']);
    await session.release();
  });
});
