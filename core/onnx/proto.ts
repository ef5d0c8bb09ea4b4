/**
 * The ONNX ModelProto wire format for the messages the graph builder writes, encoded by hand: a
 * general protobuf library costs a 290 KB import and generates its encoders on first use, both on
 * the start-up path of every command that opens an onnxruntime session. Field numbers are the
 * public ONNX spec's (onnx.proto3). Written as protobufjs writes the same messages, byte for byte
 * (test-support/onnx-protobufjs.ts holds that reference; graph-builder.test.ts compares): fields in
 * field-number order, a scalar only when it differs from its default ('', 0, empty bytes) except
 * the members of a oneof, repeated numbers packed.
 */

export interface ValueInfoMessage {
  name: string;
  type: { tensorType: { elemType: number; shape: { dim: Array<{ dimValue: number } | { dimParam: string }> } } };
}

export interface TensorMessage {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array;
}

export interface AttributeMessage {
  name: string;
  type: number;
  i?: number;
  f?: number;
  ints?: number[];
  floats?: number[];
  s?: Uint8Array;
}

export interface NodeMessage {
  name: string;
  opType: string;
  input: string[];
  output: string[];
  attribute: AttributeMessage[];
  domain: string;
}

export interface ModelMessage {
  irVersion: number;
  producerName: string;
  docString: string;
  graph: { name: string; node: NodeMessage[]; initializer: TensorMessage[]; input: ValueInfoMessage[]; output: ValueInfoMessage[] };
  opsetImport: Array<{ domain: string; version: number }>;
}

const VARINT = 0;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;
const utf8 = new TextEncoder();

/** Appends protobuf fields to a list of byte chunks (large payloads such as raw tensor data are not copied until `finish`). */
class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private pending: number[] = [];

  private flush(): void {
    if (this.pending.length > 0) this.chunks.push(Uint8Array.from(this.pending));
    this.pending = [];
  }

  private varint(value: number): void {
    if (value < 0) {
      // Negative int64 (and int32) values are written as their 64-bit two's complement: 10 bytes.
      let v = BigInt.asUintN(64, BigInt(value));
      while (v >= 0x80n) {
        this.pending.push(Number(v & 0x7fn) | 0x80);
        v >>= 7n;
      }
      this.pending.push(Number(v));
      return;
    }
    let v = value;
    while (v >= 0x80) {
      this.pending.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.pending.push(v);
  }

  private tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  /** An integer field (int32, int64, enum); a 0 is not written unless `always` (a oneof member). */
  int(field: number, value: number | undefined, always = false): this {
    if (value === undefined || (value === 0 && !always)) return this;
    this.tag(field, VARINT);
    this.varint(value);
    return this;
  }

  /** A repeated integer field, packed. */
  ints(field: number, values: readonly number[] | undefined): this {
    if (!values?.length) return this;
    const packed = new ProtoWriter();
    for (const value of values) packed.varint(value);
    return this.bytes(field, packed.finish(), true);
  }

  /** A float field; +0 is its default and not written. */
  float(field: number, value: number | undefined, always = false): this {
    if (value === undefined || (Object.is(value, 0) && !always)) return this;
    this.tag(field, FIXED32);
    const bytes = new Uint8Array(new Float32Array([value]).buffer);
    this.pending.push(bytes[0], bytes[1], bytes[2], bytes[3]);
    return this;
  }

  /** A repeated float field, packed. */
  floats(field: number, values: readonly number[] | undefined): this {
    if (!values?.length) return this;
    return this.bytes(field, new Uint8Array(Float32Array.from(values).buffer), true);
  }

  /** A bytes field; empty is its default and not written unless `always` (a repeated element or an embedded message). */
  bytes(field: number, value: Uint8Array | undefined, always = false): this {
    if (value === undefined || (value.length === 0 && !always)) return this;
    this.tag(field, LENGTH_DELIMITED);
    this.varint(value.length);
    this.flush();
    this.chunks.push(value);
    return this;
  }

  /** A string field; '' is its default and not written unless `always` (a repeated element or a oneof member). */
  string(field: number, value: string | undefined, always = false): this {
    return value === undefined ? this : this.bytes(field, utf8.encode(value), always);
  }

  strings(field: number, values: readonly string[]): this {
    for (const value of values) this.string(field, value, true);
    return this;
  }

  /** Each item written as an embedded message by `write`. */
  messages<T>(field: number, items: readonly T[], write: (w: ProtoWriter, item: T) => void): this {
    for (const item of items) this.message(field, item, write);
    return this;
  }

  message<T>(field: number, item: T, write: (w: ProtoWriter, item: T) => void): this {
    const inner = new ProtoWriter();
    write(inner, item);
    return this.bytes(field, inner.finish(), true);
  }

  finish(): Uint8Array {
    this.flush();
    if (this.chunks.length === 1) return this.chunks[0];
    const out = new Uint8Array(this.chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }
}

const writeAttribute = (w: ProtoWriter, a: AttributeMessage) =>
  w.string(1, a.name).float(2, a.f).int(3, a.i).bytes(4, a.s).floats(7, a.floats).ints(8, a.ints).int(20, a.type);

const writeNode = (w: ProtoWriter, n: NodeMessage) =>
  w.strings(1, n.input).strings(2, n.output).string(3, n.name).string(4, n.opType).messages(5, n.attribute, writeAttribute).string(7, n.domain);

const writeTensor = (w: ProtoWriter, t: TensorMessage) => w.ints(1, t.dims).int(2, t.dataType).string(8, t.name).bytes(9, t.rawData);

// dimValue and dimParam are a oneof: the one set is written even when 0 or ''.
const writeDim = (w: ProtoWriter, d: { dimValue: number } | { dimParam: string }) => ('dimValue' in d ? w.int(1, d.dimValue, true) : w.string(2, d.dimParam, true));

const writeValueInfo = (w: ProtoWriter, v: ValueInfoMessage) =>
  w.string(1, v.name).message(2, v.type, (typeProto, type) =>
    typeProto.message(1, type.tensorType, (tensorType, t) => tensorType.int(1, t.elemType).message(2, t.shape, (shape, s) => shape.messages(1, s.dim, writeDim))),
  );

/** The serialised ModelProto. */
export function encodeModelProto(model: ModelMessage): Uint8Array {
  const { graph } = model;
  return new ProtoWriter()
    .int(1, model.irVersion)
    .string(2, model.producerName)
    .string(6, model.docString)
    .message(7, graph, (w, g) =>
      w.messages(1, g.node, writeNode).string(2, g.name).messages(5, g.initializer, writeTensor).messages(11, g.input, writeValueInfo).messages(12, g.output, writeValueInfo),
    )
    .messages(8, model.opsetImport, (w, o) => w.string(1, o.domain).int(2, o.version))
    .finish();
}

/** ONNX TensorProto.DataType codes used by the graphs. */
export const OnnxDataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  FLOAT16: 10,
} as const;
export type OnnxDataTypeCode = (typeof OnnxDataType)[keyof typeof OnnxDataType];

/** ONNX AttributeProto.AttributeType codes. */
export const OnnxAttributeType = {
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  FLOATS: 6,
  INTS: 7,
} as const;
