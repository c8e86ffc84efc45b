/** Graph hygiene before serialization: keep only nodes that outputs depend on (dead-node elimination). */
import type { GraphCore } from './core';
import type { GraphNode, Tensor } from './tensor';

/** Subgraphs held by a node's graph attributes. */
export function subgraphsOf(node: GraphNode): GraphCore[] {
  const out: GraphCore[] = [];
  for (const a of Object.values(node.attrs)) {
    if (a && typeof a === 'object' && 'subgraph' in a) out.push(a.subgraph as GraphCore);
  }
  return out;
}

export interface Liveness {
  /** Live nodes of the graph, in build (topological) order. */
  readonly nodes: GraphNode[];
  /** Every value referenced by live nodes and outputs, including outer-scope values and initializers. */
  readonly used: Set<Tensor>;
}

/** Nodes of `g` that its outputs depend on, with values used by them and by live subgraphs. */
export function liveness(g: GraphCore, cache = new Map<GraphCore, Liveness>()): Liveness {
  const hit = cache.get(g);
  if (hit) return hit;
  const used = new Set<Tensor>(g.outputs);
  const live: GraphNode[] = [];
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const node = g.nodes[i]!;
    if (!node.outputs.some((t) => used.has(t))) continue;
    live.push(node);
    for (const t of node.inputs) if (t) used.add(t);
    for (const sub of subgraphsOf(node)) for (const t of liveness(sub, cache).used) used.add(t);
  }
  const res = { nodes: live.reverse(), used };
  cache.set(g, res);
  return res;
}
