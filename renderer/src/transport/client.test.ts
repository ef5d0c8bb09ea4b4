import { describe, expect, it } from 'vitest';
import { ContractError } from '../../../core/protocol/check.js';
import { StudioRemoteError } from '../../../core/protocol/contract.js';
import type { CallTiming } from '../perf.js';
import { createIpcClient, type PreloadBridge } from './client.js';

/** A bridge whose answer the test releases, so the moments before and after it can be told apart. */
function heldBridge() {
  let release: (outcome: unknown) => void = () => undefined;
  const invoked: string[] = [];
  const bridge: PreloadBridge = {
    invoke: (method) => {
      invoked.push(method);
      return new Promise((resolve) => (release = resolve as (outcome: unknown) => void));
    },
    onEvent: () => () => undefined,
  };
  return { bridge, invoked, release: (outcome: unknown) => release(outcome) };
}

describe('call timing bookkeeping', () => {
  it('sends before call() returns, then records sent <= responded <= decoded', async () => {
    const { bridge, invoked, release } = heldBridge();
    const timing: CallTiming = {};
    const answer = createIpcClient(bridge).call('job.cancel', { jobId: 'job1' }, timing);
    expect(invoked).toEqual(['job.cancel']);
    expect(timing.sent).toBeTypeOf('number');
    expect(timing.responded).toBeUndefined();
    release({ ok: true, result: { cancelled: true } });
    await expect(answer).resolves.toEqual({ cancelled: true });
    expect(timing.sent!).toBeLessThanOrEqual(timing.responded!);
    expect(timing.responded!).toBeLessThanOrEqual(timing.decoded!);
  });

  it('checks the answer against the contract and leaves `decoded` unset when it fails', async () => {
    const { bridge, release } = heldBridge();
    const timing: CallTiming = {};
    const answer = createIpcClient(bridge).call('job.cancel', { jobId: 'job1' }, timing);
    release({ ok: true, result: { cancelled: 'yes' } });
    await expect(answer).rejects.toBeInstanceOf(ContractError);
    expect(timing.responded).toBeTypeOf('number');
    expect(timing.decoded).toBeUndefined();
  });

  it('turns a host error into a StudioRemoteError with its kind', async () => {
    const { bridge, release } = heldBridge();
    const answer = createIpcClient(bridge).call('job.cancel', { jobId: 'job1' });
    release({ ok: false, error: { kind: 'not-found', message: 'no such job' } });
    await expect(answer).rejects.toMatchObject({ kind: 'not-found', message: 'no such job' });
    await expect(answer).rejects.toBeInstanceOf(StudioRemoteError);
  });
});
