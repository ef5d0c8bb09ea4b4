import { argsort } from '../planner/numeric.js';
import { markCutTies } from '../planner/ties.js';
import { audioPlanFromMask, largestRemainder, matchedBaseline, pyInt, type BaselineOutcome } from './shared.js';

/**
 * DyCoke (Tao et al., CVPR 2025), first stage only: temporal token merging (TTM). Frames come in
 * windows of 4: frame 0 is kept whole, frames 1 and 2 keep the positions least similar to the same
 * position in frame 0, frame 3 those least similar to frame 2. Tokens are dropped, never averaged.
 * The OmniZip paper ran it on audio and video ("DyCoke (V&A)"); docs/baselines.md has the mapping.
 */

/** Cosine between position `p` of frame `t` and position `p` of frame `ref`. */
export type FrameSimilarity = (t: number, ref: number, p: number) => number;

export type TtmBudget = { kind: 'native'; k: number; quirks: 'official' | 'repaired' } | { kind: 'match'; keep: number };

export interface TtmResult {
  keep: Uint8Array;
  /** Kept tokens per frame (the partial tail frame last, when it has a role). */
  frameCounts: number[];
  notes: string[];
  ties: Uint8Array;
}

/** The frame a frame is compared with, by its place in the 4-frame window; null = kept whole. */
function repairedReference(t: number): number | null {
  const r = t % 4;
  return r === 0 ? null : r === 2 ? t - 2 : t - 1;
}

/**
 * TTM over `n` tokens cut into frames of `tpf`. `label` names the modality in notes.
 * native/official reproduces the official code's quirks; native/repaired and match give every
 * frame (the partial tail too) its role from its index mod 4.
 */
export function temporalTokenMerging(n: number, tpf: number, similarity: FrameSimilarity, budget: TtmBudget, label: string): TtmResult {
  const keep = new Uint8Array(n);
  const ties = new Uint8Array(n);
  const notes: string[] = [];
  const full = Math.floor(n / tpf);
  const frames = budget.kind === 'native' && budget.quirks === 'official' ? full : Math.ceil(n / tpf);
  const sizeOf = (t: number) => Math.min(tpf, n - t * tpf);
  /** Per frame: null = dropped, 'whole', or the reference frame and the count kept. */
  const role: ({ ref: number; count: number } | 'whole' | null)[] = Array.from({ length: frames }, () => null);

  if (budget.kind === 'native' && budget.quirks === 'official') {
    if (full <= 4) {
      keep.fill(1);
      notes.push(`DyCoke (${label}): official TTM needs ≥ 5 frames (this clip has ${full} of ${tpf} tokens); the ${label} is kept whole.`);
      return { keep, frameCounts: [n], notes, ties };
    }
    const kp = pyInt((1 - budget.k) * tpf);
    for (let i = 0; i < full - 1; i += 2) {
      role[i] = 'whole';
      role[i + 1] = { ref: i, count: kp };
    }
    for (let i = 0; i < full - 4; i += 4) role[i + 2] = { ref: i, count: kp };
    const dropped: string[] = [];
    if (full % 2 === 1) dropped.push(`its odd last frame (${tpf} tokens)`);
    if (n > full * tpf) dropped.push(`the ${n - full * tpf} tail tokens`);
    if (dropped.length > 0) notes.push(`DyCoke (${label}, official quirks): drops ${dropped.join(' and ')}.`);
  } else if (budget.kind === 'native') {
    for (let t = 0; t < frames; t++) {
      const ref = repairedReference(t);
      role[t] = ref === null ? 'whole' : { ref, count: pyInt((1 - budget.k) * sizeOf(t)) };
    }
  } else {
    const wholeFrames: number[] = [];
    const pruned: number[] = [];
    for (let t = 0; t < frames; t++) (repairedReference(t) === null ? wholeFrames : pruned).push(t);
    const pinned = wholeFrames.reduce((a, t) => a + sizeOf(t), 0);
    for (const t of wholeFrames) role[t] = 'whole';
    if (budget.keep < pinned) {
      notes.push(`baseline_budget: match unreachable (dycoke, ${label}): target ${budget.keep}, realised ${pinned}, TTM keeps every 4th frame whole`);
      for (const t of pruned) role[t] = { ref: repairedReference(t) as number, count: 0 };
    } else {
      const alloc = largestRemainder(budget.keep - pinned, pruned.map(sizeOf));
      pruned.forEach((t, k) => (role[t] = { ref: repairedReference(t) as number, count: alloc[k] }));
    }
  }

  const frameCounts: number[] = [];
  for (let t = 0; t < frames; t++) {
    const r = role[t];
    const start = t * tpf;
    const size = sizeOf(t);
    if (r === null) {
      frameCounts.push(0);
    } else if (r === 'whole') {
      keep.fill(1, start, start + size);
      frameCounts.push(size);
    } else {
      const sims = new Float64Array(size);
      for (let p = 0; p < size; p++) sims[p] = similarity(t, r.ref, p);
      const order = argsort(sims, false);
      const count = Math.min(r.count, size);
      for (let q = 0; q < count; q++) keep[start + order[q]] = 1;
      markCutTies(sims, order, count, start, ties);
      frameCounts.push(count);
    }
  }
  return { keep, frameCounts, notes, ties };
}

