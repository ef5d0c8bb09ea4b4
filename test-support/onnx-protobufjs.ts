import protobuf from 'protobufjs';

/**
 * A message's fields from their declarations, written `'name: type = id'` as in a .proto file,
 * with `[]` after the type for a repeated field.
 */
function protoFields(...declarations: string[]): Record<string, protobuf.IField> {
  const fields: Record<string, protobuf.IField> = {};
  for (const declaration of declarations) {
    const match = /^(\w+): (\w+)(\[\])? = (\d+)$/.exec(declaration);
    if (!match) throw new Error(`malformed ONNX schema field declaration '${declaration}'`);
    const [, name, type, repeated, id] = match;
    fields[name] = repeated ? { rule: 'repeated', type, id: Number(id) } : { type, id: Number(id) };
  }
  return fields;
}

/** An enum whose values are its names' positions, 0, 1, 2, ... (as every ONNX enum used here is). */
function protoEnumValues(...names: string[]): Record<string, number> {
  return Object.fromEntries(names.map((name, value) => [name, value]));
}

/**
 * For tests: the subset of the ONNX protobuf schema (onnx.proto3, IR version 8+) that graph building needs,
 * declared as protobufjs reflection JSON, so the hand-written writer in core/onnx/proto.ts can be
 * checked byte for byte against a general protobuf encoder (and its output decoded). Field numbers are the public ONNX spec's; anything not
 * listed here (training info, sparse tensors, functions, optional/sequence types) is simply never
 * written, which onnxruntime accepts because every field is optional on the wire.
 */
const onnxSchema: protobuf.INamespace = {
  nested: {
    onnx: {
      nested: {
        AttributeProto: {
          fields: protoFields('name: string = 1', 'f: float = 2', 'i: int64 = 3', 's: bytes = 4', 't: TensorProto = 5', 'g: GraphProto = 6', 'floats: float[] = 7', 'ints: int64[] = 8', 'strings: bytes[] = 9', 'docString: string = 13', 'type: AttributeType = 20'),
          nested: {
            AttributeType: {
              values: protoEnumValues('UNDEFINED', 'FLOAT', 'INT', 'STRING', 'TENSOR', 'GRAPH', 'FLOATS', 'INTS', 'STRINGS'),
            },
          },
        },
        ValueInfoProto: {
          fields: protoFields('name: string = 1', 'type: TypeProto = 2', 'docString: string = 3'),
        },
        NodeProto: {
          fields: protoFields('input: string[] = 1', 'output: string[] = 2', 'name: string = 3', 'opType: string = 4', 'attribute: AttributeProto[] = 5', 'docString: string = 6', 'domain: string = 7'),
        },
        ModelProto: {
          fields: protoFields('irVersion: int64 = 1', 'producerName: string = 2', 'producerVersion: string = 3', 'domain: string = 4', 'modelVersion: int64 = 5', 'docString: string = 6', 'graph: GraphProto = 7', 'opsetImport: OperatorSetIdProto[] = 8'),
        },
        GraphProto: {
          fields: protoFields('node: NodeProto[] = 1', 'name: string = 2', 'initializer: TensorProto[] = 5', 'docString: string = 10', 'input: ValueInfoProto[] = 11', 'output: ValueInfoProto[] = 12', 'valueInfo: ValueInfoProto[] = 13'),
        },
        TensorProto: {
          fields: protoFields('dims: int64[] = 1', 'dataType: int32 = 2', 'floatData: float[] = 4', 'int32Data: int32[] = 5', 'int64Data: int64[] = 7', 'name: string = 8', 'rawData: bytes = 9', 'docString: string = 12'),
          nested: {
            DataType: {
              values: protoEnumValues('UNDEFINED', 'FLOAT', 'UINT8', 'INT8', 'UINT16', 'INT16', 'INT32', 'INT64', 'STRING', 'BOOL', 'FLOAT16', 'DOUBLE'),
            },
          },
        },
        TensorShapeProto: {
          fields: protoFields('dim: Dimension[] = 1'),
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
              fields: protoFields('dimValue: int64 = 1', 'dimParam: string = 2', 'denotation: string = 3'),
            },
          },
        },
        TypeProto: {
          oneofs: { value: { oneof: ['tensorType'] } },
          fields: protoFields('tensorType: Tensor = 1', 'denotation: string = 6'),
          nested: {
            Tensor: {
              fields: protoFields('elemType: int32 = 1', 'shape: TensorShapeProto = 2'),
            },
          },
        },
        OperatorSetIdProto: {
          fields: protoFields('domain: string = 1', 'version: int64 = 2'),
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(onnxSchema);

/** protobufjs's ModelProto over the same schema: what core/onnx/proto.ts's writer is checked against. */
export const ReferenceModelProto = root.lookupType('onnx.ModelProto');

