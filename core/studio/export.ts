/**
 * The studio's export files: the config (YAML, JSON), the official scripts' flags and env lines,
 * the plan document and the kept-token masks. Each builder returns the bytes and a file name; the
 * shell decides where they go (an atomic write behind Electron's save dialog, a download in web
 * mode).
 */
import YAML from 'yaml';
import { CONFIG_KEYS, DEFAULT_CONFIG, type OmniZipConfig } from '../config/schema.js';
import type { PlanDocument, PlanResult } from '../planner/types.js';
import type { ExportKind } from '../protocol/contract.js';

export interface ExportFile {
  fileName: string;
  mime: string;
  bytes: Uint8Array;
}

const encoder = new TextEncoder();
const text = (fileName: string, mime: string, body: string): ExportFile => ({ fileName, mime, bytes: encoder.encode(body) });

/** File-name stem from a clip name: letters, digits, dot, dash and underscore only. */
export function safeStem(name: string): string {
  const stem = name.replace(/\.[A-Za-z0-9]+$/, '').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '');
  return stem || 'clip';
}

/** The config as a plain object in schema order, so exported files read the same every time. */
export function orderedConfig(config: OmniZipConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const d of CONFIG_KEYS) out[d.key] = config[d.key];
  return out;
}

export function configYaml(config: OmniZipConfig): string {
  const header = [
    '# OmniZip config (official key names; rho values are DISCARD ratios)',
    '# kept audio ~ (1 - rho_audio) + contextual_ratio; video discards rho_video of its tokens',
  ].join('\n');
  return `${header}\n${YAML.stringify(orderedConfig(config))}`;
}

/** The only keys the official scripts take as flags or env; every other key is hard-coded there. */
const IN_SCRIPTS: ReadonlySet<string> = new Set(['rho_audio', 'rho_video', 'g', 'contextual_ratio']);

/** Keys set away from the official default that the scripts cannot express (schema order). */
export function keysNotInScripts(config: OmniZipConfig): (keyof OmniZipConfig)[] {
  return CONFIG_KEYS.map((d) => d.key).filter((k) => !IN_SCRIPTS.has(k) && config[k] !== DEFAULT_CONFIG[k]);
}

export function officialFlags(config: OmniZipConfig): string {
  const { rho_audio: ra, rho_video: rv, g, contextual_ratio: c } = config;
  // First, so it is the first thing read: what these lines silently lose.
  const unmapped = keysNotInScripts(config);
  const note = unmapped.length > 0
    ? [`# NOTE: the official scripts cannot express ${unmapped.map((k) => `${k} (here ${JSON.stringify(config[k])})`).join(', ')}; they hard-code the official behaviour, so these lines do not reproduce that part of the setting.`, '']
    : [];
  const lines = [
    ...note,
    '# demo_3_omni.py (Qwen3-Omni demo)',
    `--omnizip --rho_audio ${ra} --rho_video ${rv} --g ${g} --contextual_ratio ${c}`,
    '',
    '# eval/eval.py (WorldSense)',
    `--WAPPER-METHOD omnizip --OMNIZIP_RHO_AUDIO ${ra} --OMNIZIP_RHO_VIDEO ${rv} --OMNIZIP_G ${g} --OMNIZIP_CONTEXTUAL_RATIO ${c}`,
    '',
    '# eval.sh (lmms-eval, VideoMME): shell variables',
    'WRAPPER=OmniZip',
    `OMNIZIP_RHO_AUDIO=${ra}`,
    `OMNIZIP_RHO_VIDEO=${rv}`,
    `OMNIZIP_G=${g}`,
    `OMNIZIP_CONTEXTUAL_RATIO=${c}`,
  ];
  return `${lines.join('\n')}\n`;
}

interface TensorSpec {
  name: string;
  dtype: 'U8' | 'I32';
  shape: number[];
  data: Uint8Array | Int32Array;
}

/** A minimal safetensors writer (little-endian hosts, which every supported platform is). */
export function safetensorsBytes(tensors: TensorSpec[], metadata: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  // The data section should start 8-byte aligned; safetensors allows trailing spaces in the header.
  json += ' '.repeat((8 - ((8 + encoder.encode(json).length) % 8)) % 8);
  const headerBytes = encoder.encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

export function masksFile(plan: PlanResult): Uint8Array {
  return safetensorsBytes(
    [
      { name: 'audio_keep', dtype: 'U8', shape: [plan.audio.keep.length], data: plan.audio.keep },
      { name: 'audio_fate', dtype: 'U8', shape: [plan.audio.fate.length], data: plan.audio.fate },
      { name: 'audio_merged_into', dtype: 'I32', shape: [plan.audio.mergedInto.length], data: plan.audio.mergedInto },
      { name: 'video_keep', dtype: 'U8', shape: [plan.videoKeep.length], data: plan.videoKeep },
      { name: 'sequence_keep', dtype: 'U8', shape: [plan.sequenceKeep.length], data: plan.sequenceKeep },
    ],
    {
      omnizip: JSON.stringify({
        format: 'omnizip-masks',
        version: 1,
        config: orderedConfig(plan.config),
        fate_codes: { 0: 'dropped', 1: 'dominant', 2: 'anchor', 3: 'merged' },
      }),
    },
  );
}

export function buildExport(kind: ExportKind, clipName: string, plan: PlanResult, planDocument: () => PlanDocument): ExportFile {
  const stem = safeStem(clipName);
  switch (kind) {
    case 'config-yaml':
      return text(`${stem}.omnizip.yaml`, 'application/yaml', configYaml(plan.config));
    case 'config-json':
      return text(`${stem}.omnizip.json`, 'application/json', `${JSON.stringify(orderedConfig(plan.config), null, 2)}\n`);
    case 'flags':
      return text(`${stem}.omnizip-flags.txt`, 'text/plain', officialFlags(plan.config));
    case 'plan-json':
      return text(`${stem}.plan.json`, 'application/json', `${JSON.stringify(planDocument(), null, 1)}\n`);
    case 'masks':
      return { fileName: `${stem}.masks.safetensors`, mime: 'application/octet-stream', bytes: masksFile(plan) };
  }
}
