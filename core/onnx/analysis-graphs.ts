import { type GraphBuilder, attr, onnxModel } from './graph-builder.js';

/**
 * The ONNX graphs of the clip analysis (definitions in core/analysis/types.ts). All sizes are
 * symbolic so one session per graph serves every tile and every clip; every graph reduces inside
 * onnxruntime so what comes back to JavaScript stays small.
 */

/** OmniZip's audio/video normalisation: x / (‖x‖₂ + 1e-6). */
export const AUDIO_VIDEO_EPS = 1e-6;
/** F.normalize's epsilon: x / max(‖x‖, 1e-12). */
export const NORMALIZE_EPS = 1e-12;
/** F.cosine_similarity's epsilon: x·y / max(‖x‖·‖y‖, 1e-8). */
export const COSINE_EPS = 1e-8;

/** Rows of `x` ([n, d]) divided by (‖row‖₂ + eps). */
function normalizeRowsPlusEps(g: GraphBuilder, x: string, lastAxis: string, eps: string): string {
  const sumSq = g.node('ReduceSumSquare', [x, lastAxis], { keepdims: attr.int(1) });
  const norm = g.node('Sqrt', [sumSq]);
  return g.node('Div', [x, g.node('Add', [norm, eps])]);
}

/**
 * similarity = â·b̂ᵀ for a block of audio rows against another block: [m, d] x [n, d] -> [m, n].
 * Audio self-similarity is symmetric, so the engine only runs blocks on and above the diagonal.
 */
export function buildNormalizedGramGraph(): Uint8Array {
  return onnxModel('normalized_gram', 'OmniZip normalised Gram block: a_hat . b_hat^T', (g) => {
    const a = g.input('a', 'float32', ['m', 'd']);
    const b = g.input('b', 'float32', ['n', 'd']);
    const axis = g.int64s('axis_last', [1]);
    const eps = g.scalar('eps', AUDIO_VIDEO_EPS);
    const sim = g.node('Gemm', [normalizeRowsPlusEps(g, a, axis, eps), normalizeRowsPlusEps(g, b, axis, eps)], { transB: attr.int(1) }, 'similarity');
    g.output(sim, 'float32', ['m', 'n']);
  });
}

/** Rows of x [n, d] divided by (‖row‖₂ + 1e-6): the audio side of the cross-modal product, normalised once per clip. */
export function buildRowNormalizeGraph(): Uint8Array {
  return onnxModel('row_normalize', 'OmniZip row normalisation x / (||x|| + 1e-6)', (g) => {
    const x = g.input('x', 'float32', ['n', 'd']);
    const normalized = g.node('Identity', [normalizeRowsPlusEps(g, x, g.int64s('axis_last', [1]), g.scalar('eps', AUDIO_VIDEO_EPS))], {}, 'x_hat');
    g.output(normalized, 'float32', ['n', 'd']);
  });
}

/**
 * Cross-modal maxima for one tile of video tokens: [na, d] audio rows already normalised (by
 * buildRowNormalizeGraph, once per clip rather than once per tile) x [n, d] raw video, cut into
 * groups of `group_shape[2]` consecutive video tokens -> frame_max [na, n / group]. `group_shape`
 * is the int64 tensor [0, -1, tpf] (Reshape copies dim 0 and infers the frame count), so the same
 * session serves whole-frame tiles and the tail of tokens past the last whole frame.
 */
export function buildCrossModalMaxGraph(): Uint8Array {
  return onnxModel('audio_video_frame_max', 'OmniZip cross-modal similarity reduced to per-frame maxima', (g) => {
    const audioHat = g.input('audio_hat', 'float32', ['na', 'd']);
    const video = g.input('video', 'float32', ['nv', 'd']);
    const groupShape = g.input('group_shape', 'int64', [3]);
    const axis = g.int64s('axis_last', [1]);
    const eps = g.scalar('eps', AUDIO_VIDEO_EPS);
    const sim = g.node('Gemm', [audioHat, normalizeRowsPlusEps(g, video, axis, eps)], { transB: attr.int(1) });
    const grouped = g.node('Reshape', [sim, groupShape]);
    const frameMax = g.node('ReduceMax', [grouped, g.int64s('axis_tokens', [2])], { keepdims: attr.int(0) }, 'frame_max');
    g.output(frameMax, 'float32', ['na', 'frames']);
  });
}

/**
 * Per-frame token statistics for a batch of frames x [f, tpf, d]: cosine [f, tpf, tpf] with rows
 * normalised by max(‖x‖, 1e-12), squared distance ‖xi‖² + ‖xj‖² − 2 xi·xj clamped at 0 (the engine
 * zeroes the diagonal afterwards, as the reference defines it), and each row's ‖x‖² [f, tpf], which
 * the temporal score reuses. One batched MatMul feeds all of it.
 */
export function buildFrameGramGraph(): Uint8Array {
  return onnxModel('frame_gram', 'Per-frame cosine and squared-distance matrices, and row norms', (g) => {
    const x = g.input('x', 'float32', ['f', 't', 'd']);
    const gram = g.node('MatMul', [x, g.node('Transpose', [x], { perm: attr.ints([0, 2, 1]) })]);
    const sumSq = g.node('ReduceSumSquare', [x, g.int64s('axis_last', [2])], { keepdims: attr.int(1) }); // [f, t, 1]
    const sumSqT = g.node('Transpose', [sumSq], { perm: attr.ints([0, 2, 1]) }); // [f, 1, t]
    const norm = g.node('Max', [g.node('Sqrt', [sumSq]), g.scalar('normalize_eps', NORMALIZE_EPS)]);
    const normT = g.node('Transpose', [norm], { perm: attr.ints([0, 2, 1]) });
    const cosine = g.node('Div', [gram, g.node('Mul', [norm, normT])], {}, 'cosine');
    const twoGram = g.node('Mul', [gram, g.scalar('two', 2)]);
    const dist = g.node('Sub', [g.node('Add', [sumSq, sumSqT]), twoGram]);
    const squaredDistance = g.node('Max', [dist, g.scalar('zero', 0)], {}, 'squared_distance');
    const rowSumSq = g.node('Squeeze', [sumSq, g.int64s('axis_unit', [2])], {}, 'row_sum_sq');
    g.output(cosine, 'float32', ['f', 't', 't']);
    g.output(squaredDistance, 'float32', ['f', 't', 't']);
    g.output(rowSumSq, 'float32', ['f', 't']);
  });
}

/**
 * Row-paired dot products x_r·y_r of x [n, d] and y [n, d] -> [n], as a batch of [1, d] x [d, 1]
 * products (twice as fast on onnxruntime's CPU provider as Mul + ReduceSum, which materialises
 * x*y). The temporal score pairs video row r with row r − tpf, both views of one buffer; the
 * engine divides by the row norms the frame graph already produced.
 */
export function buildPairedDotGraph(): Uint8Array {
  return onnxModel('paired_dot', 'Row-paired dot products (temporal redundancy)', (g) => {
    const x = g.input('x', 'float32', ['n', 'd']);
    const y = g.input('y', 'float32', ['n', 'd']);
    const rows = g.node('Reshape', [x, g.int64s('row_shape', [0, 1, -1])]);
    const cols = g.node('Reshape', [y, g.int64s('col_shape', [0, -1, 1])]);
    const products = g.node('MatMul', [rows, cols]); // [n, 1, 1]
    const dot = g.node('Reshape', [products, g.int64s('flat_shape', [-1])], {}, 'dot');
    g.output(dot, 'float32', ['n']);
  });
}
