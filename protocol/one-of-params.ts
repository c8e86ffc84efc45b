/**
 * Parameters of which at least one must be set (LoadImages: a folder, or images uploaded in the editor). Each may
 * be empty alone, so the per-parameter checks pass; without this the node was refused only when the run reached
 * it, maybe after hours of work upstream. Pure TypeScript, run by protocol/validate.ts in the editor and server.
 */
import type { NodeSchema } from './schema';
import type { ValidationError } from './validation-types';
import type { WorkflowNode } from './workflow';

/** Whether a parameter value counts as unset: absent, blank, or a list of blank entries. */
function isUnset(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.every((v) => typeof v !== 'string' || v.trim() === '');
  return false;
}

/** One error per `requireOneOf` group whose parameters are all unset; a wired one counts as set (it arrives at run time). */
export function oneOfErrors(schema: NodeSchema, node: WorkflowNode, wired: ReadonlySet<string>): ValidationError[] {
  const errors: ValidationError[] = [];
  for (const group of schema.requireOneOf ?? []) {
    if (group.params.some((p) => wired.has(p) || !isUnset(node.params[p]))) continue;
    const names = group.params.map((p) => `"${p}"`).join(' and ');
    errors.push({
      kind: 'param-missing',
      nodeId: node.id,
      nodeType: node.type,
      param: group.params[0],
      expected: `one of ${names} set`,
      received: 'all empty',
      message: `${node.type} (${node.id}): ${group.message} (parameters ${names} are all empty).`,
    });
  }
  return errors;
}
