/**
 * Decoder dimensions for the FLOPs metric: the paper's Qwen2.5-Omni thinkers, Qwen3-Omni's
 * thinker, or any model whose Hugging Face `config.json` the user points at.
 */
import { readFileSync } from 'node:fs';
import { PAPER_MODEL_DIMS, type FlopsDims } from '../prefill/flops.js';

/**
 * Qwen3-Omni-30B-A3B's thinker is a mixture of experts: 48 layers, d = 2048, 8 of 128 experts of
 * width 768 active per token. The FLOPs formula's MLP term counts what a token actually runs
 * through, so m is the active width 8 x 768 = 6144 (routing cost is negligible next to it).
 */
export const FLOPS_MODELS: Readonly<Record<string, FlopsDims>> = Object.freeze({
  ...PAPER_MODEL_DIMS,
  'Qwen3-Omni-30B-A3B': { layers: 48, hiddenSize: 2048, intermediateSize: 8 * 768 },
});

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Reads layers, hidden and MLP sizes from a Hugging Face config.json. Omni configs nest the
 * language model (thinker_config.text_config); MoE configs give the active MLP width as
 * moe_intermediate_size x num_experts_per_tok.
 */
export function flopsDimsFromHfConfig(doc: unknown, name = 'config.json'): FlopsDims {
  const candidates: Record<string, unknown>[] = [];
  const visit = (v: unknown) => {
    if (!isRecord(v)) return;
    candidates.push(v);
    for (const key of ['thinker_config', 'text_config', 'llm_config', 'language_config']) visit(v[key]);
  };
  visit(doc);
  for (const c of candidates.reverse()) {
    const layers = c.num_hidden_layers;
    const hidden = c.hidden_size;
    if (!Number.isInteger(layers) || !Number.isInteger(hidden)) continue;
    let mlp: unknown = c.intermediate_size;
    if (Number.isInteger(c.moe_intermediate_size) && Number.isInteger(c.num_experts_per_tok)) {
      mlp = (c.moe_intermediate_size as number) * (c.num_experts_per_tok as number);
    }
    if (!Number.isInteger(mlp)) continue;
    return { layers: layers as number, hiddenSize: hidden as number, intermediateSize: mlp as number };
  }
  throw new Error(`${name} has no language-model dimensions (num_hidden_layers, hidden_size, intermediate_size or moe_intermediate_size x num_experts_per_tok)`);
}

/** A known model name, or a path to a config.json (read synchronously: it is a few kilobytes). */
export function resolveFlopsModel(nameOrPath: string): { name: string; dims: FlopsDims } {
  const known = FLOPS_MODELS[nameOrPath];
  if (known) return { name: nameOrPath, dims: known };
  if (!nameOrPath.endsWith('.json')) {
    throw new Error(`unknown model '${nameOrPath}' (known: ${Object.keys(FLOPS_MODELS).join(', ')}, or a path to a Hugging Face config.json)`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(nameOrPath, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read ${nameOrPath}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return { name: nameOrPath, dims: flopsDimsFromHfConfig(doc, nameOrPath) };
}
