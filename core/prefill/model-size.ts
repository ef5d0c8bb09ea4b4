/**
 * How many bytes of weights an ONNX model brings, read before onnxruntime loads it: the .onnx
 * file itself plus every external-data file its initializers name (models over 2 GB must keep
 * their weights outside the protobuf). Only the protobuf wire format is walked, and only the
 * path ModelProto.graph → GraphProto.initializer → TensorProto.external_data, so a small .onnx
 * with a large sidecar is measured without loading anything.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { readRegularFile, regularFileSize } from '../util/regular-file.js';

/** Larger .onnx files hold their weights inline: their size is the figure, nothing to scan. */
const SCAN_LIMIT_BYTES = 512 * 1024 * 1024;

// Field numbers of the public ONNX schema (onnx.proto).
const MODEL_GRAPH = 7;
const GRAPH_INITIALIZER = 5;
const TENSOR_EXTERNAL_DATA = 13;
const ENTRY_KEY = 1;
const ENTRY_VALUE = 2;

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

export interface ModelWeightSize {
  /** The .onnx file plus each distinct external-data file. */
  bytes: number;
  /** External-data files found (absolute paths). */
  externalFiles: string[];
}

/** Fields of one protobuf message: [field number, bytes] of each length-delimited field. */
function* lengthDelimited(buf: Uint8Array, start: number, end: number): Generator<[number, number, number]> {
  let pos = start;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (pos >= end) throw new Error('truncated varint');
      const byte = buf[pos++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
  };
  while (pos < end) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === WIRE_VARINT) varint();
    else if (wire === WIRE_I64) pos += 8;
    else if (wire === WIRE_I32) pos += 4;
    else if (wire === WIRE_LEN) {
      const length = varint();
      if (pos + length > end) throw new Error('truncated field');
      yield [field, pos, pos + length];
      pos += length;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
}

/** The `location` of every external-data initializer in an ONNX model's bytes. */
export function externalDataLocations(model: Uint8Array): string[] {
  const locations = new Set<string>();
  const text = new TextDecoder();
  for (const [field, gs, ge] of lengthDelimited(model, 0, model.length)) {
    if (field !== MODEL_GRAPH) continue;
    for (const [gf, ts, te] of lengthDelimited(model, gs, ge)) {
      if (gf !== GRAPH_INITIALIZER) continue;
      for (const [tf, es, ee] of lengthDelimited(model, ts, te)) {
        if (tf !== TENSOR_EXTERNAL_DATA) continue;
        let key = '';
        let value = '';
        for (const [ef, s, e] of lengthDelimited(model, es, ee)) {
          if (ef === ENTRY_KEY) key = text.decode(model.subarray(s, e));
          else if (ef === ENTRY_VALUE) value = text.decode(model.subarray(s, e));
        }
        if (key === 'location' && value) locations.add(value);
      }
    }
  }
  return [...locations];
}

/**
 * The weight bytes of the model at `modelPath`. A file it cannot read or parse is measured by its
 * size alone: onnxruntime's load then reports what is wrong with it.
 */
export async function modelWeightSize(modelPath: string): Promise<ModelWeightSize> {
  let size: number;
  try {
    size = await regularFileSize(modelPath);
  } catch {
    return { bytes: 0, externalFiles: [] };
  }
  if (size > SCAN_LIMIT_BYTES) return { bytes: size, externalFiles: [] };
  let locations: string[];
  try {
    locations = externalDataLocations(await readRegularFile(modelPath, { maxBytes: SCAN_LIMIT_BYTES, what: 'the model' }));
  } catch {
    return { bytes: size, externalFiles: [] };
  }
  const dir = path.dirname(modelPath);
  const externalFiles: string[] = [];
  let bytes = size;
  for (const location of new Set(locations.map((l) => path.resolve(dir, l)))) {
    try {
      const info = await stat(location);
      if (!info.isFile()) continue;
      bytes += info.size;
      externalFiles.push(location);
    } catch {
      // missing: onnxruntime names it when it loads the model
    }
  }
  return { bytes, externalFiles };
}
