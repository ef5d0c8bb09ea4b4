/**
 * A user decoder manifest (docs/prefill.md) for tests: the format's fixed fields and the usual
 * input/output names, with the model file and sizes each test chooses.
 */
export function prefillManifest(fields: { hidden_size: number; num_layers: number; num_attention_heads: number; intermediate_size: number; model?: string } & Record<string, unknown>): Record<string, unknown> {
  return {
    format: 'omnizip-prefill-model',
    version: 1,
    model: 'model.onnx',
    inputs: { inputs_embeds: 'inputs_embeds', position_ids: 'position_ids' },
    outputs: { logits: 'logits' },
    ...fields,
  };
}
