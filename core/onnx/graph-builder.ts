import { encodeModelProto, OnnxAttributeType, OnnxDataType, type AttributeMessage, type NodeMessage, type OnnxDataTypeCode, type TensorMessage, type ValueInfoMessage as ValueInfo } from './proto.js';
import { OmniZipError } from '../protocol/errors.js';

/**
 * Small typed helpers to declare an ONNX graph in code and serialise it to ModelProto bytes that
 * onnxruntime can load. Every value is referred to by name (a string), as in ONNX itself.
 */

export type ElementType = 'float32' | 'float16' | 'int64' | 'int32' | 'uint8' | 'int8' | 'bool';
/** A dimension: a fixed size, or a symbolic name so one session serves any size. */
export type Dim = number | string;

const elementTypeCodes: Record<ElementType, OnnxDataTypeCode> = {
  float32: OnnxDataType.FLOAT,
  float16: OnnxDataType.FLOAT16,
  uint8: OnnxDataType.UINT8,
  int8: OnnxDataType.INT8,
  int64: OnnxDataType.INT64,
  int32: OnnxDataType.INT32,
  bool: OnnxDataType.BOOL,
};

export type AttributeValue =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'ints'; value: number[] }
  | { kind: 'floats'; value: number[] }
  | { kind: 'string'; value: string };

/** Attribute constructors: ONNX needs the type spelled out (1 and 1.0 are different attributes). */
export const attr = {
  int: (value: number): AttributeValue => ({ kind: 'int', value }),
  float: (value: number): AttributeValue => ({ kind: 'float', value }),
  ints: (value: number[]): AttributeValue => ({ kind: 'ints', value }),
  floats: (value: number[]): AttributeValue => ({ kind: 'floats', value }),
  string: (value: string): AttributeValue => ({ kind: 'string', value }),
};

export class GraphBuildError extends OmniZipError {
  constructor(message: string) {
    super('graph-build', message);
  }
}

export interface ModelOptions {
  /** Default opset of the ai.onnx domain; the analysis graphs need ReduceMax with axes as input (18+). */
  opset?: number;
  irVersion?: number;
  producerName?: string;
  docString?: string;
}

