/**
 * Planning, step 0: the editor's node modes (ComfyUI's bypass and mute) turned into the graph that runs.
 * - A muted node does not run; nodes that need one of its outputs (a required input wired only to muted or
 *   left-out nodes) are left out too, and nothing upstream runs for its sake.
 * - A bypassed node does not run either: each wire from one of its outputs is taken by the source wired to its
 *   first input of a compatible type (its input "passes through"); an output with no such input goes dark.
 * The run keeps the original workflow; only the plan sees this one.
 */
import { inputSocketsOf } from '../../protocol/param-inputs';
import { socketsCompatible } from '../../protocol/schema';
import type { WorkflowEdge, WorkflowFile } from '../../protocol/workflow';
import type { NodeRegistry } from './types';

/** The workflow without muted and bypassed nodes, bypasses rewired, and the nodes left without a required input dropped. */
export function applyNodeModes(wf: WorkflowFile, registry: NodeRegistry): WorkflowFile {
  if (!wf.nodes.some((n) => n.mode === 'mute' || n.mode === 'bypass')) return wf;
  const byId = new Map(wf.nodes.map((n) => [n.id, n]));
  const outputType = (node: string, socket: string) =>
    registry.get(byId.get(node)?.type ?? '')?.schema.outputs.find((s) => s.name === socket)?.type;
  // Where a wire leaving a bypassed node really comes from (following chains of bypassed nodes).
  const passThrough = (edge: WorkflowEdge, seen = new Set<string>()): WorkflowEdge['from'] | undefined => {
    const node = byId.get(edge.from.node);
    if (node?.mode !== 'bypass') return edge.from;
    if (seen.has(node.id)) return undefined;
    seen.add(node.id);
    const type = outputType(node.id, edge.from.socket);
    const inputs = registry.get(node.type)?.schema.inputs ?? [];
    for (const input of inputs) {
      if (type === undefined || !socketsCompatible(input.type, type)) continue;
      const feeding = wf.edges.find((e) => e.to.node === node.id && e.to.socket === input.name);
      if (feeding) return passThrough(feeding, seen);
    }
    return undefined;
  };
  let edges: WorkflowEdge[] = [];
  for (const e of wf.edges) {
    if (byId.get(e.to.node)?.mode) continue; // into a muted or bypassed node: it does not run
    const from = passThrough(e);
    if (from && byId.get(from.node)?.mode !== 'mute') edges.push(from === e.from ? e : { ...e, from });
  }
  // Nodes left without a required input do not run either; that may strand the next ones.
  const dropped = new Set(wf.nodes.filter((n) => n.mode === 'mute' || n.mode === 'bypass').map((n) => n.id));
  for (let changed = true; changed;) {
    changed = false;
    for (const n of wf.nodes) {
      if (dropped.has(n.id)) continue;
      const schema = registry.get(n.type)?.schema;
      const required = (schema ? inputSocketsOf(schema, n) : []).filter((i) => !i.optional);
      const hadWire = (socket: string) => wf.edges.some((e) => e.to.node === n.id && e.to.socket === socket);
      const hasWire = (socket: string) => edges.some((e) => e.to.node === n.id && e.to.socket === socket);
      if (required.some((i) => hadWire(i.name) && !hasWire(i.name))) {
        dropped.add(n.id);
        changed = true;
      }
    }
    edges = edges.filter((e) => !dropped.has(e.from.node) && !dropped.has(e.to.node));
  }
  return { ...wf, nodes: wf.nodes.filter((n) => !dropped.has(n.id)), edges };
}

/**
 * Why the run targets cannot run, or undefined when they can: a muted or bypassed target never runs, so a run of
 * it would "succeed" having done nothing while the editor waits for its upstream nodes.
 */
export function inactiveTargetsError(wf: WorkflowFile, targets: readonly string[]): string | undefined {
  const byId = new Map(wf.nodes.map((n) => [n.id, n]));
  const reasons = targets.flatMap((id) => {
    const mode = byId.get(id)?.mode;
    if (mode === 'mute') return [`${id} is muted: unmute it to run it`];
    if (mode === 'bypass') return [`${id} is bypassed: un-bypass it to run it`];
    return [];
  });
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}
