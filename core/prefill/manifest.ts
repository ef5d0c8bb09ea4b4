import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ModelManifestError, ModelSignatureError } from './errors.js';
import { KV_DTYPE_BYTES, type KvDType } from './kv-cache.js';

/**
 * A decoder LLM the prefill benchmark can run, described by a small JSON manifest next to the
 * ONNX file (docs/prefill.md shows one for the Qwen2.5-Omni thinker). The manifest maps the
 * model's tensor names onto the roles the benchmark needs and gives the dimensions the KV-cache
 * and FLOPs figures use; the ONNX session is checked against it on load.
 */
export type PositionIdsKind = '1d' | 'mrope';

/** The shape of a decoder: what the FLOPs and KV-cache figures are computed from. */
export interface DecoderDimensions {
  hiddenSize: number;
  numLayers: number;
  numAttentionHeads: number;
  numKeyValueHeads: number;
  headDim: number;
  intermediateSize: number;
}

export interface PrefillModelSpec extends DecoderDimensions {
  name: string;
  /** Absolute path of the .onnx file, or null when the bytes come from code (demo decoder). */
  modelPath: string | null;
  inputs: {
    inputsEmbeds: string;
    positionIds: string;
    /** null when the model has no attention-mask input. */
    attentionMask: string | null;
  };
  /** '1d': [batch, seq]; 'mrope': [3, batch, seq] (temporal, height, width) as in Qwen2.5-Omni. */
  positionIdsKind: PositionIdsKind;
  outputs: {
    /** [batch, seq, vocab] or [batch, vocab] (last position only). */
    logits: string;
    /** Final (normed) hidden state, [batch, seq, hidden] or [batch, hidden]; null when absent. */
    lastHiddenState: string | null;
  };
  /** Element type of the KV cache in the deployed model (for the KV-size figure). */
  kvDtype: KvDType;
  /** FastV's input, when the export exposes it (`attention_output` in the manifest); null otherwise. */
  attentionOutput?: AttentionOutputSpec | null;
}

/**
 * The attention row FastV ranks by: post-softmax attention of the last sequence position over
 * every position at 1-based decoder layer `layer`. `head_mean`: [batch, seq] (or [seq]), already
 * averaged over heads; `per_head`: [batch, heads, seq], averaged by the studio.
 */
export interface AttentionOutputSpec {
  name: string;
  layer: number;
  layout: 'head_mean' | 'per_head';
}

export const ATTENTION_LAYOUTS = ['head_mean', 'per_head'] as const;

function attentionOutput(doc: Json, file: string, numLayers: number): AttentionOutputSpec | null {
  const value = doc.attention_output;
  if (value === undefined || value === null) return null;
  const where = `${file}: attention_output`;
  if (!isObject(value)) throw new ModelManifestError(`${where} must be an object {name, layer, layout}`);
  const name = tensorName(value, 'name', where, false) as string;
  const layer = positiveInteger(value, 'layer', where);
  if (layer > numLayers) throw new ModelManifestError(`${where}: 'layer' ${layer} is beyond the model's ${numLayers} layers (num_layers)`);
  const layout = value.layout ?? 'head_mean';
  if (layout !== 'head_mean' && layout !== 'per_head') {
    throw new ModelManifestError(`${where}: 'layout' must be ${ATTENTION_LAYOUTS.map((l) => `"${l}"`).join(' or ')}, found ${JSON.stringify(layout)}`);
  }
  return { name, layer, layout };
}

/** Metadata of one model input or output, as a session reports it (shape [] = unknown). */
export interface ValueSignature {
  name: string;
  isTensor: boolean;
  type?: string;
  shape?: ReadonlyArray<number | string>;
}

export interface ModelSignature {
  inputs: ValueSignature[];
  outputs: ValueSignature[];
}

export const MANIFEST_FORMAT = 'omnizip-prefill-model';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function positiveInteger(doc: Json, key: string, where: string): number {
  const value = doc[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new ModelManifestError(`${where}: '${key}' must be a positive integer, found ${JSON.stringify(value)}`);
  }
  return value;
}

