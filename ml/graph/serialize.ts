/**
 * Serialization of a built graph to ONNX ModelProto bytes, with large initializers as external data: in memory
 * (entries for the session options' `externalData`), or streamed into one file beside the model (`externalFile`).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import type { GraphCore } from './core';
import { expandHalfWeights, type ExpandedNode, type PlainNode } from './half-weights';
import { liveness, subgraphsOf, type Liveness } from './hygiene';
import { OPS } from './ops-table';
import { PbMessage } from './protobuf';
import type { GraphNode, Tensor } from './tensor';
import {
  DTYPE_BYTES,
  fmtShape,
  isTypedAttr,
  numel,
  ONNX_DTYPE,
  type AttrKind,
  type AttrValue,
  type TensorData,
} from './types';

export interface SerializeOptions {
  /** Initializers with at least this many bytes go to external data (default 1 MiB). */
  externalThreshold?: number;
  /**
   * Write the external data into this file (created or truncated; the model then names it by its base name, so it
   * must sit in the model file's folder), each tensor at a page-aligned offset, instead of returning it in memory.
   * Lazy initializers are loaded, written and let go one at a time, so a model's weights never all sit in JS memory.
   */
  externalFile?: string;
}

/** Page alignment of tensors in an external data file (lets onnxruntime map them from the file). */
const FILE_ALIGN = 4096;

export interface SerializedModel {
  /** The ModelProto bytes for `InferenceSession.create`. */
  readonly model: Uint8Array;
  /** In-memory external data entries for the session options' `externalData` (empty with `externalFile`). */
  readonly externalData: { path: string; data: Uint8Array }[];
  /** Bytes written to `externalFile` (0 without it). */
  readonly externalFileBytes: number;
}

const ATTR_TYPE: Record<AttrKind, number> = {
  float: 1,
  int: 2,
  string: 3,
  tensor: 4,
  graph: 5,
  floats: 6,
  ints: 7,
  strings: 8,
};

/** Serializes the graph rooted at `g` (dead nodes and unused initializers are left out). */
export function serializeModel(g: GraphCore, opts: SerializeOptions = {}): SerializedModel {
  const threshold = opts.externalThreshold ?? 1 << 20;
  const cache = new Map<GraphCore, Liveness>();
  const live = liveness(g, cache);
  const domains = new Set<string>();
  const externalData: { path: string; data: Uint8Array }[] = [];
  const graph = graphProto(g, cache, domains);
  const file = opts.externalFile
    ? { fd: openSync(opts.externalFile, 'w'), name: path.basename(opts.externalFile) }
    : undefined;
  let fileBytes = 0;
  const entry = (k: string, v: string): PbMessage => new PbMessage().string(1, k).string(2, v);
  const add = (t: Tensor, data: TensorData): void => {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const tp = new PbMessage();
    for (const d of t.shape) tp.int(1, d);
    tp.int(2, ONNX_DTYPE[t.dtype]).string(8, t.name);
    if (bytes.byteLength >= threshold) {
      let location: string, offset: number;
      if (file) {
        offset = Math.ceil(fileBytes / FILE_ALIGN) * FILE_ALIGN;
        for (let at = 0; at < bytes.byteLength;)
          at += writeSync(file.fd, bytes, at, bytes.byteLength - at, offset + at);
        fileBytes = offset + bytes.byteLength;
        location = file.name;
      } else {
        location = `ext_${externalData.length}.bin`;
        offset = 0;
        externalData.push({ path: location, data: bytes });
      }
      tp.message(13, entry('location', location))
        .message(13, entry('offset', String(offset)))
        .message(13, entry('length', String(bytes.byteLength)));
      tp.int(14, 1);
    } else {
      tp.bytes(9, bytes);
    }
    graph.message(5, tp);
  };
  try {
    for (const [t, data] of g.initializers) if (live.used.has(t)) add(t, data);
    for (const [t, load] of g.lazyInitializers) if (live.used.has(t)) add(t, checked(t, load()));
  } finally {
    if (file) closeSync(file.fd);
  }
  const model = new PbMessage()
    .int(1, g.opset >= 23 ? 11 : 10)
    .string(2, 'loraflow')
    .string(3, '0.1');
  model.message(8, new PbMessage().string(1, '').int(2, g.opset));
  for (const d of domains) if (d !== '') model.message(8, new PbMessage().string(1, d).int(2, 1));
  model.message(7, graph);
  return { model: model.finish(), externalData, externalFileBytes: fileBytes };
}

/** A lazy initializer's data, checked against the dtype and shape it was declared with. */
function checked(t: Tensor, data: TensorData): TensorData {
  const want = numel(t.shape);
  if (data.length !== want || data.BYTES_PER_ELEMENT !== DTYPE_BYTES[t.dtype])
    throw new Error(
      `initializer '${t.name}': loaded ${data.length} values of ${data.BYTES_PER_ELEMENT} bytes, ` +
        `declared ${t.dtype} ${fmtShape(t.shape)}`,
    );
  return data;
}

