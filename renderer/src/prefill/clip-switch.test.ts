import { describe, expect, it } from 'vitest';
import type { ClipSummary } from '../../../core/protocol/contract.js';
import type { PrefillResultView } from '../../../core/protocol/prefill-contract.js';
import { restoreSession } from '../session-autosave.js';
import { usePrefill } from './store.js';

const result = (clipId: string) => ({ clipId, clipName: 'a.safetensors', rows: [], settings: [], notes: [] }) as unknown as PrefillResultView;

// Issue 14, defect 7: the prefill results of the previous clip stayed shown after opening another.
describe('prefill results follow the open clip', () => {
  it('drops the previous clip’s results when a clip with nothing saved opens', () => {
    usePrefill.setState({ results: [{ id: 1, finishedAt: 'x', result: result('clip-a') }], outcome: { kind: 'failed', text: 'old' } });
    restoreSession({ clipId: 'clip-b', name: 'b.safetensors' } as unknown as ClipSummary);
    expect(usePrefill.getState().results).toEqual([]);
    expect(usePrefill.getState().outcome).toBeNull();
  });

  it('keeps the results of the clip that is open (a re-open of the same id)', () => {
    const kept = [{ id: 1, finishedAt: 'x', result: result('clip-b') }];
    usePrefill.setState({ results: kept, outcome: null });
    restoreSession({ clipId: 'clip-b', name: 'b.safetensors' } as unknown as ClipSummary);
    expect(usePrefill.getState().results).toBe(kept);
  });
});
