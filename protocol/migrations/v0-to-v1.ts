/**
 * v0 (pre-release files) -> v1.
 *
 * v0 stored parameters positionally, node positions as tuples and edges as tuples:
 *   { "version": 0, "nodes": [{ "id": "a", "type": "Number", "paramNames": ["value"], "params": [3], "pos": [10, 20] }],
 *     "links": [["a", "value", "b", "x"]] }
 * v1 stores parameters by name, positions as {x, y}, edges as objects with ids, and adds groups and notes.
 */
import { isRecord, type Migration, type RawWorkflow } from './types';

function migrateNode(node: unknown): unknown {
  if (!isRecord(node)) return node;
  const { params, paramNames, pos, ...rest } = node;
  const out: Record<string, unknown> = { ...rest };
  if (Array.isArray(params)) {
    const names = Array.isArray(paramNames) ? paramNames : [];
    const byName = Object.create(null) as Record<string, unknown>; // parameter names come from the file
    params.forEach((value, i) => {
      const name = names[i];
      // A value without a name cannot be placed; keep it visible rather than drop it silently.
      byName[typeof name === 'string' ? name : `param${i}`] = value;
    });
    out.params = byName;
  } else {
    out.params = params ?? {};
  }
  if (Array.isArray(pos)) out.position = { x: Number(pos[0]) || 0, y: Number(pos[1]) || 0 };
  else if (out.position === undefined) out.position = { x: 0, y: 0 };
  return out;
}

function migrateLink(link: unknown, i: number): unknown {
  if (!Array.isArray(link)) return link;
  const [fromNode, fromSocket, toNode, toSocket] = link;
  return { id: `e${i}`, from: { node: fromNode, socket: fromSocket }, to: { node: toNode, socket: toSocket } };
}

export const v0ToV1: Migration = {
  from: 0,
  description: 'parameters by name, edges as objects, groups and notes',
  up(raw: RawWorkflow): RawWorkflow {
    const { version: _version, links, nodes, ...rest } = raw;
    return {
      format: 'loraflow.workflow',
      ...rest,
      formatVersion: 1,
      nodes: Array.isArray(nodes) ? nodes.map(migrateNode) : nodes,
      edges: Array.isArray(links) ? links.map(migrateLink) : (raw.edges ?? []),
      groups: raw.groups ?? [],
      notes: raw.notes ?? [],
    };
  },
};
