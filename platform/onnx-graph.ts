// An ONNX graph written from code: nodes, constant tensors, and the ModelProto bytes
// ONNX Runtime loads (`InferenceSession.create(bytes)`). Only what the image classifier's
// translation needs (platform/classifier-model.ts): float inputs and outputs, float and
// int64 constants, int/ints/float/string attributes.
import protobuf from 'protobufjs';

// The part of onnx.proto (github.com/onnx/onnx, onnx/onnx.proto) written here, with its
// field numbers; proto2, as the original.
const ONNX_PROTO = `
syntax = "proto2";
package onnx;
message AttributeProto {
  enum AttributeType { UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; FLOATS = 6; INTS = 7; }
  optional string name = 1;
  optional float f = 2;
  optional int64 i = 3;
  optional bytes s = 4;
  repeated float floats = 7;
  repeated int64 ints = 8;
  optional AttributeType type = 20;
}
message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  repeated AttributeProto attribute = 5;
}
message TensorProto {
  repeated int64 dims = 1;
  optional int32 data_type = 2;
  optional string name = 8;
  optional bytes raw_data = 9;
}
message TensorShapeProto {
  message Dimension { optional int64 dim_value = 1; optional string dim_param = 2; }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor { optional int32 elem_type = 1; optional TensorShapeProto shape = 2; }
  optional Tensor tensor_type = 1;
}
message ValueInfoProto { optional string name = 1; optional TypeProto type = 2; }
message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
}
message OperatorSetIdProto { optional string domain = 1; optional int64 version = 2; }
message ModelProto {
  optional int64 ir_version = 1;
  optional string producer_name = 2;
  optional GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8;
}
`;
/** TensorProto.DataType */
const FLOAT = 1;
const INT64 = 7;
/** ONNX IR version 8 with operator set 13: both long supported by ONNX Runtime. */
const IR_VERSION = 8;
const OPSET = 13;

export interface Attribute {
  name: string;
  type: 'INT' | 'INTS' | 'FLOAT' | 'STRING';
  i?: number;
  ints?: number[];
  f?: number;
  s?: Uint8Array;
}
export const ints = (name: string, values: number[]): Attribute => ({ name, type: 'INTS', ints: values });
export const int = (name: string, value: number): Attribute => ({ name, type: 'INT', i: value });
export const float = (name: string, value: number): Attribute => ({ name, type: 'FLOAT', f: value });
export const text = (name: string, value: string): Attribute => ({
  name,
  type: 'STRING',
  s: Buffer.from(value),
});

interface Node {
  op_type: string;
  name: string;
  input: string[];
  output: string[];
  attribute: Attribute[];
}
interface Initializer {
  name: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
}
/** A dimension: its size, or a name for one given at run time (the batch). */
export type Dimension = number | string;

export class OnnxGraph {
  private readonly nodes: Node[] = [];
  private readonly initializers: Initializer[] = [];

  /** A constant tensor, named; returns its name. */
  constant(name: string, dims: number[], values: Float32Array | BigInt64Array): string {
    this.initializers.push({
      name,
      dims,
      data_type: values instanceof BigInt64Array ? INT64 : FLOAT,
      raw_data: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
    });
    return name;
  }

  /** An operator; returns the name of its one output, `<name>:<op>`. */
  node(op: string, name: string, input: string[], attribute: Attribute[] = []): string {
    return this.nodeWithOutput(op, `${name}:${op}`, input, attribute);
  }

  /** An operator whose output has the given name (a graph output). */
  nodeWithOutput(op: string, output: string, input: string[], attribute: Attribute[] = []): string {
    this.nodes.push({ op_type: op, name: output, input, output: [output], attribute });
    return output;
  }

  /** The model as ONNX bytes, with one float input and one float output. */
  encode(
    name: string,
    input: { name: string; dims: Dimension[] },
    output: { name: string; dims: Dimension[] },
  ): Uint8Array {
    const ModelProto = protobuf.parse(ONNX_PROTO, { keepCase: true }).root.lookupType('onnx.ModelProto');
    const value = ({ name, dims }: { name: string; dims: Dimension[] }) => ({
      name,
      type: {
        tensor_type: {
          elem_type: FLOAT,
          shape: { dim: dims.map((d) => (typeof d === 'string' ? { dim_param: d } : { dim_value: d })) },
        },
      },
    });
    const message = ModelProto.fromObject({
      ir_version: IR_VERSION,
      producer_name: 'clipwise',
      opset_import: [{ domain: '', version: OPSET }],
      graph: {
        name,
        node: this.nodes,
        initializer: this.initializers,
        input: [value(input)],
        output: [value(output)],
      },
    });
    return ModelProto.encode(message).finish();
  }
}
