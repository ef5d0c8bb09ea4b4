import type { CompressionMethod } from './types.js';

/**
 * OmniZip (arXiv 2511.14582): audio top-k by encoder attention with anchors and merges, each time
 * group's video ratio moved by its audio retention, ISTC per group. Both official variants
 * (`variant: official-core | official-units`) are planned by core/planner/omnizip.ts; this entry
 * hands that plan on unchanged.
 */
export const omnizipMethod: CompressionMethod = {
  id: 'omnizip',
  label: 'OmniZip',
  paper: 'OmniZip: Audio-Guided Dynamic Token Compression for Fast Omnimodal LLMs (arXiv 2511.14582)',
  summary: 'omnizip: the paper\'s method, official-core or official-units variant.',
  inputs: ['audio_scores', 'embeddings'],
  knobs: ['variant', 'g', 'contextual_ratio', 'ratio_min', 'ratio_max', 'dpc_k', 'group_seconds', 'num_input_frames', 'audio_score', 'budget', 'audio_selection', 'anchors_count_in_retention', 'cross_modal_scope', 'dpc'],
  matchesOmniZipCounts: false,
  plan({ reference }) {
    return {
      audio: reference.audio,
      videoKeep: reference.videoKeep,
      groups: reference.groups,
      notes: [],
      audioTies: reference.audioTies,
      videoTies: reference.videoTies,
      videoScore: reference.videoScore,
    };
  },
};
