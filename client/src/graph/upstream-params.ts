/**
 * Parameters shown by what is wired into a node (`visibleWhen.input`): TrainLoRA's SD-only settings appear only
 * when its MODEL comes from a LoadModel set to SD 1.5 or SDXL. Wires are followed back through reroutes; where the
 * source cannot tell (nothing wired, a node without that parameter), the parameter shows.
 */
import type { NodeSchema, ParamSpec, ParamValue } from '../../../protocol/schema';
import type { WorkflowFile, WorkflowNode } from '../../../protocol/workflow';
import { REROUTE_TYPE } from './mapping';

/** Hops through reroutes before giving up (a loop of reroutes is refused elsewhere; this only must end). */
const MAX_HOPS = 32;

/** The node whose output feeds `socket` of `nodeId`, past any reroutes. */
function sourceOf(doc: WorkflowFile, nodeId: string, socket: string): WorkflowNode | undefined {
  let to = { node: nodeId, socket };
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const edge = doc.edges.find((e) => e.to.node === to.node && e.to.socket === to.socket);
    const from = edge && doc.nodes.find((n) => n.id === edge.from.node);
    if (!from || from.type !== REROUTE_TYPE) return from;
    to = { node: from.id, socket: 'in' };
  }
  return undefined;
}

/**
 * The values the input-conditioned parameters of a node depend on, keyed `input.param` (undefined: cannot tell),
 * as one string so that a selector re-renders the node only when one of them changes.
 */
export function upstreamKey(
  doc: WorkflowFile,
  nodeId: string,
  schema: NodeSchema,
  schemas: ReadonlyMap<string, NodeSchema>,
): string {
  const values: Record<string, ParamValue | undefined> = {};
  for (const p of schema.params) {
    const when = p.visibleWhen;
    if (!when?.input) continue;
    const source = sourceOf(doc, nodeId, when.input);
    const spec = source && schemas.get(source.type)?.params.find((s) => s.name === when.param);
    values[`${when.input}.${when.param}`] = spec ? (source.params[when.param] ?? spec.default) : undefined;
  }
  return JSON.stringify(values);
}

/** Whether a parameter conditioned on an input shows, given `upstreamKey`'s values (others: always true). */
export function shownByUpstream(spec: ParamSpec, upstream: Readonly<Record<string, ParamValue | undefined>>): boolean {
  const when = spec.visibleWhen;
  if (!when?.input) return true;
  const value = upstream[`${when.input}.${when.param}`];
  return value === undefined || when.equals.some((v) => v === value);
}
