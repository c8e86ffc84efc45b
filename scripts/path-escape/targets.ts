/**
 * The parameters the path-escape checks attack: every path-like parameter of every node schema (protocol/schema.ts
 * `pathLikeParams`), each with a one-node workflow that puts a trick into it. Required inputs are fed by source
 * nodes with default parameters; the engine refuses the target before anything runs, so they never matter.
 */
import { pathLikeParams, type NodeSchema, type ParamSpec, type ParamValue } from '../../protocol/schema';
import type { NodeError } from '../../protocol/messages';
import type { WorkflowFile, WorkflowNode } from '../../protocol/workflow';
import { emptyWorkflow } from '../../protocol/workflow-io';
import type { Trick } from './sandbox';

export interface Target {
  type: string;
  param: ParamSpec;
}

/** Every path-like parameter of every schema, in schema order. */
export function pathTargets(schemas: readonly NodeSchema[]): Target[] {
  return schemas.flatMap((schema) => pathLikeParams(schema).map((param) => ({ type: schema.type, param })));
}

/** Whether a trick applies to a parameter: a name, an extension or a template is one component and has no links. */
export function applies(target: Target, trick: Trick): boolean {
  const isPath = target.param.kind === 'path' || target.param.pathPart === 'path-list';
  return isPath || !trick.wholePath;
}

/** The parameter value that carries `trick` for this kind of parameter. */
export function trickValue(param: ParamSpec, trick: Trick): ParamValue {
  if (param.pathPart === 'path-list') return [trick.value];
  if (param.pathPart === 'lora-tags') return [`a cat <lora:${trick.value}:1>`];
  return trick.value;
}

function sourceFor(schemas: readonly NodeSchema[], socketType: string): NodeSchema | undefined {
  const sources = schemas.filter((s) => s.inputs.every((i) => i.optional));
  return (
    sources.find((s) => s.outputs.some((o) => o.type === socketType)) ??
    sources.find((s) => s.outputs.some((o) => o.type === '*'))
  );
}

/** The node id the checks put the trick into. */
export const TARGET_ID = 'target';

/** A workflow with the target node (`param` = `value`) and a source node for each of its required inputs. */
export function workflowFor(
  schemas: readonly NodeSchema[],
  target: Target,
  value: ParamValue,
  folder?: string,
): WorkflowFile {
  const schema = schemas.find((s) => s.type === target.type)!;
  const wf = emptyWorkflow(`path escape: ${target.type}.${target.param.name}`);
  const node = (id: string, type: string, params: Record<string, ParamValue> = {}): WorkflowNode => {
    // A node that needs one of several parameters (LoadImages: folder or uploads) gets `folder` (one that exists
    // in the allowed folder) for the first, so that only the trick is left for the server to refuse.
    for (const group of schemas.find((s) => s.type === type)?.requireOneOf ?? [])
      if (folder !== undefined && !group.params.some((p) => p in params)) params[group.params[0]!] = folder;
    return { id, type, params, position: { x: 0, y: 0 } };
  };
  wf.nodes.push(node(TARGET_ID, target.type, { [target.param.name]: value }));
  for (const input of schema.inputs.filter((i) => !i.optional)) {
    const source = sourceFor(schemas, input.type);
    if (!source) throw new Error(`no source node makes ${input.type} (input "${input.name}" of ${target.type})`);
    const socket = source.outputs.find((o) => o.type === input.type) ?? source.outputs.find((o) => o.type === '*')!;
    const id = `source-${input.name}`;
    wf.nodes.push(node(id, source.type));
    wf.edges.push({
      id: `e-${input.name}`,
      from: { node: id, socket: socket.name },
      to: { node: TARGET_ID, socket: input.name },
    });
  }
  return wf;
}

/** Whether an error is a refusal that names the parameter (by the `param` field or in the message). */
export function namesParam(error: Pick<NodeError, 'message' | 'param'> | undefined, param: string): boolean {
  if (!error) return false;
  return error.param === param || error.message.includes(`"${param}"`) || error.message.includes(`${param}:`);
}
