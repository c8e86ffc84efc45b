/**
 * The path checks a run would make, for `loraflow validate`: every path-like parameter of every active node goes
 * through the engine's check (server/engine/path-params.ts) under the same allowed folders, and a folder or file a
 * node reads must exist (the run would fail on it). Each refusal names the node and the parameter.
 */
import type { PathPolicy } from '../../nodes/api';
import { convertedParamNames } from '../../protocol/param-inputs';
import type { NodeSchema, ParamSpec } from '../../protocol/schema';
import type { WorkflowFile, WorkflowNode } from '../../protocol/workflow';
import { checkPathParam } from '../engine/path-params';

function refusal(node: WorkflowNode, spec: ParamSpec, e: unknown): string {
  const why = e instanceof Error ? e.message.replace(/^parameter "[^"]*": /, '') : String(e);
  return `node "${node.id}" (${node.type}), parameter "${spec.name}": ${why}`;
}

/** One message per refused parameter (empty when every path would be accepted). */
export function workflowPathErrors(wf: WorkflowFile, schemas: readonly NodeSchema[], paths: PathPolicy): string[] {
  const byType = new Map(schemas.map((s) => [s.type, s]));
  const errors: string[] = [];
  for (const node of wf.nodes) {
    const schema = byType.get(node.type);
    if (!schema || node.mode === 'mute' || node.mode === 'bypass') continue;
    const wired = convertedParamNames(node); // a wire's value is checked when the node runs
    for (const spec of schema.params) {
      if ((spec.kind !== 'path' && !spec.pathPart) || wired.includes(spec.name)) continue;
      const value = node.params[spec.name] ?? spec.default;
      try {
        checkPathParam(spec, value, paths);
        if (spec.kind === 'path' && spec.access === 'read' && typeof value === 'string' && value.trim() !== '')
          paths.resolve(value, 'read', spec.name);
      } catch (e) {
        errors.push(refusal(node, spec, e));
      }
    }
  }
  return errors;
}
