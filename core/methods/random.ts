import { mulberry32 } from '../util/numeric.js';
import { audioPlanFromMask, matchedBaseline, pyInt } from './shared.js';

/**
 * Random: a uniformly random subset of each modality over the whole clip (the paper's Random
 * baseline, Table 6). One mulberry32 stream: the audio draws first, then the video draws.
 */

/** Partial Fisher–Yates: the first `k` of a random permutation of 0..n-1, as a mask. */
export function randomSubset(n: number, k: number, rand: () => number): Uint8Array {
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rand() * (n - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  const mask = new Uint8Array(n);
  for (let i = 0; i < k; i++) mask[idx[i]] = 1;
  return mask;
}

/** SEATS's count for keep ratio r: max(int(r·N), 1) when r > 0, else 0. */
export function nativeRandomCount(total: number, discard: number): number {
  const r = 1 - discard;
  return r > 0 && total > 0 ? Math.min(total, Math.max(pyInt(r * total), 1)) : 0;
}

export function randomSelection(numAudio: number, numVideo: number, keepAudio: number, keepVideo: number, seed: number): { audio: Uint8Array; video: Uint8Array } {
  const rand = mulberry32(seed);
  const audio = randomSubset(numAudio, keepAudio, rand);
  return { audio, video: randomSubset(numVideo, keepVideo, rand) };
}

export const randomMethod = matchedBaseline({
  id: 'random',
  label: 'Random',
  paper: 'Random token selection, as in OmniZip Table 6 and SEATS random_units',
  summary: 'random: a seeded uniform subset of each modality.',
  inputs: [],
  knobs: ['seed'],
  plan({ bundle, config }, budget) {
    const counts = budget.match ? budget : { audio: nativeRandomCount(bundle.numAudio, config.rho_audio), video: nativeRandomCount(bundle.numVideo, config.rho_video) };
    const pick = randomSelection(bundle.numAudio, bundle.numVideo, counts.audio, counts.video, config.seed);
    return {
      audio: audioPlanFromMask(pick.audio),
      videoKeep: pick.video,
      notes: [`Random baseline (seed ${config.seed}): ${budget.match ? 'OmniZip\'s realised counts' : 'SEATS\'s max(int((1 - rho) N), 1)'}, tokens chosen uniformly at random.`],
      videoTies: new Uint8Array(bundle.numVideo),
    };
  },
});