function valueInfo(name: string, type: ElementType, shape: Dim[]): ValueInfo {
  return {
    name,
    type: {
      tensorType: {
        elemType: elementTypeCodes[type],
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attributeMessage(name: string, value: AttributeValue): AttributeMessage {
  switch (value.kind) {
    case 'int':
      if (!Number.isSafeInteger(value.value)) throw new GraphBuildError(`attribute '${name}': ${value.value} is not an integer`);
      return { name, type: OnnxAttributeType.INT, i: value.value };
    case 'float':
      return { name, type: OnnxAttributeType.FLOAT, f: value.value };
    case 'ints':
      return { name, type: OnnxAttributeType.INTS, ints: value.value };
    case 'floats':
      return { name, type: OnnxAttributeType.FLOATS, floats: value.value };
    case 'string':
      return { name, type: OnnxAttributeType.STRING, s: new TextEncoder().encode(value.value) };
  }
}

/** The bytes of a typed array (its own slice of the buffer); every platform onnxruntime runs on is little-endian. */
function bytesOf(values: ArrayBufferView): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

function littleEndianBytes(type: ElementType, values: ArrayLike<number>): Uint8Array {
  switch (type) {
    case 'float32':
      return bytesOf(Float32Array.from(values));
    case 'int64':
      return bytesOf(BigInt64Array.from(values, (v) => BigInt(v)));
    case 'int32':
      return bytesOf(Int32Array.from(values));
    case 'bool':
      return Uint8Array.from(values, (v) => (v ? 1 : 0));
    case 'uint8':
      return Uint8Array.from(values);
    case 'int8':
      return bytesOf(Int8Array.from(values));
    case 'float16':
      throw new GraphBuildError('float16 initializers are not supported; feed float16 values as inputs');
  }
}

/** Collects inputs, outputs, initializers and nodes; `toModelBytes()` serialises the ModelProto. */
export class GraphBuilder {
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly initializers: TensorMessage[] = [];
  private readonly nodes: NodeMessage[] = [];
  private readonly names = new Set<string>();
  private counter = 0;
  private readonly domains = new Set<string>();

  constructor(readonly graphName: string) {}

  private claim(name: string): string {
    if (this.names.has(name)) throw new GraphBuildError(`graph '${this.graphName}': value '${name}' is defined twice`);
    this.names.add(name);
    return name;
  }

  private requireDefined(name: string, user: string): void {
    // '' is ONNX's "optional input omitted".
    if (name !== '' && !this.names.has(name)) {
      throw new GraphBuildError(`graph '${this.graphName}': ${user} uses undefined value '${name}'`);
    }
  }

  /** A fresh value name that cannot collide with declared ones. */
  fresh(hint: string): string {
    let name: string;
    do name = `${hint}__${this.counter++}`;
    while (this.names.has(name));
    return name;
  }

  input(name: string, type: ElementType, shape: Dim[]): string {
    this.inputs.push(valueInfo(this.claim(name), type, shape));
    return name;
  }

  /** Declares `value` (already produced by a node) as a graph output. */
  output(value: string, type: ElementType, shape: Dim[]): string {
    this.requireDefined(value, 'output');
    if (this.outputs.some((o) => o.name === value)) throw new GraphBuildError(`graph '${this.graphName}': output '${value}' declared twice`);
    this.outputs.push(valueInfo(value, type, shape));
    return value;
  }

  /** A constant tensor stored in the model. */
  initializer(hint: string, type: ElementType, dims: number[], values: ArrayLike<number>): string {
    const expected = dims.reduce((p, d) => p * d, 1);
    if (expected !== values.length) {
      throw new GraphBuildError(`graph '${this.graphName}': initializer '${hint}' has ${values.length} values for dims [${dims.join(', ')}]`);
    }
    const name = this.claim(this.names.has(hint) ? this.fresh(hint) : hint);
    this.initializers.push({ name, dims, dataType: elementTypeCodes[type], rawData: littleEndianBytes(type, values) });
    return name;
  }

  /** A 1-D int64 constant (axes, shapes, indices). */
  int64s(hint: string, values: number[]): string {
    return this.initializer(hint, 'int64', [values.length], values);
  }

  /** A float32 scalar constant. */
  scalar(hint: string, value: number): string {
    return this.initializer(hint, 'float32', [], [value]);
  }

  /** Adds a node with `outputCount` outputs and returns their names. */
  nodeMulti(opType: string, inputs: string[], outputCount: number, attributes: Record<string, AttributeValue> = {}, outputNames?: string[]): string[] {
    for (const input of inputs) this.requireDefined(input, `${opType} node`);
    const outputs = Array.from({ length: outputCount }, (_, k) => this.claim(outputNames?.[k] ?? this.fresh(opType.toLowerCase())));
    this.nodes.push({
      name: this.fresh(`node_${opType}`),
      opType,
      input: inputs,
      output: outputs,
      attribute: Object.entries(attributes).map(([key, value]) => attributeMessage(key, value)),
      domain: '',
    });
    return outputs;
  }

  /** Adds a single-output node and returns the output's name (`outputName` if given). */
  node(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, outputName?: string): string {
    return this.nodeMulti(opType, inputs, 1, attributes, outputName === undefined ? undefined : [outputName])[0];
  }

  /** Adds a node from another operator domain (e.g. 'com.microsoft' contrib operators). */
  domainNode(domain: string, opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, outputName?: string): string {
    const out = this.node(opType, inputs, attributes, outputName);
    this.nodes[this.nodes.length - 1].domain = domain;
    this.domains.add(domain);
    return out;
  }

  toModelBytes(options: ModelOptions = {}): Uint8Array {
    if (this.outputs.length === 0) throw new GraphBuildError(`graph '${this.graphName}' has no outputs`);
    const opset = options.opset ?? 18;
    return encodeModelProto({
      irVersion: options.irVersion ?? 8,
      producerName: options.producerName ?? 'omnizip-studio',
      docString: options.docString ?? '',
      opsetImport: [{ domain: '', version: opset }, ...[...this.domains].map((domain) => ({ domain, version: 1 }))],
      graph: {
        name: this.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
  }
}

/** The serialised model of the graph `build` declares on a fresh builder named `name`. */
export function onnxModel(name: string, docString: string, build: (g: GraphBuilder) => void): Uint8Array {
  const g = new GraphBuilder(name);
  build(g);
  return g.toModelBytes({ docString });
}
