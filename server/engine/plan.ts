/**
 * Planning, step 1 of a run: which nodes are needed for the targets, in which order, and where each input
 * comes from. Pure and synchronous; cache keys are step 2 (keys.ts), execution step 3 (executor.ts).
 */
import type { NodeDefinition } from '../../nodes/api';
import type { WorkflowFile, WorkflowNode } from '../../protocol/workflow';
import { inputSocketsOf } from '../../protocol/param-inputs';
import { applyNodeModes } from './node-modes';
import type { NodeRegistry } from './types';

export interface InputSource {
  /** Index of the source node in the plan. */
  from: number;
  socket: string;
}

export interface PlannedNode {
  id: string;
  node: WorkflowNode;
  /** Undefined for a node of an unknown type (it will fail, with its dependents). */
  def: NodeDefinition | undefined;
  /** For each input socket of the schema (and of each converted parameter), its sources in edge order. */
  inputs: { socket: string; list: boolean; sources: InputSource[] }[];
  /** Indices (in the plan) of the nodes this one reads from, without repeats. */
  deps: number[];
  dependents: number[];
}

export interface Plan {
  /** Needed nodes in topological order. */
  nodes: PlannedNode[];
  targets: Set<number>;
}

/** Plans the subgraph needed for `targets` (default: the whole graph of known types), in topological order. */
export function planRun(original: WorkflowFile, registry: NodeRegistry, targets?: readonly string[]): Plan {
  const ids = new Set(original.nodes.map((n) => n.id)); // a set: 10,000 targets × 10,000 nodes took seconds
  for (const id of targets ?? []) if (!ids.has(id)) throw new Error(`target node "${id}" is not in the workflow`);
  // Muted and bypassed nodes (and what only they fed) are not planned; the targets are chosen before they go, so
  // that muting a sink does not make what fed it a sink of its own.
  const wf = applyNodeModes(original, registry);
  const byId = new Map(wf.nodes.map((n) => [n.id, n]));
  const incoming = new Map<string, WorkflowFile['edges']>();
  for (const e of wf.edges) {
    const list = incoming.get(e.to.node);
    if (list) list.push(e);
    else incoming.set(e.to.node, [e]);
  }
  const wanted = (targets ? [...targets] : defaultTargets(original, registry)).filter((id) => byId.has(id));

  // Needed = targets and everything they read from, transitively.
  const needed = new Set<string>(wanted);
  const stack = [...wanted];
  while (stack.length > 0) {
    for (const e of incoming.get(stack.pop()!) ?? []) {
      if (!needed.has(e.from.node) && byId.has(e.from.node)) {
        needed.add(e.from.node);
        stack.push(e.from.node);
      }
    }
  }
  const order = topologicalOrder(wf, needed, incoming);
  const index = new Map(order.map((id, i) => [id, i]));
  const nodes: PlannedNode[] = order.map((id) => {
    const node = byId.get(id)!;
    const def = registry.get(node.type);
    const edges = incoming.get(id) ?? [];
    const inputs = (def ? inputSocketsOf(def.schema, node) : []).map((spec) => ({
      socket: spec.name,
      list: spec.list === true,
      sources: edges
        .filter((e) => e.to.socket === spec.name && index.has(e.from.node))
        .map((e) => ({ from: index.get(e.from.node)!, socket: e.from.socket })),
    }));
    const deps = [...new Set(edges.filter((e) => index.has(e.from.node)).map((e) => index.get(e.from.node)!))];
    return { id, node, def, inputs, deps, dependents: [] };
  });
  nodes.forEach((n, i) => n.deps.forEach((d) => nodes[d]!.dependents.push(i)));
  return { nodes, targets: new Set(wanted.map((id) => index.get(id)!)) };
}

/**
 * Every node of a known type is planned, as a target or as what a target reads from. Only the sinks (and nodes
 * whose schema says `output`) are targets, so a node whose every dependent is cached need not run again.
 */
function defaultTargets(wf: WorkflowFile, registry: NodeRegistry): string[] {
  const hasDependents = new Set(wf.edges.map((e) => e.from.node));
  return wf.nodes
    .filter((n) => {
      const def = registry.get(n.type);
      return def && (!hasDependents.has(n.id) || def.schema.output === true);
    })
    .map((n) => n.id);
}

/** Kahn's algorithm over the needed nodes, stable with respect to the file's node order. */
function topologicalOrder(
  wf: WorkflowFile,
  needed: Set<string>,
  incoming: Map<string, WorkflowFile['edges']>,
): string[] {
  const indegree = new Map<string, number>();
  const outgoing = new Map<string, string[]>();
  for (const id of needed) {
    const sources = new Set((incoming.get(id) ?? []).map((e) => e.from.node).filter((s) => needed.has(s)));
    indegree.set(id, sources.size);
    for (const s of sources) {
      const list = outgoing.get(s);
      if (list) list.push(id);
      else outgoing.set(s, [id]);
    }
  }
  const queue = wf.nodes.filter((n) => needed.has(n.id) && indegree.get(n.id) === 0).map((n) => n.id);
  for (let i = 0; i < queue.length; i++) {
    for (const next of outgoing.get(queue[i]!) ?? []) {
      const left = indegree.get(next)! - 1;
      indegree.set(next, left);
      if (left === 0) queue.push(next);
    }
  }
  if (queue.length !== needed.size) throw new Error('the workflow has a cycle; validate it before running');
  return queue;
}