/** Same-position cosine similarity between frames of row-major embeddings (torch semantics, eps 1e-8). */
export function embeddingFrameSimilarity(embeds: Float32Array, dim: number, tpf: number): FrameSimilarity {
  return (t, ref, p) => {
    const a = (t * tpf + p) * dim;
    const b = (ref * tpf + p) * dim;
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let d = 0; d < dim; d++) {
      const x = embeds[a + d];
      const y = embeds[b + d];
      dot += x * y;
      na += x * x;
      nb += y * y;
    }
    return dot / Math.max(Math.sqrt(na) * Math.sqrt(nb), 1e-8);
  };
}

export const dycokeMethod = matchedBaseline({
  id: 'dycoke',
  label: 'DyCoke (V&A)',
  paper: 'DyCoke: Dynamic Compression of Tokens for Fast Video Large Language Models (Tao et al., CVPR 2025), stage 1 (TTM)',
  summary: 'dycoke: DyCoke\'s temporal token merging on audio and video frames.',
  inputs: ['embeddings'],
  knobs: ['dycoke_k', 'dycoke_quirks', 'dycoke_modalities', 'dycoke_audio_frame_tokens'],
  plan({ bundle, config, reference }, budget): BaselineOutcome {
    const { match } = budget;
    const notes: string[] = [];
    const budgetFor = (keep: number, rho: number): TtmBudget =>
      match ? { kind: 'match', keep } : { kind: 'native', k: config.dycoke_k ?? rho, quirks: config.dycoke_quirks };

    const tpf = reference.layout.tokensPerFrame;
    let videoKeep: Uint8Array = reference.videoKeep;
    let videoTies: Uint8Array = new Uint8Array(bundle.numVideo);
    if (bundle.numVideo > 0 && tpf > 0) {
      const r = temporalTokenMerging(bundle.numVideo, tpf, embeddingFrameSimilarity(bundle.videoEmbeds, bundle.hiddenSize, tpf), budgetFor(budget.video, config.rho_video), 'video');
      videoKeep = r.keep;
      videoTies = r.ties;
      notes.push(...r.notes);
    } else if (bundle.numVideo > 0) {
      videoKeep = new Uint8Array(bundle.numVideo).fill(1);
      notes.push('DyCoke: the bundle has no grid_thw, so video frames are unknown; the video is kept whole.');
    }

    let audio: Pick<BaselineOutcome, 'audio' | 'audioTies'> = {};
    if (config.dycoke_modalities === 'av' && bundle.numAudio > 0) {
      const atpf = config.dycoke_audio_frame_tokens;
      const r = temporalTokenMerging(bundle.numAudio, atpf, embeddingFrameSimilarity(bundle.audioEmbeds, bundle.hiddenSize, atpf), budgetFor(budget.audio, config.rho_audio), 'audio');
      audio = { audio: audioPlanFromMask(r.keep), audioTies: r.ties };
      notes.push(...r.notes);
    }
    notes.push(`DyCoke (${config.dycoke_modalities === 'av' ? 'V&A' : 'video only, audio as OmniZip'}): TTM in 4-frame windows, ${match ? 'OmniZip\'s realised counts' : `K = ${config.dycoke_k ?? 'rho'}, ${config.dycoke_quirks} quirks`}.`);
    return { ...audio, videoKeep, notes, videoTies };
  },
});
