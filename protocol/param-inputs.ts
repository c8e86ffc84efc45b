/**
 * Parameters converted to inputs (ComfyUI's "convert widget to input"). A node lists them in `paramInputs`; each gets
 * an input socket named `param:<name>`, so it can never clash with a real input, and an older loraflow keeps the
 * field untouched (unknown fields survive a save). The wired value replaces the typed one when the node runs, and
 * gets the same checks (server/engine/wired-params.ts).
 */
import type { NodeSchema, ParamSpec, SocketSpec, SocketType } from './schema';
import type { WorkflowNode } from './workflow';

const PREFIX = 'param:';

/** The input socket of a converted parameter. */
export function paramSocketName(param: string): string {
  return PREFIX + param;
}

/** The parameter an input socket stands for, or undefined for an ordinary input. */
export function paramOfSocket(socket: string): string | undefined {
  return socket.startsWith(PREFIX) ? socket.slice(PREFIX.length) : undefined;
}

/** What a converted parameter's socket accepts; undefined for kinds that cannot be converted. */
export function paramSocketType(spec: ParamSpec): SocketType | undefined {
  switch (spec.kind) {
    case 'number':
    case 'int':
    case 'seed':
      return 'NUMBER';
    case 'string':
    case 'text':
    case 'path':
    case 'enum':
    case 'list': // a STRING wire becomes a one-item list
      return 'STRING';
    case 'boolean':
      return 'BOOLEAN';
  }
}

/** The names the node lists as converted (the raw field; entries the schema lacks are kept but unused). */
export function convertedParamNames(node: WorkflowNode): string[] {
  const raw = node.paramInputs;
  return Array.isArray(raw) ? raw.filter((p): p is string => typeof p === 'string') : [];
}

/** The parameters of the node that are inputs now, in schema order. */
export function convertedParams(schema: NodeSchema, node: WorkflowNode): ParamSpec[] {
  const names = convertedParamNames(node);
  if (names.length === 0) return [];
  return schema.params.filter((p) => names.includes(p.name) && paramSocketType(p) !== undefined);
}

/** The node's input sockets: the schema's, then one per converted parameter. */
export function inputSocketsOf(schema: NodeSchema, node: WorkflowNode): SocketSpec[] {
  const converted = convertedParams(schema, node);
  if (converted.length === 0) return schema.inputs;
  return [
    ...schema.inputs,
    ...converted.map((p) => ({
      name: paramSocketName(p.name),
      type: paramSocketType(p)!,
      tooltip: p.tooltip ?? `drives the parameter "${p.label ?? p.name}"`,
    })),
  ];
}
