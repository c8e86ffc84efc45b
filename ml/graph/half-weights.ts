/**
 * Frozen weights stored as float16 and widened to float32 at each use. A graph holds such a weight as a float16
 * initializer followed by one marked Cast (halfWeight); the graph builders, autodiff rules and recompute see an
 * ordinary float32 tensor. Serialization then gives every node that reads it its own Cast, behind a zero computed
 * from that node's own activation input (`Reshape(W16, shape + Cast(Greater(a0, a0)))`, a0 the activation's first
 * value): onnxruntime can neither fold the Cast into a float32 initializer (it would, for a Cast fed by an
 * initializer alone, and then hold the weights in both dtypes) nor run it early, nor merge the forward's copy with the
 * backward's, so each float32 copy lives from just before its node to just after it. `Greater(a, a)` is false even
 * for NaN (`a * 0` is not).
 *
 * The nodes between the Cast and the first node with an activation input (a Reshape of a 1x1 conv weight, the
 * Transpose and Slice of a flipped conv kernel) are re-emitted per use behind the same gate.
 */
import type { GraphBuilder } from './builder';
import type { GraphNode, Tensor } from './tensor';
import { ONNX_DTYPE } from './types';

/** The name stem of the Cast that widens a float16 frozen weight (the serializer expands it per use). */
export const HALF_WEIGHT_CAST = 'half_weight_cast';

/** A float16 frozen weight `name` read by `load` (half bits) when serialized, as a float32 tensor of the graph. */
export function halfWeight(g: GraphBuilder, name: string, shape: readonly number[], load: () => Uint16Array): Tensor {
  const w16 = g.lazyInitializer(name, [...shape], 'float16', load);
  return g.op1('Cast', [w16], { to: ONNX_DTYPE.float32 }, { name: HALF_WEIGHT_CAST });
}

/** Whether `node` is a halfWeight Cast. */
export const isHalfWeightCast = (node: GraphNode): boolean =>
  node.op === 'Cast' &&
  node.inputs[0]?.origin === 'initializer' &&
  node.inputs[0].dtype === 'float16' &&
  /(^|\/)half_weight_cast_\d+$/.test(node.name);

/** An extra node the serializer writes: op, input and output names, int attributes. */
export interface PlainNode {
  readonly op: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly ints?: Record<string, number>;
  /** A Constant node's int64 value. */
  readonly value?: readonly number[];
}

/** What a graph's node list becomes: each entry a node as built (with input renames) or a written one. */
export type ExpandedNode =
  | {
      readonly kind: 'node';
      readonly node: GraphNode;
      readonly rename?: ReadonlyMap<Tensor, string>;
      readonly suffix?: string;
    }
  | { readonly kind: 'plain'; readonly node: PlainNode };

/**
 * The live nodes of one graph with every halfWeight Cast expanded per use (see the file comment). `keep` are tensors
 * something outside this node list reads (graph outputs, subgraphs): their producers stay as built. `graphName` keeps
 * the written constants' names apart from another graph's.
 */
export function expandHalfWeights(
  nodes: readonly GraphNode[],
  keep: ReadonlySet<Tensor>,
  graphName = '',
): ExpandedNode[] {
  // Tensors computed from a halfWeight Cast through nodes with no activation input ("derived"), and which are constant.
  const derived = new Set<Tensor>();
  const constant = (t: Tensor | undefined): boolean =>
    !t || t.origin === 'initializer' || t.origin === 'constant' || derived.has(t);
  const chain = new Set<GraphNode>();
  for (const n of nodes) {
    const fromHalf = isHalfWeightCast(n) || (n.inputs.some((t) => t && derived.has(t)) && n.inputs.every(constant));
    if (fromHalf && !n.outputs.some((t) => keep.has(t))) {
      chain.add(n);
      for (const t of n.outputs) derived.add(t);
    }
  }
  if (!chain.size) return nodes.map((node) => ({ kind: 'node', node }));

  const out: ExpandedNode[] = [];
  const consts = new Map<string, string>();
  const constant64 = (values: readonly number[]): string => {
    const key = values.join(',');
    let name = consts.get(key);
    if (!name) {
      name = `${graphName}/half_weight/const_${consts.size}`; // names are global across subgraphs
      consts.set(key, name);
      out.push({ kind: 'plain', node: { op: 'Constant', name, inputs: [], outputs: [name], value: values } });
    }
    return name;
  };
  const gates = new Map<Tensor, string>();
  /** A [1] int64 zero computed from the first value of `a`. */
  const gateOf = (a: Tensor): string => {
    let zero = gates.get(a);
    if (zero) return zero;
    const base = `${a.name}/half_gate`;
    const flat = `${base}/flat`,
      first = `${base}/first`,
      never = `${base}/never`;
    zero = `${base}/zero`;
    const plain = (node: PlainNode): void => void out.push({ kind: 'plain', node });
    plain({ op: 'Reshape', name: flat, inputs: [a.name, constant64([-1])], outputs: [flat] });
    plain({ op: 'Slice', name: first, inputs: [flat, constant64([0]), constant64([1])], outputs: [first] });
    plain({ op: 'Greater', name: never, inputs: [first, first], outputs: [never] });
    plain({ op: 'Cast', name: zero, inputs: [never], outputs: [zero], ints: { to: ONNX_DTYPE.int64 } });
    gates.set(a, zero);
    return zero;
  };
  /** Emits the copy of derived tensor `t` for one use (behind `zero`) and returns its name. */
  const emit = (t: Tensor, zero: string, suffix: string, done: Map<Tensor, string>): string => {
    const hit = done.get(t);
    if (hit) return hit;
    const p = t.producer!;
    let name: string;
    if (isHalfWeightCast(p)) {
      const w16 = p.inputs[0]!;
      const shape = `${t.name}${suffix}/shape`,
        view = `${t.name}${suffix}/view`;
      name = `${t.name}${suffix}`;
      const plain = (node: PlainNode): void => void out.push({ kind: 'plain', node });
      plain({ op: 'Add', name: shape, inputs: [constant64(w16.shape), zero], outputs: [shape] });
      plain({ op: 'Reshape', name: view, inputs: [w16.name, shape], outputs: [view] });
      plain({ op: 'Cast', name, inputs: [view], outputs: [name], ints: { to: ONNX_DTYPE.float32 } });
    } else {
      const rename = new Map<Tensor, string>();
      for (const x of p.inputs) if (x && derived.has(x)) rename.set(x, emit(x, zero, suffix, done));
      out.push({ kind: 'node', node: p, rename, suffix });
      name = `${t.name}${suffix}`;
    }
    done.set(t, name);
    for (const o of p.outputs) if (o !== t) done.set(o, `${o.name}${suffix}`);
    return name;
  };
  for (const n of nodes) {
    if (chain.has(n)) continue;
    const reads = n.inputs.filter((t): t is Tensor => !!t && derived.has(t));
    if (!reads.length) {
      out.push({ kind: 'node', node: n });
      continue;
    }
    // A node with no activation input reads the weight outside any step order: it gets a constant zero (foldable).
    const activation = n.inputs.find((t) => t && !constant(t));
    const zero = activation ? gateOf(activation) : constant64([0]);
    const suffix = `/use_${n.id}`;
    const done = new Map<Tensor, string>();
    const rename = new Map<Tensor, string>();
    for (const t of reads) rename.set(t, emit(t, zero, suffix, done));
    out.push({ kind: 'node', node: n, rename });
  }
  return out;
}
