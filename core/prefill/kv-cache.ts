/** Size of the key/value cache a prefill leaves behind: layers x 2 (K and V) x kv_heads x tokens x head_dim x bytes. */

export type KvDType = 'float32' | 'float16' | 'bfloat16' | 'int8';

export const KV_DTYPE_BYTES: Readonly<Record<KvDType, number>> = Object.freeze({
  float32: 4,
  float16: 2,
  bfloat16: 2,
  int8: 1,
});

export interface KvCacheDims {
  layers: number;
  kvHeads: number;
  headDim: number;
  dtype: KvDType;
}

export function kvCacheBytes(dims: KvCacheDims, tokens: number): number {
  return dims.layers * 2 * dims.kvHeads * tokens * dims.headDim * KV_DTYPE_BYTES[dims.dtype];
}
