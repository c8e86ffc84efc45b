/**
 * Checks the path parameters of an imported workflow against the allowed folders. Imported paths are kept as the
 * config gave them (never rewritten); one the path policy would refuse at run time is reported now, naming the
 * node and the parameter, so that the user fixes it (or allows its folder) before running.
 */
import type { PathPolicy } from '../../nodes/api';
import type { NodeSchema } from '../../protocol/schema';
import type { PathProblem } from '../../protocol/interop/types';
import type { WorkflowFile } from '../../protocol/workflow';

/** Every non-empty path parameter that resolves outside the allowed folders. */
export function checkWorkflowPaths(wf: WorkflowFile, schemas: readonly NodeSchema[], paths: PathPolicy): PathProblem[] {
  const byType = new Map(schemas.map((s) => [s.type, s]));
  const problems: PathProblem[] = [];
  for (const node of wf.nodes) {
    for (const spec of byType.get(node.type)?.params ?? []) {
      const value = node.params[spec.name];
      if (spec.kind !== 'path' || typeof value !== 'string' || value.trim() === '') continue;
      try {
        // 'write' resolves paths that do not exist yet too: only "outside the allowed folders" can fail here.
        paths.resolve(value, 'write', spec.name);
      } catch (e) {
        const why = e instanceof Error ? e.message.replace(/^parameter "[^"]*": /, '') : String(e);
        problems.push({
          nodeId: node.id,
          param: spec.name,
          path: value,
          message: `node "${node.id}" (${node.type}), parameter "${spec.name}": ${why}`,
        });
      }
    }
  }
  return problems;
}
