import type { FeatureBundle } from '../bundle/types.js';
import { throwIfAborted } from '../protocol/errors.js';
import { analyzeFrames, dot, rowNorms } from './frame-statistics.js';
import { audioOrderOf, clipAnalysisOf } from './clip-analysis.js';
import { type AnalyzeOptions, type ClipAnalysis, type FrameAnalysis } from './types.js';

/**
 * The analysis in plain TypeScript, in float64 arithmetic over the float32 embeddings.
 * It defines what every engine must compute and is the yardstick the onnxruntime engine is tested
 * against. Its cost grows with Na x Nv x D, so it suits test clips, not the 60 s reference clip.
 */

/** OmniZip normalises audio and video rows with ‖x‖ + 1e-6 (not max(‖x‖, eps)). */
const AUDIO_VIDEO_EPS = 1e-6;
export function analyzeReference(bundle: FeatureBundle, frameGeometries: number[], options: Pick<AnalyzeOptions, 'signal' | 'onProgress'> = {}): ClipAnalysis {
  const started = performance.now();
  const { numAudio: na, numVideo: nv, hiddenSize: dim, audioEmbeds, videoEmbeds } = bundle;
  const report = (fraction: number, stage: string) => options.onProgress?.({ fraction, stage });

  const audioOrder = audioOrderOf(bundle);
  const audioNorms = rowNorms(audioEmbeds, na, dim);
  const videoNorms = rowNorms(videoEmbeds, nv, dim);

  report(0, 'audio self-similarity');
  const audioSelfSimilarity = new Float32Array(na * na);
  for (let i = 0; i < na; i++) {
    const di = audioNorms[i] + AUDIO_VIDEO_EPS;
    for (let j = i; j < na; j++) {
      const s = dot(audioEmbeds, i * dim, audioEmbeds, j * dim, dim) / (di * (audioNorms[j] + AUDIO_VIDEO_EPS));
      audioSelfSimilarity[i * na + j] = s;
      audioSelfSimilarity[j * na + i] = s;
    }
  }
  throwIfAborted(options.signal, 'analysis');

  const primaryTpf = frameGeometries[0] ?? 0;
  const primaryFrames = primaryTpf > 0 ? Math.floor(nv / primaryTpf) : 0;
  const audioVideoMax = new Float32Array(nv > 0 ? na : 0);
  const audioFrameMax = new Float32Array(na * primaryFrames);
  if (nv > 0) {
    for (let i = 0; i < na; i++) {
      if (i % 64 === 0) {
        throwIfAborted(options.signal, 'analysis');
        report((0.2 * i) / na + 0.1, 'audio-video similarity');
      }
      const di = audioNorms[i] + AUDIO_VIDEO_EPS;
      let best = -Infinity;
      let frameBest = -Infinity;
      for (let k = 0; k < nv; k++) {
        const s = dot(audioEmbeds, i * dim, videoEmbeds, k * dim, dim) / (di * (videoNorms[k] + AUDIO_VIDEO_EPS));
        if (s > best) best = s;
        if (primaryFrames > 0) {
          const f = Math.floor(k / primaryTpf);
          if (f < primaryFrames) {
            if (s > frameBest) frameBest = s;
            if ((k + 1) % primaryTpf === 0) {
              audioFrameMax[i * primaryFrames + f] = frameBest;
              frameBest = -Infinity;
            }
          }
        }
      }
      audioVideoMax[i] = best;
    }
  }

  const frames: FrameAnalysis[] = [];
  for (const tpf of frameGeometries) {
    throwIfAborted(options.signal, 'analysis');
    if (tpf <= 0 || frames.some((f) => f.tokensPerFrame === tpf)) continue;
    report(0.4 + (0.6 * frames.length) / frameGeometries.length, `frames of ${tpf} tokens`);
    frames.push(analyzeFrames(videoEmbeds, dim, 0, tpf, Math.floor(nv / tpf)));
  }
  report(1, 'done');

  const engine = { engine: 'typescript-reference', provider: 'js', device: 'JavaScript (main thread of its process)', wallMs: performance.now() - started };

  return clipAnalysisOf(bundle, { audioOrder, audioSelfSimilarity, audioVideoMax, audioFrameMax, primaryTokensPerFrame: primaryTpf, frames, engine });
}
