import ort from 'onnxruntime-node';
import { PrefillError } from './errors.js';
import { attentionMaskType, positionIdsType, type ModelSignature, type PrefillModelSpec } from './manifest.js';
import type { SequencePositions } from './positions.js';
import type { PrefillSequence } from './prefill-sequence.js';

/**
 * What a model session is fed for one sequence. Shared by the timing session (runner.ts) and the
 * memory child process (memory-child.ts), so both run exactly the same inputs.
 */
export type FeedSequence = Pick<PrefillSequence, 'label' | 'tokens' | 'embeds' | 'sequencePositions'>;

export function sessionSignature(session: ort.InferenceSession): ModelSignature {
  const convert = (meta: readonly ort.InferenceSession.ValueMetadata[]) =>
    meta.map((m) => (m.isTensor ? { name: m.name, isTensor: true, type: m.type, shape: m.shape } : { name: m.name, isTensor: false }));
  return { inputs: convert(session.inputMetadata), outputs: convert(session.outputMetadata) };
}

export function modelFeeds(spec: PrefillModelSpec, signature: ModelSignature, seq: FeedSequence, positions: SequencePositions): Record<string, ort.Tensor> {
  const n = seq.tokens;
  const fullLength = positions.linear.length;
  const idType = positionIdsType(spec, signature);
  const ids = idType === 'int64' ? new BigInt64Array(spec.positionIdsKind === 'mrope' ? 3 * n : n) : new Int32Array(spec.positionIdsKind === 'mrope' ? 3 * n : n);
  const put = (i: number, value: number) => {
    if (ids instanceof BigInt64Array) ids[i] = BigInt(value);
    else ids[i] = value;
  };
  for (let i = 0; i < n; i++) {
    const p = seq.sequencePositions[i];
    if (p < 0 || p >= fullLength) throw new PrefillError(`sequence '${seq.label}': row ${i} has position ${p}, outside the clip's ${fullLength} positions`);
    if (spec.positionIdsKind === 'mrope') {
      for (let axis = 0; axis < 3; axis++) put(axis * n + i, positions.mrope[axis * fullLength + p]);
    } else {
      put(i, positions.linear[p]);
    }
  }
  const feeds: Record<string, ort.Tensor> = {
    [spec.inputs.inputsEmbeds]: new ort.Tensor('float32', seq.embeds, [1, n, spec.hiddenSize]),
    [spec.inputs.positionIds]: new ort.Tensor(idType, ids, spec.positionIdsKind === 'mrope' ? [3, 1, n] : [1, n]),
  };
  if (spec.inputs.attentionMask !== null) {
    const type = attentionMaskType(spec, signature);
    const data = type === 'int64' ? new BigInt64Array(n).fill(1n) : type === 'int32' ? new Int32Array(n).fill(1) : type === 'float32' ? new Float32Array(n).fill(1) : new Uint8Array(n).fill(1);
    feeds[spec.inputs.attentionMask] = type === 'bool' ? new ort.Tensor('bool', data as Uint8Array, [1, n]) : new ort.Tensor(type, data as Float32Array, [1, n]);
  }
  return feeds;
}
