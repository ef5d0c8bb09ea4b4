/**
 * Compare mode: the differences between two plans of the same clip (A pinned, B live), as a table
 * of deltas and per-token diff masks for the overlays. Plain TypeScript, used by the renderer.
 */
import type { PlanView } from '../protocol/contract.js';

/** Per token: -1 kept only in A, +1 kept only in B, 0 same decision (see `bothKept`). */
export interface TokenDiff {
  diff: Int8Array;
  onlyA: number;
  onlyB: number;
  both: number;
}

export interface DeltaRow {
  label: string;
  a: number | null;
  b: number | null;
  delta: number | null;
  /** How to print the numbers: counts, fractions shown as %, or ratios. */
  format: 'count' | 'percent' | 'ratio';
}

export interface PlanComparison {
  rows: DeltaRow[];
  groupRows: DeltaRow[];
  audio: TokenDiff;
  video: TokenDiff;
}

export function diffMasks(a: Uint8Array, b: Uint8Array): TokenDiff {
  if (a.length !== b.length) throw new RangeError(`cannot diff masks of different lengths (${a.length} vs ${b.length})`);
  const diff = new Int8Array(a.length);
  let onlyA = 0;
  let onlyB = 0;
  let both = 0;
  for (let i = 0; i < a.length; i++) {
    const ka = a[i] !== 0;
    const kb = b[i] !== 0;
    if (ka && !kb) {
      diff[i] = -1;
      onlyA++;
    } else if (kb && !ka) {
      diff[i] = 1;
      onlyB++;
    } else if (ka) both++;
  }
  return { diff, onlyA, onlyB, both };
}

/** Audio keep mask from fate codes (dominant 1 and anchor 2 are kept). */
export function audioKeepOf(fate: Uint8Array): Uint8Array {
  const keep = new Uint8Array(fate.length);
  for (let i = 0; i < fate.length; i++) keep[i] = fate[i] === 1 || fate[i] === 2 ? 1 : 0;
  return keep;
}

const row = (label: string, a: number | null, b: number | null, format: DeltaRow['format']): DeltaRow => ({
  label,
  a,
  b,
  delta: a === null || b === null ? null : b - a,
  format,
});

export function comparePlans(a: PlanView, b: PlanView): PlanComparison {
  const rows: DeltaRow[] = [
    row('audio kept', a.counts.audio.kept, b.counts.audio.kept, 'count'),
    row('video kept', a.counts.video.kept, b.counts.video.kept, 'count'),
    row('sequence kept', a.counts.sequence.kept, b.counts.sequence.kept, 'count'),
    row('anchors', a.anchors.length, b.anchors.length, 'count'),
    row('retained (audio+video)', a.budget.retained, b.budget.retained, 'percent'),
    row('FLOPs saved', a.budget.flopsSaved, b.budget.flopsSaved, 'percent'),
  ];
  const groupCount = Math.max(a.groups.length, b.groups.length);
  const groupRows: DeltaRow[] = [];
  for (let g = 0; g < groupCount; g++) {
    groupRows.push(row(`group ${g} ratio`, a.groups[g]?.ratio_final ?? null, b.groups[g]?.ratio_final ?? null, 'ratio'));
    groupRows.push(row(`group ${g} video kept`, a.groups[g]?.video_kept ?? null, b.groups[g]?.video_kept ?? null, 'count'));
  }
  return {
    rows,
    groupRows,
    audio: diffMasks(audioKeepOf(a.audioFate), audioKeepOf(b.audioFate)),
    video: diffMasks(a.videoKeep, b.videoKeep),
  };
}
