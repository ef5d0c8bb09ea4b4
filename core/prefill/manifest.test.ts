import { describe, expect, it } from 'vitest';
import { ModelManifestError, ModelSignatureError } from './errors.js';
import { parseManifest, validateSignature, type ModelSignature } from './manifest.js';

const thinker = {
  format: 'omnizip-prefill-model',
  version: 1,
  name: 'Qwen2.5-Omni-7B thinker',
  model: 'thinker.onnx',
  inputs: { inputs_embeds: 'inputs_embeds', position_ids: 'position_ids', attention_mask: 'attention_mask' },
  position_ids_kind: 'mrope',
  outputs: { logits: 'logits', last_hidden_state: 'hidden' },
  hidden_size: 3584,
  num_layers: 28,
  num_attention_heads: 28,
  num_key_value_heads: 4,
  intermediate_size: 18944,
  kv_dtype: 'bfloat16',
};

const goodSignature: ModelSignature = {
  inputs: [
    { name: 'inputs_embeds', isTensor: true, type: 'float32', shape: ['batch', 'seq', 3584] },
    { name: 'position_ids', isTensor: true, type: 'int64', shape: [3, 'batch', 'seq'] },
    { name: 'attention_mask', isTensor: true, type: 'int64', shape: ['batch', 'seq'] },
  ],
  outputs: [
    { name: 'logits', isTensor: true, type: 'float32', shape: ['batch', 'seq', 152064] },
    { name: 'hidden', isTensor: true, type: 'float32', shape: ['batch', 'seq', 3584] },
  ],
};

describe('model manifest', () => {
  it('parses a thinker manifest, resolving the model next to it and deriving head_dim', () => {
    const spec = parseManifest(thinker, '/models/qwen/manifest.json');
    expect(spec.modelPath).toBe('/models/qwen/thinker.onnx');
    expect(spec.headDim).toBe(128);
    expect(spec.positionIdsKind).toBe('mrope');
    expect(spec.kvDtype).toBe('bfloat16');
    expect(spec.inputs.attentionMask).toBe('attention_mask');
    expect(() => validateSignature(spec, goodSignature, 'thinker.onnx')).not.toThrow();
  });

  it('names the key at fault', () => {
    expect(() => parseManifest({ ...thinker, format: 'x' }, 'm.json')).toThrow(new ModelManifestError(`m.json: 'format' must be "omnizip-prefill-model", found "x"`));
    expect(() => parseManifest({ ...thinker, hidden_size: -1 }, 'm.json')).toThrow(/m.json: 'hidden_size' must be a positive integer, found -1/);
    expect(() => parseManifest({ ...thinker, num_key_value_heads: 5 }, 'm.json')).toThrow(/multiple of num_key_value_heads/);
    expect(() => parseManifest({ ...thinker, position_ids_kind: '2d' }, 'm.json')).toThrow(/'position_ids_kind' must be "1d"/);
    expect(() => parseManifest({ ...thinker, inputs: { position_ids: 'p' } }, 'm.json')).toThrow(/m.json: inputs: 'inputs_embeds' \(a tensor name\) is required/);
    expect(() => parseManifest([], 'm.json')).toThrow(/must be a JSON object/);
  });

  it('rejects a model whose inputs_embeds has the wrong hidden size, saying what it found', () => {
    const spec = parseManifest(thinker, 'manifest.json');
    const wrong: ModelSignature = {
      ...goodSignature,
      inputs: [{ name: 'inputs_embeds', isTensor: true, type: 'float32', shape: ['batch', 'seq', 2048] }, ...goodSignature.inputs.slice(1)],
    };
    expect(() => validateSignature(spec, wrong, 'model.onnx')).toThrow(
      new ModelSignatureError("model.onnx: input 'inputs_embeds' expected [batch, seq, 3584] float32, found [batch, seq, 2048] float32"),
    );
  });

  it('rejects 1-D position ids where the manifest promises M-RoPE, and wrong types', () => {
    const spec = parseManifest(thinker, 'manifest.json');
    const oneD: ModelSignature = { ...goodSignature, inputs: goodSignature.inputs.map((v) => (v.name === 'position_ids' ? { ...v, shape: ['batch', 'seq'] } : v)) };
    expect(() => validateSignature(spec, oneD, 'model.onnx')).toThrow(/input 'position_ids' expected \[3, batch, seq\] int64\/int32, found \[batch, seq\] int64/);
    const halfEmbeds: ModelSignature = { ...goodSignature, inputs: goodSignature.inputs.map((v) => (v.name === 'inputs_embeds' ? { ...v, type: 'float16' } : v)) };
    expect(() => validateSignature(spec, halfEmbeds, 'model.onnx')).toThrow(/found \[batch, seq, 3584\] float16/);
  });

  it('lists the model\'s tensors when a name is missing, and refuses unmapped inputs', () => {
    const spec = parseManifest({ ...thinker, outputs: { logits: 'lm_logits' } }, 'manifest.json');
    expect(() => validateSignature(spec, goodSignature, 'model.onnx')).toThrow(
      "model.onnx: the manifest's logits output 'lm_logits' is not an output of the model (its outputs: logits, hidden)",
    );
    const withCache: ModelSignature = { ...goodSignature, inputs: [...goodSignature.inputs, { name: 'past_key_values.0.key', isTensor: true, type: 'float32', shape: [] }] };
    expect(() => validateSignature(parseManifest(thinker, 'manifest.json'), withCache, 'model.onnx')).toThrow(/inputs the manifest does not map: past_key_values.0.key/);
  });

  it('accepts last-position-only logits and models that do not declare shapes', () => {
    const spec = parseManifest({ ...thinker, outputs: { logits: 'logits' } }, 'manifest.json');
    const lastOnly: ModelSignature = {
      inputs: goodSignature.inputs.map((v) => ({ ...v, shape: [] })),
      outputs: [{ name: 'logits', isTensor: true, type: 'float32', shape: [1, 152064] }],
    };
    expect(() => validateSignature(spec, lastOnly, 'model.onnx')).not.toThrow();
  });
});

describe('manifest attention_output (FastV)', () => {
  it('is optional, defaults to head_mean, and must name a layer of the model', () => {
    expect(parseManifest(thinker, '/m/manifest.json').attentionOutput).toBeNull();
    expect(parseManifest({ ...thinker, attention_output: { name: 'attn_l5', layer: 5 } }, '/m/manifest.json').attentionOutput).toEqual({ name: 'attn_l5', layer: 5, layout: 'head_mean' });
    expect(parseManifest({ ...thinker, attention_output: { name: 'a', layer: 2, layout: 'per_head' } }, 'm.json').attentionOutput?.layout).toBe('per_head');
    expect(() => parseManifest({ ...thinker, attention_output: { name: 'a', layer: 29 } }, 'm.json')).toThrow("m.json: attention_output: 'layer' 29 is beyond the model's 28 layers (num_layers)");
    expect(() => parseManifest({ ...thinker, attention_output: { name: 'a', layer: 5, layout: 'rows' } }, 'm.json')).toThrow(/'layout' must be "head_mean" or "per_head"/);
    expect(() => parseManifest({ ...thinker, attention_output: { layer: 5 } }, 'm.json')).toThrow(/attention_output: 'name' \(a tensor name\) is required/);
  });
});
