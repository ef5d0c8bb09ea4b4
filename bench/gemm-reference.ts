/**
 * The in-run reference the benchmarks divide by: one onnxruntime float32 Gemm of a clip's audio
 * embeddings against its video embeddings (the "GEMM-equivalent"). Machines differ several-fold in
 * speed from session to session; ratios to this stay comparable.
 */
import ort from 'onnxruntime-node';
import type { FeatureBundle } from '../core/bundle/types.js';
import { GraphBuilder, attr } from '../core/onnx/graph-builder.js';
import { createSession } from '../core/onnx/session.js';

/** Builds and warms the Gemm once; `time()` times one run in ms, `release()` frees the session. */
export async function gemmReference(clip: FeatureBundle): Promise<{ time(): Promise<number>; release(): Promise<void> }> {
  const g = new GraphBuilder('gemm_eq');
  const a = g.input('a', 'float32', ['m', 'k']);
  const b = g.input('b', 'float32', ['n', 'k']);
  g.output(g.node('Gemm', [a, b], { transB: attr.int(1) }, 'o'), 'float32', ['m', 'n']);
  const gemm = await createSession(g.toModelBytes(), 'cpu');
  const feeds = {
    a: new ort.Tensor('float32', clip.audioEmbeds, [clip.numAudio, clip.hiddenSize]),
    b: new ort.Tensor('float32', clip.videoEmbeds, [clip.numVideo, clip.hiddenSize]),
  };
  await gemm.run(feeds);
  return {
    async time() {
      const t = performance.now();
      await gemm.run(feeds);
      return performance.now() - t;
    },
    release: () => gemm.release(),
  };
}
