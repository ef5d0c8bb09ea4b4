/**
 * Ids and enumerations that several layers and processes name: defined once here, read by the
 * contract (renderer ↔ host), the onnx layer, the bundle format and the CLI. Browser-safe.
 */

/** onnxruntime execution providers the user may ask for; 'auto' lets the core pick the best that starts. */
export const PROVIDER_PREFERENCES = ['auto', 'cpu', 'webgpu', 'cuda'] as const;
export type ProviderPreference = (typeof PROVIDER_PREFERENCES)[number];
export type ProviderName = Exclude<ProviderPreference, 'auto'>;

/** How embeddings may be stored in a feature bundle (always widened to float32 in memory). */
export const EMBEDDING_DTYPES = ['F32', 'F16', 'BF16'] as const;
export type EmbeddingDType = (typeof EMBEDDING_DTYPES)[number];
