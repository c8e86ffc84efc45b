/** Element types, shapes and attribute values shared by the graph builder, the op table and serialization. */

/** Tensor element types we build graphs with (names follow onnxruntime-node's tensor types). */
export type DType = 'float32' | 'float64' | 'float16' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool';

/** A static shape: every dimension is a known non-negative integer. */
export type Shape = readonly number[];

/** ONNX TensorProto.DataType codes. */
export const ONNX_DTYPE: Record<DType, number> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
};

/** Bytes per element of each dtype. */
export const DTYPE_BYTES: Record<DType, number> = {
  float32: 4,
  float64: 8,
  float16: 2,
  int64: 8,
  int32: 4,
  int8: 1,
  uint8: 1,
  bool: 1,
};

/** Typed array data accepted for initializers and constants. */
export type TensorData =
  Float32Array | Float64Array | Uint16Array | BigInt64Array | Int32Array | Int8Array | Uint8Array;

export const isFloat = (d: DType): boolean => d === 'float32' || d === 'float64' || d === 'float16';

/** Number of elements of a shape. */
export const numel = (s: Shape): number => s.reduce((a, b) => a * b, 1);

/** Attribute kinds of ONNX AttributeProto that we emit. */
export type AttrKind = 'int' | 'float' | 'string' | 'ints' | 'floats' | 'strings' | 'tensor' | 'graph';

/** An explicitly typed attribute value; plain numbers/arrays are typed through the op table. */
export interface TypedAttr {
  readonly kind: AttrKind;
  readonly value: unknown;
}

/** Attribute values as written by callers. Graph attributes hold a sub-GraphBuilder (typed as unknown here to avoid a cycle). */
export type AttrValue =
  number | string | readonly number[] | readonly string[] | TypedAttr | { readonly subgraph: unknown };
export type Attrs = Record<string, AttrValue | undefined>;

/** Explicit attribute typing for ops missing from the table: `attr.float(0.5)`. */
export const attr = {
  int: (v: number): TypedAttr => ({ kind: 'int', value: v }),
  float: (v: number): TypedAttr => ({ kind: 'float', value: v }),
  ints: (v: readonly number[]): TypedAttr => ({ kind: 'ints', value: v }),
  floats: (v: readonly number[]): TypedAttr => ({ kind: 'floats', value: v }),
  string: (v: string): TypedAttr => ({ kind: 'string', value: v }),
};

export const isTypedAttr = (v: unknown): v is TypedAttr =>
  typeof v === 'object' && v !== null && 'kind' in v && 'value' in v;

/** Shape formatting for error messages. */
export const fmtShape = (s: Shape): string => `[${s.join(',')}]`;
