// A minimal ONNX ModelProto reader for tests: the root graph's nodes (op, inputs, outputs) and initializers (name,
// dtype, dims), enough to check what onnxruntime's optimized model (optimizedModelFilePath) holds.

export interface ReadNode {
  op: string;
  name: string;
  inputs: string[];
  outputs: string[];
}

export interface ReadInitializer {
  name: string;
  /** ONNX data type (1 float32, 10 float16, 7 int64). */
  dtype: number;
  dims: number[];
}

type Field = { no: number; wire: number; int: bigint; bytes: Uint8Array };

function* fields(buf: Uint8Array): Generator<Field> {
  let at = 0;
  const varint = (): bigint => {
    let v = 0n,
      shift = 0n;
    for (;;) {
      const b = buf[at++]!;
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return v;
      shift += 7n;
    }
  };
  while (at < buf.length) {
    const key = Number(varint());
    const no = key >>> 3,
      wire = key & 7;
    if (wire === 0) yield { no, wire, int: varint(), bytes: new Uint8Array() };
    else if (wire === 2) {
      const n = Number(varint());
      yield { no, wire, int: 0n, bytes: buf.subarray(at, at + n) };
      at += n;
    } else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else throw new Error(`protobuf wire type ${wire} at ${at}`);
  }
}

const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

/** The root graph of an ONNX model file's bytes. */
export function readOnnxGraph(model: Uint8Array): { nodes: ReadNode[]; initializers: ReadInitializer[] } {
  const nodes: ReadNode[] = [],
    initializers: ReadInitializer[] = [];
  for (const f of fields(model)) {
    if (f.no !== 7) continue;
    for (const g of fields(f.bytes)) {
      if (g.no === 1) {
        const n: ReadNode = { op: '', name: '', inputs: [], outputs: [] };
        for (const x of fields(g.bytes)) {
          if (x.no === 1) n.inputs.push(text(x.bytes));
          else if (x.no === 2) n.outputs.push(text(x.bytes));
          else if (x.no === 3) n.name = text(x.bytes);
          else if (x.no === 4) n.op = text(x.bytes);
        }
        nodes.push(n);
      } else if (g.no === 5) {
        const t: ReadInitializer = { name: '', dtype: 0, dims: [] };
        for (const x of fields(g.bytes)) {
          if (x.no === 1 && x.wire === 0) t.dims.push(Number(x.int));
          else if (x.no === 2) t.dtype = Number(x.int);
          else if (x.no === 8) t.name = text(x.bytes);
        }
        initializers.push(t);
      }
    }
  }
  return { nodes, initializers };
}
