import { TOKEN_AUDIO, TOKEN_VIDEO } from '../bundle/types.js';
import { argsort, roundHalfEven } from '../planner/numeric.js';
import { markCutTies } from '../planner/ties.js';
import { decoderAttentionProvenance } from './fastv-provenance.js';
import { audioPlanFromMask, matchedBaseline, type BaselineOutcome } from './shared.js';
import { MethodUnavailableError } from './types.js';

/**
 * FastV (Chen et al., ECCV 2024): after decoder layer K, keep only the tokens that received the
 * most attention from the last prompt position at layer K (head mean, post-softmax, causal); the
 * first K layers see every token. The studio keeps the top n per modality (OmniZip Table 6 prunes
 * both). The attention row comes from the bundle's `decoder_attention` tensor (dumped from the real
 * model at layer `decoder_attention_layer`) or from the studio's own decoder run on the clip
 * (fastv-scores.ts, which attaches it before planning); without either FastV cannot run: no
 * proxy stands in.
 */

/** Head-mean of per-head attention rows (each [L]). */
export function headMean(rows: readonly ArrayLike<number>[]): Float64Array {
  const n = rows[0]?.length ?? 0;
  const out = new Float64Array(n);
  for (const row of rows) for (let i = 0; i < n; i++) out[i] += row[i];
  for (let i = 0; i < n; i++) out[i] /= rows.length;
  return out;
}

/** Top `n` of `scores` over `indices` (ties: lower index); returns a mask over `indices`. */
export function topByAttention(scores: ArrayLike<number>, n: number, ties?: Uint8Array): Uint8Array {
  const order = argsort(scores, true);
  const mask = new Uint8Array(scores.length);
  const k = Math.max(0, Math.min(n, scores.length));
  for (let r = 0; r < k; r++) mask[order[r]] = 1;
  if (ties) markCutTies(scores, order, k, 0, ties);
  return mask;
}

/**
 * The decoder layer after which a plan's pruning happens (FastV's K), or null for methods that
 * prune before the decoder. FLOPs count FastV's first K layers over the full sequence.
 */
export function prunedAfterLayer(plan: { method?: string; config: { method?: string; fastv_layer?: number } }): number | null {
  const method = plan.method ?? plan.config.method;
  return method === 'fastv' && typeof plan.config.fastv_layer === 'number' ? plan.config.fastv_layer : null;
}

/** FastV's native count (the hf port): round(N·(1 − R)), Python's round-half-to-even. */
export function nativeFastvCount(total: number, discard: number): number {
  return roundHalfEven(total * (1 - discard));
}

/**
 * `layer_average`: the count after layer K such that the mean over all L layers is `n`
 * (K layers see all N tokens). Below 0 it keeps 0 and says so.
 */
export function layerAverageCount(n: number, total: number, layers: number, k: number): { count: number; clipped: boolean } {
  const raw = roundHalfEven((n * layers - k * total) / (layers - k));
  return raw < 0 ? { count: 0, clipped: true } : { count: Math.min(raw, total), clipped: false };
}

export const fastvMethod = matchedBaseline({
  id: 'fastv',
  label: 'FastV',
  paper: 'An Image is Worth 1/2 Tokens After Layer 2: Plug-and-Play Inference Acceleration for LVLMs (Chen et al., ECCV 2024)',
  summary: 'fastv: top tokens by the attention they receive at decoder layer K (needs decoder attention).',
  inputs: ['decoder_attention'],
  knobs: ['fastv_layer', 'fastv_modalities', 'fastv_budget_basis', 'fastv_num_layers'],
  plan({ bundle, config }, matched): BaselineOutcome {
    const row = bundle.decoderAttention ?? null;
    const layer = bundle.metadata.decoder_attention_layer;
    const computed = decoderAttentionProvenance(bundle);
    if (!row) {
      throw new MethodUnavailableError(
        'fastv',
        `fastv needs the decoder's layer-${config.fastv_layer} attention from the last prompt position; this bundle has no decoder_attention tensor (F32 [L] with metadata decoder_attention_layer, docs/baselines.md) and no decoder was run on it (the CLI and the studio run the demo decoder, or --model MANIFEST with an attention_output)`,
      );
    }
    if (computed ? computed.requestedLayer !== config.fastv_layer : layer !== config.fastv_layer) {
      throw new MethodUnavailableError('fastv', `fastv_layer is ${config.fastv_layer} but the bundle's decoder_attention was taken at layer ${String(layer)}; set fastv_layer=${String(layer)} or dump the bundle again`);
    }
    const notes: string[] = [];
    const audioScores = new Float64Array(bundle.numAudio);
    const videoScores = new Float64Array(bundle.numVideo);
    let a = 0;
    let v = 0;
    bundle.tokenTypes.forEach((t, p) => {
      if (t === TOKEN_AUDIO) audioScores[a++] = row[p];
      else if (t === TOKEN_VIDEO) videoScores[v++] = row[p];
    });
    const countFor = (matchedCount: number, total: number, rho: number, label: string): number => {
      const n = matched.match ? matchedCount : nativeFastvCount(total, rho);
      if (config.fastv_budget_basis === 'after_layer') return n;
      const r = layerAverageCount(n, total, config.fastv_num_layers, config.fastv_layer);
      if (r.clipped) notes.push(`FastV layer_average (${label}): keeping ${n} of ${total} on average over ${config.fastv_num_layers} layers needs fewer than 0 after layer ${config.fastv_layer}; keeping 0.`);
      return r.count;
    };
    const videoTies = new Uint8Array(bundle.numVideo);
    const videoKeep = topByAttention(videoScores, countFor(matched.video, bundle.numVideo, config.rho_video, 'video'), videoTies);
    let audio: Pick<BaselineOutcome, 'audio' | 'audioTies'> = {};
    if (config.fastv_modalities === 'av') {
      const audioTies = new Uint8Array(bundle.numAudio);
      audio = { audio: audioPlanFromMask(topByAttention(audioScores, countFor(matched.audio, bundle.numAudio, config.rho_audio, 'audio'), audioTies), Float32Array.from(audioScores)), audioTies };
    }
    const at = computed ? computed.layer : config.fastv_layer;
    const source = computed ? computed.decoder : 'bundle decoder_attention';
    notes.push(...(computed?.notes ?? []));
    notes.push(`FastV: layer-${at} attention from the last prompt position (${source}); layers 1..${at} see every token, the counts apply after them.`);
    return { ...audio, videoKeep, notes, videoTies, videoScore: Float32Array.from(videoScores) };
  },
});
