/**
 * What is wired into a node: the node whose output feeds one of its inputs (past reroutes) and that node's
 * parameters. The editor shows parameters by it (`visibleWhen.input`, client/src/graph/upstream-params.ts), and
 * validation and the editor narrow options by it (`optionsWhen`: Sample's samplers by LoadModel's family).
 */
import type { NodeSchema, ParamSpec, ParamValue } from './schema';
import { convertedParamNames } from './param-inputs';
import type { WorkflowEdge, WorkflowFile, WorkflowNode } from './workflow';

/** The node type drawn as a dot on a wire (nodes/primitives/reroute.ts): it passes its value on unchanged. */
export const REROUTE_TYPE = 'Reroute';

/** Hops through reroutes before giving up (a loop of reroutes is refused elsewhere; this only must end). */
const MAX_HOPS = 32;

/** The edge into `node`.`socket`; validation passes an index, the editor looks it up (one node at a time). */
export type EdgeInto = (node: string, socket: string) => WorkflowEdge | undefined;

/** An EdgeInto over a map built once, for checking a whole workflow. */
export function edgeIndex(doc: WorkflowFile): EdgeInto {
  const byTarget = new Map<string, WorkflowEdge>();
  for (const e of doc.edges) {
    const key = `${e.to.node}\u0000${e.to.socket}`;
    if (!byTarget.has(key)) byTarget.set(key, e);
  }
  return (node, socket) => byTarget.get(`${node}\u0000${socket}`);
}

/** The node whose output feeds `socket` of `nodeId`, past any reroutes. */
export function sourceNode(
  doc: WorkflowFile,
  nodeId: string,
  socket: string,
  edgeInto: EdgeInto = (node, s) => doc.edges.find((e) => e.to.node === node && e.to.socket === s),
  nodeById: (id: string) => WorkflowNode | undefined = (id) => doc.nodes.find((n) => n.id === id),
): WorkflowNode | undefined {
  let to = { node: nodeId, socket };
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const edge = edgeInto(to.node, to.socket);
    const from = edge && nodeById(edge.from.node);
    if (!from || from.type !== REROUTE_TYPE) return from;
    to = { node: from.id, socket: 'in' };
  }
  return undefined;
}

/**
 * The value of `param` on `source` (its default when left out of the file), or undefined when it cannot tell: no
 * source, a type without that parameter, or the parameter wired in itself.
 */
export function sourceParam(
  source: WorkflowNode | undefined,
  param: string,
  schemas: ReadonlyMap<string, NodeSchema>,
): ParamValue | undefined {
  const spec = source && schemas.get(source.type)?.params.find((s) => s.name === param);
  if (!spec || convertedParamNames(source).includes(param)) return undefined;
  return source.params[param] ?? spec.default;
}

/** The options of an `optionsWhen` parameter given its source's value; undefined: every option applies. */
export function optionsFor(spec: ParamSpec, sourceValue: ParamValue | undefined): string[] | undefined {
  if (!spec.optionsWhen || sourceValue === undefined || sourceValue === null) return undefined;
  const options = spec.optionsWhen.options;
  const key = String(sourceValue);
  return Object.prototype.hasOwnProperty.call(options, key) ? options[key] : undefined;
}