function valueInfo(t: Tensor): PbMessage {
  const shape = new PbMessage();
  for (const d of t.shape) shape.message(1, new PbMessage().int(1, d));
  const tensorType = new PbMessage().int(1, ONNX_DTYPE[t.dtype]).message(2, shape);
  return new PbMessage().string(1, t.name).message(2, new PbMessage().message(1, tensorType));
}

function graphProto(g: GraphCore, cache: Map<GraphCore, Liveness>, domains: Set<string>): PbMessage {
  const m = new PbMessage();
  const nodes = liveness(g, cache).nodes;
  // What is read outside this node list (graph outputs, subgraphs) keeps its producers as built.
  const keep = new Set<Tensor>(g.outputs);
  for (const n of nodes) for (const sub of subgraphsOf(n)) for (const t of liveness(sub, cache).used) keep.add(t);
  for (const e of expandHalfWeights(nodes, keep, g.graphName)) m.message(1, expandedProto(e, cache, domains));
  m.string(2, g.graphName);
  for (const t of g.inputs) m.message(11, valueInfo(t));
  for (const t of g.outputs) m.message(12, valueInfo(t));
  return m;
}

function expandedProto(e: ExpandedNode, cache: Map<GraphCore, Liveness>, domains: Set<string>): PbMessage {
  return e.kind === 'plain' ? plainProto(e.node) : nodeProto(e.node, cache, domains, e.rename, e.suffix);
}

/** A node written by the serializer itself (half-weight gates): standard domain, int attributes. */
function plainProto(p: PlainNode): PbMessage {
  const m = new PbMessage();
  for (const i of p.inputs) m.string(1, i);
  for (const o of p.outputs) m.string(2, o);
  m.string(3, p.name).string(4, p.op);
  for (const [name, v] of Object.entries(p.ints ?? {}))
    m.message(5, new PbMessage().string(1, name).int(20, 2).int(3, v));
  if (p.value) {
    const data = BigInt64Array.from(p.value, (v) => BigInt(v));
    const t = tensorProto({ data, dims: [p.value.length], dtype: 'int64' });
    m.message(5, new PbMessage().string(1, 'value').int(20, ATTR_TYPE.tensor).message(5, t));
  }
  return m;
}

/** A built node; `rename` replaces input names, `suffix` is appended to its name and output names (a per-use copy). */
function nodeProto(
  node: GraphNode,
  cache: Map<GraphCore, Liveness>,
  domains: Set<string>,
  rename?: ReadonlyMap<Tensor, string>,
  suffix = '',
): PbMessage {
  domains.add(node.domain);
  const m = new PbMessage();
  let n = node.inputs.length;
  while (n > 0 && !node.inputs[n - 1]) n--;
  for (let i = 0; i < n; i++) {
    const t = node.inputs[i];
    m.string(1, t ? (rename?.get(t) ?? t.name) : '');
  }
  for (const t of node.outputs) m.string(2, t.name + suffix);
  m.string(3, node.name + suffix).string(4, node.op);
  for (const [name, value] of Object.entries(node.attrs)) {
    if (value !== undefined) m.message(5, attrProto(node, name, value, cache, domains));
  }
  if (node.domain) m.string(7, node.domain);
  return m;
}

function attrKind(node: GraphNode, name: string, v: AttrValue): AttrKind {
  if (isTypedAttr(v)) return v.kind;
  if (typeof v === 'object' && 'subgraph' in v) return 'graph';
  const fromTable = OPS[node.op]?.attrs?.[name];
  if (fromTable) return fromTable;
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (v.length && typeof v[0] === 'string') return 'strings';
  return (v as readonly number[]).every(Number.isInteger) ? 'ints' : 'floats';
}

function attrProto(
  node: GraphNode,
  name: string,
  v: AttrValue,
  cache: Map<GraphCore, Liveness>,
  domains: Set<string>,
): PbMessage {
  const kind = attrKind(node, name, v);
  const raw = isTypedAttr(v) ? v.value : v;
  const m = new PbMessage().string(1, name).int(20, ATTR_TYPE[kind]);
  switch (kind) {
    case 'int':
      return m.int(3, raw as number);
    case 'float':
      return m.float(2, raw as number);
    case 'string':
      return m.string(4, raw as string);
    case 'ints':
      return m.packedInts(8, raw as number[]);
    case 'floats':
      return m.packedFloats(7, raw as number[]);
    case 'strings':
      for (const s of raw as string[]) m.string(9, s);
      return m;
    case 'graph':
      return m.message(6, graphProto((raw as { subgraph: GraphCore }).subgraph, cache, domains));
    case 'tensor':
      return m.message(5, tensorProto(raw as { data: TensorData; dims: number[]; dtype: keyof typeof ONNX_DTYPE }));
  }
}

function tensorProto(t: { data: TensorData; dims: number[]; dtype: keyof typeof ONNX_DTYPE }): PbMessage {
  const m = new PbMessage();
  for (const d of t.dims) m.int(1, d);
  m.int(2, ONNX_DTYPE[t.dtype]);
  return m.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.length * DTYPE_BYTES[t.dtype]));
}