function tensorName(doc: Json, key: string, where: string, optional: boolean): string | null {
  const value = doc[key];
  if (value === undefined || value === null) {
    if (optional) return null;
    throw new ModelManifestError(`${where}: '${key}' (a tensor name) is required`);
  }
  if (typeof value !== 'string' || value.length === 0) {
    throw new ModelManifestError(`${where}: '${key}' must be a non-empty tensor name, found ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Parses a manifest document. `file` names it in errors; `model` is resolved relative to the
 * manifest's directory.
 */
export function parseManifest(doc: unknown, file: string): PrefillModelSpec {
  if (!isObject(doc)) throw new ModelManifestError(`${file}: a model manifest must be a JSON object`);
  if (doc.format !== MANIFEST_FORMAT) {
    throw new ModelManifestError(`${file}: 'format' must be "${MANIFEST_FORMAT}", found ${JSON.stringify(doc.format)}`);
  }
  if (doc.version !== 1) throw new ModelManifestError(`${file}: unsupported manifest version ${JSON.stringify(doc.version)} (this studio reads version 1)`);
  if (typeof doc.model !== 'string' || doc.model.length === 0) {
    throw new ModelManifestError(`${file}: 'model' must be the path of the .onnx file (relative to the manifest)`);
  }
  const inputs = doc.inputs;
  const outputs = doc.outputs;
  if (!isObject(inputs)) throw new ModelManifestError(`${file}: 'inputs' must be an object mapping inputs_embeds, position_ids and attention_mask to tensor names`);
  if (!isObject(outputs)) throw new ModelManifestError(`${file}: 'outputs' must be an object mapping logits (and optionally last_hidden_state) to tensor names`);
  const kind = doc.position_ids_kind ?? '1d';
  if (kind !== '1d' && kind !== 'mrope') {
    throw new ModelManifestError(`${file}: 'position_ids_kind' must be "1d" ([batch, seq]) or "mrope" ([3, batch, seq]), found ${JSON.stringify(kind)}`);
  }
  const kvDtype = doc.kv_dtype ?? 'float32';
  if (typeof kvDtype !== 'string' || !(kvDtype in KV_DTYPE_BYTES)) {
    throw new ModelManifestError(`${file}: 'kv_dtype' must be one of ${Object.keys(KV_DTYPE_BYTES).join(', ')}, found ${JSON.stringify(kvDtype)}`);
  }
  const hiddenSize = positiveInteger(doc, 'hidden_size', file);
  const numAttentionHeads = positiveInteger(doc, 'num_attention_heads', file);
  const numKeyValueHeads = doc.num_key_value_heads === undefined ? numAttentionHeads : positiveInteger(doc, 'num_key_value_heads', file);
  if (numAttentionHeads % numKeyValueHeads !== 0) {
    throw new ModelManifestError(`${file}: num_attention_heads (${numAttentionHeads}) must be a multiple of num_key_value_heads (${numKeyValueHeads})`);
  }
  const numLayers = positiveInteger(doc, 'num_layers', file);
  let headDim: number;
  if (doc.head_dim === undefined) {
    if (hiddenSize % numAttentionHeads !== 0) {
      throw new ModelManifestError(`${file}: hidden_size (${hiddenSize}) is not divisible by num_attention_heads (${numAttentionHeads}); give 'head_dim' explicitly`);
    }
    headDim = hiddenSize / numAttentionHeads;
  } else {
    headDim = positiveInteger(doc, 'head_dim', file);
  }
  return {
    name: typeof doc.name === 'string' && doc.name ? doc.name : path.basename(doc.model),
    modelPath: path.resolve(path.dirname(path.resolve(file)), doc.model),
    inputs: {
      inputsEmbeds: tensorName(inputs, 'inputs_embeds', `${file}: inputs`, false) as string,
      positionIds: tensorName(inputs, 'position_ids', `${file}: inputs`, false) as string,
      attentionMask: tensorName(inputs, 'attention_mask', `${file}: inputs`, true),
    },
    positionIdsKind: kind,
    outputs: {
      logits: tensorName(outputs, 'logits', `${file}: outputs`, false) as string,
      lastHiddenState: tensorName(outputs, 'last_hidden_state', `${file}: outputs`, true),
    },
    hiddenSize,
    numLayers,
    numAttentionHeads,
    numKeyValueHeads,
    headDim,
    intermediateSize: positiveInteger(doc, 'intermediate_size', file),
    kvDtype: kvDtype as KvDType,
    attentionOutput: attentionOutput(doc, file, numLayers),
  };
}

export async function readManifest(file: string): Promise<PrefillModelSpec> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ModelManifestError(`cannot read model manifest ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ModelManifestError(`${file}: model manifest is not valid JSON: ${(err as Error).message}`);
  }
  return parseManifest(doc, file);
}

// ---------------------------------------------------------------------------------------------
// Checking a loaded session against the manifest.

interface ExpectedTensor {
  role: string;
  /** Per axis: a number must match when the model fixes it; a string only documents the axis. */
  dims: Array<number | string>;
  /** Alternatives accepted (first is the one named in errors). */
  types: string[];
  /** Extra accepted rank (e.g. logits for the last position only). */
  altDims?: Array<number | string>;
}

function describeDims(dims: ReadonlyArray<number | string>): string {
  return `[${dims.join(', ')}]`;
}

function describeFound(value: ValueSignature): string {
  if (!value.isTensor) return 'a non-tensor value';
  const shape = value.shape && value.shape.length > 0 ? describeDims(value.shape) : '[unknown shape]';
  return `${shape} ${value.type ?? 'unknown type'}`;
}

function matchesDims(found: ReadonlyArray<number | string>, expected: Array<number | string>): boolean {
  if (found.length === 0) return true; // the model does not declare its shape: checked at run time
  if (found.length !== expected.length) return false;
  return expected.every((dim, i) => typeof dim !== 'number' || typeof found[i] !== 'number' || found[i] === dim);
}

function checkTensor(label: string, kind: 'input' | 'output', value: ValueSignature | undefined, name: string, expected: ExpectedTensor, available: string[]): void {
  if (!value) {
    throw new ModelSignatureError(`${label}: the manifest's ${expected.role} ${kind} '${name}' is not an ${kind} of the model (its ${kind}s: ${available.join(', ') || 'none'})`);
  }
  const want = `${describeDims(expected.dims)}${expected.altDims ? ` or ${describeDims(expected.altDims)}` : ''} ${expected.types.join('/')}`;
  const typeOk = value.isTensor && (value.type === undefined || expected.types.includes(value.type));
  const shape = value.shape ?? [];
  const dimsOk = matchesDims(shape, expected.dims) || (expected.altDims !== undefined && matchesDims(shape, expected.altDims));
  if (!typeOk || !dimsOk) {
    throw new ModelSignatureError(`${label}: ${kind} '${name}' expected ${want}, found ${describeFound(value)}`);
  }
}

/**
 * Checks that the session has every tensor the manifest names, with compatible ranks, fixed
 * sizes and types, and no extra required inputs (a KV-cache input, say) the benchmark cannot feed.
 */
export function validateSignature(spec: PrefillModelSpec, signature: ModelSignature, label: string): void {
  const inputNames = signature.inputs.map((v) => v.name);
  const outputNames = signature.outputs.map((v) => v.name);
  const input = (name: string) => signature.inputs.find((v) => v.name === name);
  const output = (name: string) => signature.outputs.find((v) => v.name === name);
  checkTensor(label, 'input', input(spec.inputs.inputsEmbeds), spec.inputs.inputsEmbeds, { role: 'inputs_embeds', dims: ['batch', 'seq', spec.hiddenSize], types: ['float32'] }, inputNames);
  checkTensor(
    label,
    'input',
    input(spec.inputs.positionIds),
    spec.inputs.positionIds,
    spec.positionIdsKind === 'mrope'
      ? { role: 'position_ids (M-RoPE)', dims: [3, 'batch', 'seq'], types: ['int64', 'int32'] }
      : { role: 'position_ids', dims: ['batch', 'seq'], types: ['int64', 'int32'] },
    inputNames,
  );
  if (spec.inputs.attentionMask !== null) {
    checkTensor(label, 'input', input(spec.inputs.attentionMask), spec.inputs.attentionMask, { role: 'attention_mask', dims: ['batch', 'seq'], types: ['int64', 'int32', 'float32', 'bool'] }, inputNames);
  }
  const mapped = new Set([spec.inputs.inputsEmbeds, spec.inputs.positionIds, spec.inputs.attentionMask].filter((n): n is string => n !== null));
  const unmapped = inputNames.filter((n) => !mapped.has(n));
  if (unmapped.length > 0) {
    throw new ModelSignatureError(`${label}: the model has inputs the manifest does not map: ${unmapped.join(', ')} (export the decoder for prefill only, with no past key/value inputs; see docs/prefill.md)`);
  }
  checkTensor(label, 'output', output(spec.outputs.logits), spec.outputs.logits, { role: 'logits', dims: ['batch', 'seq', 'vocab'], altDims: ['batch', 'vocab'], types: ['float32'] }, outputNames);
  if (spec.outputs.lastHiddenState !== null) {
    checkTensor(
      label,
      'output',
      output(spec.outputs.lastHiddenState),
      spec.outputs.lastHiddenState,
      { role: 'last_hidden_state', dims: ['batch', 'seq', spec.hiddenSize], altDims: ['batch', spec.hiddenSize], types: ['float32'] },
      outputNames,
    );
  }
}

/** The element type the session wants for position ids (int64 unless it declares int32). */
export function positionIdsType(spec: PrefillModelSpec, signature: ModelSignature): 'int64' | 'int32' {
  const value = signature.inputs.find((v) => v.name === spec.inputs.positionIds);
  return value?.type === 'int32' ? 'int32' : 'int64';
}

export function attentionMaskType(spec: PrefillModelSpec, signature: ModelSignature): 'int64' | 'int32' | 'float32' | 'bool' {
  const value = signature.inputs.find((v) => v.name === spec.inputs.attentionMask);
  const type = value?.type;
  return type === 'int32' || type === 'float32' || type === 'bool' ? type : 'int64';
}
